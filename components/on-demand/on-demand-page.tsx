"use client";

import { useQuery } from "@tanstack/react-query";
import { Clock, Pencil, Sigma } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { TypeBadge } from "@/components/catalog/type-badge";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { VersionsSection } from "@/components/objects/version-history";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Truncate } from "@/components/ui/truncate";
import { readViewState, viewInput, viewQueryString } from "@/components/views/view-params";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { DeleteOnDemandView } from "./delete-on-demand-view";
import { OnDemandDiff } from "./on-demand-diff";
import { exampleRequestValue, inputViewsOf, joinKeysOf, splitRef } from "./on-demand-inputs";
import { TryIt } from "./try-it";

type View = RouterOutputs["onDemandViews"]["get"];

/** One on-demand view at one version: its expressions, inputs, request fields, a live try, versions. */
export function OnDemandPage({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const state = readViewState(useSearchParams());
  const { can } = useProjectRole(project);
  const view = useQuery(trpc.onDemandViews.get.queryOptions(viewInput(project, name, state.version)));
  const versions = useQuery(trpc.onDemandViews.versions.queryOptions({ project, name }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const services = useQuery(trpc.featureServices.list.queryOptions({ project }));
  const back = { href: href.onDemandViews(project), label: "On-demand views" };

  if (view.isPending) return <ObjectSkeleton />;
  if (view.isError)
    return (
      <ObjectLoadError
        error={view.error}
        what="On-demand view"
        icon={Sigma}
        back={back}
        retry={() => view.refetch()}
      />
    );

  const v = view.data;
  const isPast = v.version !== v.currentVersion;
  const usedBy = (services.data ?? []).filter((s) => s.features.some((f) => splitRef(f).view === v.name));
  const joinKeys = joinKeysOf(v.spec.inputs, views.data ?? [], entities.data ?? []);
  const sampleView = inputViewsOf(v.spec.inputs)[0];
  const features = v.spec.fields.map((f) => `${v.name}:${f.name}`);
  const setCompare = (compare: { from: number; to: number } | undefined) =>
    router.replace(`${pathname}${viewQueryString({ ...state, compare })}`, { scroll: false });

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={v.name}
          meta={
            <>
              <Badge tone={isPast ? "amber" : "indigo"} mono>
                v{v.version}
              </Badge>
              <Badge tone="violet">on-demand</Badge>
            </>
          }
          description={v.spec.description}
          owner={v.spec.owner}
          tags={v.spec.tags}
          facts={
            <span>
              Version by <span className="font-medium text-zinc-700">{v.versionCreatedBy}</span>{" "}
              <RelativeTime date={v.versionCreatedAt} />
            </span>
          }
          actions={
            <div className="flex items-center gap-2">
              {can("definitions.write") && (
                <ButtonLink
                  href={href.editOnDemandView(project, v.name)}
                  variant="secondary"
                  size="sm"
                  data-testid="edit-on-demand-view"
                >
                  <Pencil className="size-3.5" aria-hidden />
                  Edit
                </ButtonLink>
              )}
              <DeleteOnDemandView project={project} name={v.name} usedBy={usedBy.map((s) => s.name)} />
            </div>
          }
        />
      }
      notice={
        isPast && (
          <div className="flex items-center gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-900">
            <Clock className="size-4 shrink-0 text-amber-600" aria-hidden />
            <span className="flex-1">
              You are looking at version {v.version}. The current version is {v.currentVersion}.
            </span>
            <Link
              href={href.onDemandView(project, name)}
              className="font-medium underline underline-offset-2"
            >
              Go to current
            </Link>
          </div>
        )
      }
      main={<OutputFields view={v} />}
      side={
        <>
          <InputsCard project={project} view={v} views={views.data ?? []} />
          <Card
            title="Request fields"
            description="Sent by the caller with each entity row, as request_context."
          >
            {v.spec.requestFields.length === 0 ? (
              <p className="text-sm text-zinc-500">None: the features are computed from the inputs alone.</p>
            ) : (
              <ul className="flex flex-col gap-2" data-testid="request-fields">
                {v.spec.requestFields.map((f) => (
                  <li key={f.name} className="flex min-w-0 items-center gap-2 text-sm">
                    <span className="min-w-0 shrink">
                      <Truncate text={`request.${f.name}`} mono className="text-zinc-900" />
                    </span>
                    <span className="ml-auto shrink-0">
                      <TypeBadge dtype={f.dtype} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Feature services" description="Services that list its features.">
            {services.isPending ? (
              <SkeletonTable rows={1} columns={1} />
            ) : usedBy.length === 0 ? (
              <p className="text-sm text-zinc-500">No feature service lists it.</p>
            ) : (
              <ul className="flex flex-col gap-1.5" data-testid="used-by-services">
                {usedBy.map((s) => (
                  <li key={s.name} className="min-w-0 text-sm">
                    <Truncate text={s.name} mono>
                      <Link href={href.service(project, s.name)} className="text-indigo-600 hover:underline">
                        {s.name}
                      </Link>
                    </Truncate>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </>
      }
    >
      {isPast ? (
        <p className="rounded-lg border border-zinc-200 px-4 py-3 text-sm text-zinc-500">
          Lookups always compute the current version; go to it to try the view.
        </p>
      ) : (
        <TryIt
          key={v.version}
          project={project}
          view={v}
          joinKeys={joinKeys}
          sampleView={sampleView}
          ready={views.isSuccess && entities.isSuccess}
        />
      )}
      {!isPast && (
        <FetchSnippetPanel
          project={project}
          selection={{ features }}
          joinKeys={joinKeys}
          sampleView={sampleView}
          requestContext={Object.fromEntries(
            v.spec.requestFields.map((f) => [f.name, exampleRequestValue(f.dtype)]),
          )}
        />
      )}
      {!isPast && <ObjectLineage project={project} nodeId={lineageNodeId("on_demand_view", v.name)} />}
      {
        <VersionsSection
          versions={versions}
          hrefOf={(version) => href.onDemandView(project, name, version)}
          currentVersion={v.currentVersion}
          shownVersion={v.version}
          compare={state.compare}
          onCompare={setCompare}
          renderDiff={(compare, onClose) => (
            <OnDemandDiff
              project={project}
              name={name}
              from={compare.from}
              to={compare.to}
              onClose={onClose}
            />
          )}
        />
      }
    </ObjectSections>
  );
}

/** Each computed feature: name, type, description and its CEL expression, readable. */
function OutputFields({ view }: { view: View }) {
  return (
    <Card
      title="Features"
      description="Computed per entity row when requested; a failing row is null with a reason, never an error."
      id="features"
    >
      <ul className="flex flex-col divide-y divide-zinc-100" data-testid="on-demand-fields">
        {view.spec.fields.map((f) => (
          <li key={f.name} id={`field-${f.name}`} className="flex flex-col gap-1.5 py-3 first:pt-0 last:pb-0">
            <div className="flex min-w-0 flex-wrap items-center gap-2">
              <span className="min-w-0 font-mono text-sm font-medium break-all text-zinc-900">{f.name}</span>
              <TypeBadge dtype={f.dtype} />
            </div>
            {f.description && <p className="text-sm text-zinc-600 wrap-anywhere">{f.description}</p>}
            <pre
              className="overflow-x-auto rounded-md bg-zinc-50 px-3 py-2 font-mono text-[13px] leading-relaxed whitespace-pre-wrap break-words text-zinc-800 ring-1 ring-zinc-200"
              data-testid={`expression-${f.name}`}
            >
              {f.expression}
            </pre>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The features the expressions read, as links to their pages, with their types. */
function InputsCard({
  project,
  view,
  views,
}: {
  project: string;
  view: View;
  views: readonly { name: string; spec: { fields: { name: string; dtype: string }[] } }[];
}) {
  return (
    <Card title="Inputs" description="Features the expressions read, as view.feature.">
      {view.spec.inputs.length === 0 ? (
        <p className="text-sm text-zinc-500">None: the features are computed from the request alone.</p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="on-demand-inputs">
          {view.spec.inputs.map((ref) => {
            const { view: fv, feature } = splitRef(ref);
            const dtype = views
              .find((x) => x.name === fv)
              ?.spec.fields.find((f) => f.name === feature)?.dtype;
            return (
              <li key={ref} className="flex min-w-0 items-center gap-2 text-sm">
                <span className="min-w-0 shrink">
                  <Truncate text={`${fv}.${feature}`} mono>
                    <Link
                      href={href.feature(project, fv, feature)}
                      className="text-indigo-600 hover:underline"
                    >
                      {fv}.{feature}
                    </Link>
                  </Truncate>
                </span>
                <span className="ml-auto shrink-0">
                  {dtype ? (
                    <TypeBadge dtype={dtype} />
                  ) : (
                    <Badge tone="red" title="The feature view no longer has this feature">
                      missing
                    </Badge>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
