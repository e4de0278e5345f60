"use client";

import { useQuery } from "@tanstack/react-query";
import { Layers, Plus } from "lucide-react";
import Link from "next/link";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount, formatTtl } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";

/** Every feature view of a project, newest definition of each. */
export function ViewsList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const { can } = useProjectRole(project);
  const register = can("definitions.write") && (
    <ButtonLink href={href.newView(project)} variant="primary">
      <Plus className="size-4" aria-hidden />
      Register feature view
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="Feature views"
        description="Groups of features computed from one source and keyed by entities. Every change makes a new version."
        actions={register}
      />
      {query.isPending ? (
        <SkeletonTable rows={6} columns={8} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load feature views" retry={() => query.refetch()} />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={Layers}
          title="No feature views yet"
          description="A feature view names typed features read from a source and keyed by one or more entities."
          action={register || undefined}
        />
      ) : (
        <Table>
          <THead>
            <tr>
              <TH className="w-[20%]">Name</TH>
              <TH className="w-[13%]">Entities</TH>
              <TH className="w-24 text-right">Features</TH>
              <TH className="w-[15%]">Source</TH>
              <TH className="w-28">TTL</TH>
              <TH className="w-20">Online</TH>
              <TH className="hidden xl:table-cell">Owner</TH>
              <TH className="w-20">Version</TH>
              <TH className="w-28 hidden xl:table-cell">Updated</TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((v) => (
              <TR key={v.id}>
                <TD>
                  <Truncate text={v.description ? `${v.name}\n${v.description}` : v.name}>
                    <Link
                      href={href.view(project, v.name)}
                      className="font-medium text-zinc-900 hover:text-indigo-600"
                    >
                      <span className="font-mono text-[13px]">{v.name}</span>
                    </Link>
                  </Truncate>
                </TD>
                <TD>
                  <Truncate text={v.entityNames.join(", ")} mono className="text-zinc-600" />
                </TD>
                <TD className="text-right tabular-nums">{formatCount(v.featureCount)}</TD>
                <TD>
                  <Truncate text={v.sourceName} mono className="text-zinc-600" />
                </TD>
                <TD className="whitespace-nowrap tabular-nums">{formatTtl(v.ttlSeconds)}</TD>
                <TD>{v.online ? <Badge tone="green">online</Badge> : <Badge>offline</Badge>}</TD>
                <TD className="hidden xl:table-cell">
                  {v.owner ? (
                    <Truncate text={v.owner} className="text-zinc-600" />
                  ) : (
                    <span className="text-zinc-400">—</span>
                  )}
                </TD>
                <TD>
                  <Badge tone="indigo" mono>
                    v{v.currentVersion}
                  </Badge>
                </TD>
                <TD className="text-zinc-500 hidden xl:table-cell">
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
