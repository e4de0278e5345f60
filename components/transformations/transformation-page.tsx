"use client";

import { useQuery } from "@tanstack/react-query";
import { Clock, Workflow } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { href } from "@/components/catalog/links";
import { formatUtc } from "@/components/jobs/run-format";
import { ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { RelatedViews } from "@/components/objects/related-views";
import { VersionsSection } from "@/components/objects/version-history";
import { Badge } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Truncate } from "@/components/ui/truncate";
import { readViewState, viewInput, viewQueryString } from "@/components/views/view-params";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { EngineBadge } from "./engine-badge";
import { OutputColumns } from "./output-columns";
import { SqlView } from "./sql-view";
import { TransformationActions } from "./transformation-actions";
import { TransformationDiff } from "./transformation-diff";
import { TransformationRuns } from "./transformation-runs";

type Transformation = RouterOutputs["transformations"]["get"];

interface TransformationPageProps {
  project: string;
  name: string;
  /** The output source's lineage panel (page.tsx). */
  lineageSlot?: ReactNode;
  /** The transformation's schedule, at the top of the side column. */
  scheduleSlot?: ReactNode;
}

/**
 * One batch SQL transformation at one version (`?version=N`; `?from=A&to=B` opens a diff): its
 * SQL, output columns with column lineage, the incremental rule, its runs with live progress and
 * the watermark, the feature views reading its output, and its versions.
 */
export function TransformationPage({ project, name, lineageSlot, scheduleSlot }: TransformationPageProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const state = readViewState(useSearchParams());
  const query = useQuery(trpc.transformations.get.queryOptions(viewInput(project, name, state.version)));
  const versions = useQuery(trpc.transformations.versions.queryOptions({ project, name }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const back = { href: href.transformations(project), label: "Transformations" };
  if (query.isPending) return <ObjectSkeleton />;
  if (query.isError)
    return (
      <ObjectLoadError
        error={query.error}
        what="Transformation"
        icon={Workflow}
        back={back}
        retry={() => query.refetch()}
      />
    );
  const t = query.data;
  const isPast = t.version !== t.currentVersion;
  const readers = (views.data ?? []).filter((v) => v.sourceName === t.outputSource);
  const setCompare = (compare: { from: number; to: number } | undefined) =>
    router.replace(`${pathname}${viewQueryString({ ...state, compare })}`, { scroll: false });

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={t.name}
          meta={
            <>
              <Badge tone={isPast ? "amber" : "indigo"} mono>
                v{t.version}
              </Badge>
              <EngineBadge engine={t.engine} incremental={t.incremental} />
            </>
          }
          description={t.description}
          owner={t.owner}
          tags={t.tags}
          facts={
            <span>
              Registered <RelativeTime date={t.createdAt} />
            </span>
          }
          actions={
            <TransformationActions
              project={project}
              name={t.name}
              incremental={t.incremental}
              notIncremental={t.notIncremental}
              computedUntil={t.computedUntil}
            />
          }
        />
      }
      notice={
        isPast && (
          <div
            role="status"
            className="flex items-center gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-900"
          >
            <Clock className="size-4 shrink-0 text-amber-600" aria-hidden />
            <span className="flex-1">
              You are looking at version {t.version}. The current version is {t.currentVersion}; runs use it.
            </span>
            <Link
              href={href.transformation(project, name)}
              className="font-medium underline underline-offset-2"
            >
              Go to current
            </Link>
          </div>
        )
      }
      main={
        <>
          <Card
            id="sql"
            title="SQL"
            description="One SELECT over the project's sources, named as registered."
          >
            <SqlView sql={t.sql} label={`SQL of ${t.name} v${t.version}`} />
          </Card>
          <OutputColumns
            project={project}
            columns={t.columns}
            eventTimestampColumn={t.eventTimestampColumn}
          />
          <IncrementalRule t={t} />
        </>
      }
      side={
        <>
          {scheduleSlot}
          <Definition project={project} t={t} />
        </>
      }
    >
      <TransformationRuns project={project} name={t.name} />
      {views.isPending ? (
        <SkeletonTable rows={2} columns={3} />
      ) : (
        <RelatedViews
          project={project}
          title="Feature views reading its output"
          views={readers}
          empty={`No feature view reads ${t.outputSource} yet.`}
        />
      )}
      {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
      {
        <VersionsSection
          versions={versions}
          hrefOf={(version) => href.transformation(project, name, version)}
          currentVersion={t.currentVersion}
          shownVersion={t.version}
          compare={state.compare}
          onCompare={setCompare}
          renderDiff={(compare, onClose) => (
            <TransformationDiff
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

/** Where the output goes, what it reads, and how far it is computed. */
function Definition({ project, t }: { project: string; t: Transformation }) {
  return (
    <Card title="Definition" id="definition">
      <DescriptionList>
        <Description label="Output source">
          <Truncate text={t.outputSource} mono>
            <Link href={href.source(project, t.outputSource)} className="text-indigo-600 hover:underline">
              {t.outputSource}
            </Link>
          </Truncate>
        </Description>
        <Description label="Output table">
          <Truncate text={t.outputTable} mono />
        </Description>
        <Description label="Event time">
          <Truncate text={t.eventTimestampColumn} mono />
        </Description>
        <Description label="Reads">
          {t.sources.length === 0 ? (
            <span className="text-zinc-400">No source</span>
          ) : (
            <ul className="flex flex-col gap-0.5 font-mono text-[13px]">
              {t.sources.map((s) => (
                <li key={s} className="min-w-0 wrap-anywhere">
                  <Link href={href.source(project, s)} className="text-indigo-600 hover:underline">
                    {s}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Description>
        <Description label="Computed until">
          <span data-testid="watermark">
            {t.computedUntil ? (
              <>
                <span className="font-mono text-[13px]">{formatUtc(t.computedUntil)} UTC</span>{" "}
                <span className="text-xs text-zinc-500">
                  (<RelativeTime date={t.computedUntil} />)
                </span>
              </>
            ) : (
              <span className="text-zinc-500">Never run</span>
            )}
          </span>
        </Description>
        <Description label="Updated">
          <RelativeTime date={t.updatedAt} />
        </Description>
      </DescriptionList>
    </Card>
  );
}

/** Why runs can or cannot be incremental (docs/adr/0035-batch-transformations.md). */
function IncrementalRule({ t }: { t: Transformation }) {
  return (
    <Card id="incremental" title="Incremental runs">
      <div data-testid="incremental-rule" className="text-sm text-zinc-700">
        {t.incremental ? (
          <>
            <p>
              <Badge tone="green">incremental</Badge> The SQL is deterministic over unchanged sources, so a
              run recomputes only the output rows whose{" "}
              <span className="font-mono text-[13px]">{t.eventTimestampColumn}</span> falls in its window:
              from the watermark to now, or a backfill's range. The first run of each version is a full
              refresh.
            </p>
            <p className="mt-2 text-xs text-zinc-500">
              Late source rows change only the windows that are recomputed: backfill their range, or run a
              full refresh.
            </p>
          </>
        ) : (
          <>
            <p>
              <Badge tone="amber">full refresh only</Badge> Filtering this SQL's output by event time would
              not give the rows a full refresh gives, so every run recomputes the whole table:
            </p>
            <ul className="mt-2 list-disc pl-5">
              {t.notIncremental.map((reason) => (
                <li key={reason} className="wrap-anywhere">
                  {reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </Card>
  );
}
