"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, Sigma } from "lucide-react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { LinksCell, NameCell, TextCell } from "@/components/catalog/cells";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import { inputViewsOf } from "./on-demand-inputs";

/** The project's on-demand views: CEL features computed per request from other features and request data. */
export function OnDemandList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.onDemandViews.list.queryOptions({ project }));
  const { can } = useProjectRole(project);
  const create = can("definitions.write") && (
    <ButtonLink href={href.newOnDemandView(project)} variant="primary" data-testid="new-on-demand-view">
      <Plus className="size-4" aria-hidden />
      New on-demand view
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="On-demand views"
        description="Features computed when they are requested: CEL expressions over other views' features and values the caller sends with the request (request_context)."
        actions={create}
      />
      {query.isPending ? (
        <SkeletonTable rows={4} columns={6} />
      ) : query.isError ? (
        <ErrorState
          error={query.error}
          title="Could not load on-demand views"
          retry={() => query.refetch()}
        />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={Sigma}
          title="No on-demand views yet"
          description="An on-demand view computes features at request time, like conv_rate * request.boost: CEL expressions over feature views' features and fields the caller sends, type-checked when you save them and evaluated on every lookup and training set."
          action={create}
        />
      ) : (
        <Table mobile="cards" aria-label="On-demand views">
          <THead>
            <tr>
              <TH className="w-[20%]">Name</TH>
              <TH>Features</TH>
              <TH className="w-[20%]">Input views</TH>
              <TH className="w-[18%]">Request fields</TH>
              <TH className="w-20">Version</TH>
              <TH className="w-28">Updated</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((v) => (
              <TR key={v.id}>
                <TD label="Name">
                  <NameCell
                    name={v.name}
                    description={v.description}
                    href={href.onDemandView(project, v.name)}
                  />
                </TD>
                <TD label="Features">
                  <TextCell text={v.spec.fields.map((f) => f.name).join(", ")} mono />
                </TD>
                <TD label="Input views">
                  <LinksCell
                    items={inputViewsOf(v.spec.inputs).map((name) => ({
                      name,
                      href: href.view(project, name),
                    }))}
                  />
                </TD>
                <TD label="Request fields">
                  <TextCell text={v.spec.requestFields.map((f) => `${f.name}: ${f.dtype}`).join(", ")} mono />
                </TD>
                <TD label="Version">
                  <Badge tone="indigo" mono>
                    v{v.currentVersion}
                  </Badge>
                </TD>
                <TD label="Updated" className="text-zinc-500">
                  <RelativeTime date={v.updatedAt} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </PageBody>
  );
}
