"use client";

import { useQuery } from "@tanstack/react-query";
import { Database } from "lucide-react";
import type { ReactNode } from "react";
import { href, objectHref } from "@/components/catalog/links";
import { ObjectActions } from "@/components/catalog/object-actions";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { FreshnessPanel } from "@/components/objects/freshness-panel";
import { DeprecationBanner, deprecationOf, ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { OfflinePreview, SourceProblem } from "@/components/objects/offline-preview";
import { OnlinePreview } from "@/components/objects/online-preview";
import { RelatedViews, viewChoices } from "@/components/objects/related-views";
import { Badge } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { ObjectUsagePanel } from "@/components/views/usage-panel";
import { useTRPC } from "@/trpc/client";

const none = <span className="text-zinc-400">None</span>;
const KIND_TONE = { table: "blue", query: "violet", file: "teal" } as const;

/** One data source: where it reads, its columns and rows, the views it feeds and their freshness. */
export function SourcePage({
  project,
  name,
  lineageSlot,
  actions,
}: {
  project: string;
  name: string;
  lineageSlot?: ReactNode;
  /** Edit, delete, deprecate: the header's actions slot. */
  actions?: ReactNode;
}) {
  const trpc = useTRPC();
  const source = useQuery(trpc.sources.get.queryOptions({ project, name }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const back = { href: href.sources(project), label: "Sources" };
  if (source.isPending) return <ObjectSkeleton />;
  if (source.isError)
    return (
      <ObjectLoadError
        error={source.error}
        what="Source"
        icon={Database}
        back={back}
        retry={() => source.refetch()}
      />
    );
  const s = source.data;
  const deprecation = deprecationOf(s);
  const fed = (views.data ?? []).filter((v) => v.sourceName === s.name);
  const choices = viewChoices(fed, entities.data ?? []);
  const first = choices[0];
  const mapping = Object.entries(s.fieldMapping);

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={s.name}
          meta={<Badge tone={KIND_TONE[s.kind]}>{s.kind}</Badge>}
          description={s.description}
          owner={s.owner}
          tags={s.tags}
          facts={
            <span>
              Registered <RelativeTime date={s.createdAt} />
            </span>
          }
          actions={
            actions ?? (
              <ObjectActions
                project={project}
                kind="source"
                name={s.name}
                deprecated={s.deprecatedAt ? { note: s.deprecationNote, replacedBy: s.replacedBy } : null}
              />
            )
          }
        />
      }
      notice={
        deprecation && (
          <DeprecationBanner
            deprecation={deprecation}
            replacementHref={
              deprecation.replacedBy ? objectHref(project, "source", deprecation.replacedBy) : undefined
            }
          />
        )
      }
      main={
        <>
          <Card title="Definition" id="definition">
            <DescriptionList>
              <Description label="Kind">{s.kind}</Description>
              {s.kind === "table" ? (
                <Description label="Table">
                  <Truncate text={s.tableName ?? ""} mono />
                </Description>
              ) : s.kind === "file" ? (
                <Description label="File">
                  <Truncate text={`${s.path ?? ""} (${s.fileFormat ?? "?"})`} mono />
                </Description>
              ) : (
                <Description label="Query">
                  <pre className="max-h-48 overflow-auto rounded bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap text-zinc-700 ring-1 ring-zinc-200">
                    {s.query}
                  </pre>
                </Description>
              )}
              <Description label="Event time">
                <Truncate text={s.timestampField} mono />
              </Description>
              <Description label="Created time">
                {s.createdTimestampField ? <Truncate text={s.createdTimestampField} mono /> : none}
              </Description>
              <Description label="Field mapping">
                {mapping.length === 0 ? (
                  none
                ) : (
                  <ul className="flex flex-col gap-0.5 font-mono text-xs">
                    {mapping.map(([from, to]) => (
                      <li key={from} className="wrap-anywhere">
                        {from} → {to}
                      </li>
                    ))}
                  </ul>
                )}
              </Description>
              <Description label="Description">
                {s.description ? <span className="wrap-anywhere">{s.description}</span> : none}
              </Description>
              <Description label="Updated">
                <RelativeTime date={s.updatedAt} />
              </Description>
            </DescriptionList>
          </Card>
          {views.isPending ? (
            <SkeletonTable rows={2} columns={3} />
          ) : (
            <RelatedViews
              project={project}
              title="Feature views it feeds"
              views={fed}
              empty="No feature view reads this source yet."
            />
          )}
        </>
      }
      side={
        <>
          <SourceColumns project={project} name={s.name} />
          <FreshnessPanel
            project={project}
            views={fed.map((v) => v.name)}
            description="The views this source feeds: how far their online data is behind its newest event."
          />
        </>
      }
    >
      {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
      <ObjectUsagePanel project={project} kind="source" name={s.name} />
      <OfflinePreview project={project} target={{ kind: "source", name: s.name }} />
      {choices.length > 0 && <OnlinePreview project={project} choices={choices} />}
      {first && (
        <FetchSnippetPanel
          project={project}
          selection={first.selection}
          joinKeys={first.joinKeys}
          sampleView={first.sampleView}
        />
      )}
    </ObjectSections>
  );
}

/** The source's columns and their types, read without a row (any member may see them). */
function SourceColumns({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.sources.columns.queryOptions({ project, name }), retry: false });
  return (
    <Card
      title="Columns"
      description="As the project's offline reader sees them."
      padded={false}
      id="columns"
    >
      <div data-testid="source-columns">
        {query.isPending ? (
          <div className="p-4">
            <SkeletonTable rows={4} columns={2} />
          </div>
        ) : query.isError ? (
          <div className="p-4">
            <SourceProblem error={query.error} retry={() => query.refetch()} />
          </div>
        ) : (
          <Table aria-label="Columns">
            <THead>
              <tr>
                <TH>Column</TH>
                <TH className="w-44">Type</TH>
              </tr>
            </THead>
            <TBody>
              {query.data.columns.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a query may repeat a column name.
                <TR key={i}>
                  <TD>
                    <Truncate text={c.name} mono />
                  </TD>
                  <TD>
                    <Truncate text={c.type} mono className="text-zinc-500" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </div>
    </Card>
  );
}
