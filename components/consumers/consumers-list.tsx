"use client";

import { useQuery } from "@tanstack/react-query";
import { BrainCircuit, Plus } from "lucide-react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { LinksCell, NameCell, TextCell } from "@/components/catalog/cells";
import { formHref, href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";

/** The models and services declared to read the project's feature services. */
export function ConsumersList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.consumers.list.queryOptions({ project }));
  const { can } = useProjectRole(project);
  return (
    <PageBody>
      <PageHeader
        title="Consumers"
        description="Models and services that read feature services, and the datasets they were trained on."
        actions={
          can("definitions.write") && (
            <ButtonLink href={formHref(project, "consumer")} variant="primary">
              <Plus className="size-4" aria-hidden />
              New consumer
            </ButtonLink>
          )
        }
      />
      {query.isPending ? (
        <SkeletonTable rows={4} columns={6} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load consumers" retry={() => query.refetch()} />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={BrainCircuit}
          title="No consumers yet"
          description="Register the models and services that read your feature services to see who depends on what."
        />
      ) : (
        <Table aria-label="Consumers">
          <THead>
            <tr>
              <TH className="w-[18%]">Name</TH>
              <TH className="w-24">Kind</TH>
              <TH className="w-[18%]">Feature services</TH>
              <TH className="w-[13%] hidden xl:table-cell">Datasets</TH>
              <TH>Description</TH>
              <TH className="w-[12%] hidden xl:table-cell">Owner</TH>
              <TH className="w-28">Updated</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((c) => (
              <TR key={c.id}>
                <TD>
                  <NameCell name={c.name} description={c.description} href={href.consumer(project, c.name)} />
                </TD>
                <TD>
                  <Badge tone={c.kind === "model" ? "violet" : "teal"}>{c.kind}</Badge>
                </TD>
                <TD>
                  <LinksCell
                    items={c.featureServices.map((n) => ({ name: n, href: href.service(project, n) }))}
                  />
                </TD>
                <TD className="hidden xl:table-cell">
                  <LinksCell items={c.datasets.map((n) => ({ name: n, href: href.dataset(project, n) }))} />
                </TD>
                <TD>
                  <TextCell text={c.description} />
                </TD>
                <TD className="hidden xl:table-cell">
                  <TextCell text={c.owner} />
                </TD>
                <TD className="text-zinc-500">
                  <RelativeTime date={c.updatedAt} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </PageBody>
  );
}
