"use client";

import { useQuery } from "@tanstack/react-query";
import { Boxes, Plus, Users } from "lucide-react";
import Link from "next/link";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import { LinksCell, NameCell, TextCell } from "../catalog/cells";
import { DeprecatedBadge } from "../catalog/deprecated-badge";
import { formHref, href } from "../catalog/links";
import { ObjectActions } from "../catalog/object-actions";

/** "view:feature" references grouped by view: "driver_stats: conv_rate, acc_rate". */
function groupFeatures(refs: string[]): [string, string[]][] {
  const byView = new Map<string, string[]>();
  for (const ref of refs) {
    const [view = "", feature = ""] = ref.split(":");
    byView.set(view, [...(byView.get(view) ?? []), feature]);
  }
  return [...byView];
}

function FeaturesCell({ project, refs }: { project: string; refs: string[] }) {
  const groups = groupFeatures(refs);
  return (
    <ul className="flex min-w-0 flex-col gap-0.5" title={refs.join("\n")}>
      {groups.slice(0, 3).map(([view, features]) => (
        <li key={view} className="flex min-w-0 items-baseline gap-1.5 font-mono text-[13px]">
          <Link href={href.view(project, view)} className="shrink-0 text-indigo-600 hover:underline">
            {view}
          </Link>
          <span className="min-w-0 truncate text-zinc-500">
            {features.includes("*") ? (
              <span className="font-sans italic">all features</span>
            ) : (
              features.join(", ")
            )}
          </span>
        </li>
      ))}
      {groups.length > 3 && <li className="text-xs text-zinc-500">and {groups.length - 3} more views</li>}
    </ul>
  );
}

/** Feature services (named sets of features a model reads) and the consumers that read them. */
export function ServicesList({ project }: { project: string }) {
  const trpc = useTRPC();
  const services = useQuery(trpc.featureServices.list.queryOptions({ project }));
  const consumers = useQuery(trpc.consumers.list.queryOptions({ project }));
  const consumersOf = (service: string) =>
    (consumers.data ?? []).filter((c) => c.featureServices.includes(service)).map((c) => c.name);
  const { can } = useProjectRole(project);
  const writable = can("definitions.write");
  const newService = writable && (
    <ButtonLink href={formHref(project, "service")} variant="primary">
      <Plus className="size-4" aria-hidden />
      New feature service
    </ButtonLink>
  );
  const newConsumer = writable && (
    <ButtonLink href={formHref(project, "consumer")}>
      <Plus className="size-4" aria-hidden />
      New consumer
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="Services"
        description="Feature services name the features a model reads together; consumers are the models and services that read them."
        actions={newService}
      />
      <div className="flex flex-col gap-10">
        <Section
          title="Feature services"
          description="Serve them with POST /api/v1/get-online-features and a feature_service name."
        >
          {services.isPending ? (
            <SkeletonTable rows={3} columns={5} />
          ) : services.isError ? (
            <ErrorState
              error={services.error}
              title="Could not load feature services"
              retry={() => services.refetch()}
            />
          ) : services.data.length === 0 ? (
            <EmptyState
              icon={Boxes}
              title="No feature services yet"
              description="A feature service groups features from one or more views under a name, so a model asks for one name instead of a list."
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <TH className="w-[18%]">Name</TH>
                  <TH>Features</TH>
                  <TH className="w-20 text-right">Views</TH>
                  <TH className="w-[16%]">Consumers</TH>
                  <TH className="w-[13%]">Owner</TH>
                  <TH className="w-28">Updated</TH>
                  <TH className="w-32">
                    <span className="sr-only">Actions</span>
                  </TH>
                </tr>
              </THead>
              <TBody>
                {services.data.map((s) => (
                  <TR key={s.id} id={`service-${s.name}`} className="align-top">
                    <TD className="align-top">
                      <div className="flex min-w-0 items-center gap-1.5">
                        <NameCell
                          name={s.name}
                          description={s.description}
                          href={href.service(project, s.name)}
                        />
                        <DeprecatedBadge
                          deprecatedAt={s.deprecatedAt}
                          note={s.deprecationNote}
                          replacedBy={s.replacedBy}
                        />
                      </div>
                      {s.description && (
                        <p className="mt-0.5 truncate text-xs text-zinc-500">{s.description}</p>
                      )}
                    </TD>
                    <TD className="align-top">
                      <FeaturesCell project={project} refs={s.features} />
                    </TD>
                    <TD className="text-right align-top tabular-nums">{groupFeatures(s.features).length}</TD>
                    <TD className="align-top">
                      <LinksCell
                        items={consumersOf(s.name).map((n) => ({ name: n, href: href.consumer(project, n) }))}
                      />
                    </TD>
                    <TD className="align-top">
                      <TextCell text={s.owner} />
                    </TD>
                    <TD className="align-top text-zinc-500">
                      <RelativeTime date={s.updatedAt} />
                    </TD>
                    <TD className="align-top">
                      <ObjectActions
                        compact
                        project={project}
                        kind="service"
                        name={s.name}
                        deprecated={
                          s.deprecatedAt ? { note: s.deprecationNote, replacedBy: s.replacedBy } : null
                        }
                      />
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </Section>

        <Section
          title="Consumers"
          description="Models and services that read feature services."
          actions={newConsumer}
        >
          {consumers.isPending ? (
            <SkeletonTable rows={3} columns={5} />
          ) : consumers.isError ? (
            <ErrorState
              error={consumers.error}
              title="Could not load consumers"
              retry={() => consumers.refetch()}
            />
          ) : consumers.data.length === 0 ? (
            <EmptyState
              icon={Users}
              title="No consumers yet"
              description="Register the models and services that read your feature services to see who depends on what."
            />
          ) : (
            <Table>
              <THead>
                <tr>
                  <TH className="w-[20%]">Name</TH>
                  <TH className="w-24">Kind</TH>
                  <TH className="w-[24%]">Feature services</TH>
                  <TH>Description</TH>
                  <TH className="w-[13%]">Owner</TH>
                  <TH className="w-28">Updated</TH>
                  <TH className="w-32">
                    <span className="sr-only">Actions</span>
                  </TH>
                </tr>
              </THead>
              <TBody>
                {consumers.data.map((c) => (
                  <TR key={c.id}>
                    <TD>
                      <div className="flex min-w-0 items-center gap-1.5">
                        <NameCell
                          name={c.name}
                          description={c.description}
                          href={href.consumer(project, c.name)}
                        />
                        <DeprecatedBadge
                          deprecatedAt={c.deprecatedAt}
                          note={c.deprecationNote}
                          replacedBy={c.replacedBy}
                        />
                      </div>
                    </TD>
                    <TD>
                      <Badge tone={c.kind === "model" ? "violet" : "teal"}>{c.kind}</Badge>
                    </TD>
                    <TD>
                      <LinksCell
                        items={c.featureServices.map((n) => ({ name: n, href: href.service(project, n) }))}
                      />
                    </TD>
                    <TD>
                      <TextCell text={c.description} />
                    </TD>
                    <TD>
                      <TextCell text={c.owner} />
                    </TD>
                    <TD className="text-zinc-500">
                      <RelativeTime date={c.updatedAt} />
                    </TD>
                    <TD>
                      <ObjectActions
                        compact
                        project={project}
                        kind="consumer"
                        name={c.name}
                        deprecated={
                          c.deprecatedAt ? { note: c.deprecationNote, replacedBy: c.replacedBy } : null
                        }
                      />
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </Section>
      </div>
    </PageBody>
  );
}
