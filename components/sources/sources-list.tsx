"use client";

import { useQuery } from "@tanstack/react-query";
import { Database, Plus } from "lucide-react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { formHref } from "@/components/catalog/links";
import { Badge, type Tone } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { NameCell, TextCell, UsageCell } from "../catalog/cells";
import { DeprecatedBadge } from "../catalog/deprecated-badge";
import { href } from "../catalog/links";
import { ObjectActions } from "../catalog/object-actions";

type Source = RouterOutputs["sources"]["list"][number];

const KIND_TONES: Record<Source["kind"], Tone> = { table: "blue", query: "violet", file: "teal" };

/** Where a source's rows are: its table, its query on one line, or its file and format. */
function whereOf(s: Source): string | null {
  if (s.kind === "table") return s.tableName;
  if (s.kind === "file") return s.path && `${s.path} (${s.fileFormat})`;
  return s.query?.replace(/\s+/g, " ") ?? null;
}

/** Offline data sources: a table, a SQL query or a file, with the columns that carry event time. */
export function SourcesList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.sources.list.queryOptions({ project }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const viewsOf = (source: string) =>
    (views.data ?? []).filter((v) => v.sourceName === source).map((v) => v.name);
  const { can } = useProjectRole(project);
  const create = can("definitions.write") && (
    <ButtonLink href={formHref(project, "source")} variant="primary">
      <Plus className="size-4" aria-hidden />
      New source
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="Sources"
        description="Where feature values come from: a Postgres table, a SQL query, or a Parquet or CSV file of the project's file area, with an event-time column."
        actions={create}
      />
      {query.isPending ? (
        <SkeletonTable rows={5} columns={7} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load sources" retry={() => query.refetch()} />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={Database}
          title="No sources yet"
          description="Register a table, query or file source here or from a feature view's form; feature views read from it."
          action={create}
        />
      ) : (
        <Table>
          <THead>
            <tr>
              <TH className="w-[18%]">Name</TH>
              <TH className="w-20">Kind</TH>
              <TH>Table, query or file</TH>
              <TH className="w-[13%] hidden xl:table-cell">Event time</TH>
              <TH className="w-[13%]">Created time</TH>
              <TH className="w-20 text-right">Views</TH>
              <TH className="w-[12%] hidden xl:table-cell">Owner</TH>
              <TH className="w-28">Updated</TH>
              <TH className="w-32">
                <span className="sr-only">Actions</span>
              </TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((s) => (
              <TR key={s.id}>
                <TD>
                  <div className="flex min-w-0 items-center gap-1.5">
                    <NameCell name={s.name} description={s.description} href={href.source(project, s.name)} />
                    <DeprecatedBadge
                      deprecatedAt={s.deprecatedAt}
                      note={s.deprecationNote}
                      replacedBy={s.replacedBy}
                    />
                  </div>
                </TD>
                <TD>
                  <Badge tone={KIND_TONES[s.kind]}>{s.kind}</Badge>
                </TD>
                <TD>
                  <TextCell text={whereOf(s)} mono />
                </TD>
                <TD className="hidden xl:table-cell">
                  <TextCell text={s.timestampField} mono />
                </TD>
                <TD>
                  <TextCell text={s.createdTimestampField} mono />
                </TD>
                <TD className="text-right">
                  <UsageCell names={viewsOf(s.name)} />
                </TD>
                <TD className="hidden xl:table-cell">
                  <TextCell text={s.owner} />
                </TD>
                <TD className="text-zinc-500">
                  <RelativeTime date={s.updatedAt} />
                </TD>
                <TD>
                  <ObjectActions
                    compact
                    project={project}
                    kind="source"
                    name={s.name}
                    deprecated={s.deprecatedAt ? { note: s.deprecationNote, replacedBy: s.replacedBy } : null}
                  />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </PageBody>
  );
}
