"use client";

import Link from "next/link";
import { href } from "@/components/catalog/links";
import { formatUtc } from "@/components/jobs/run-format";
import { RunStatusBadge } from "@/components/jobs/run-status";
import { NextRunCell } from "@/components/schedules/next-run-cell";
import { Badge, type Tone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount, humanizeSeconds } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";

type Engines = RouterOutputs["freshness"]["engines"];
type TransformationRow = Engines["transformations"][number];
type StreamRow = Engines["streams"][number];

/** Each state's badge and meaning (docs/adr/0040), worst first as the server lists them. */
const TRANSFORMATION_STATE: Record<
  TransformationRow["status"],
  { label: string; tone: Tone; meaning: string }
> = {
  failing: { label: "Failing", tone: "red", meaning: "Its newest run failed" },
  never_run: { label: "Never run", tone: "amber", meaning: "No run has succeeded yet" },
  stale: { label: "Stale", tone: "amber", meaning: "An input holds events at or past its watermark" },
  fresh: { label: "Fresh", tone: "green", meaning: "No known input event is past its watermark" },
};
const STREAM_STATE: Record<StreamRow["status"], { label: string; tone: Tone; meaning: string }> = {
  unavailable: { label: "Unavailable", tone: "gray", meaning: "Redis could not be read" },
  failing: {
    label: "Not consumed",
    tone: "red",
    meaning: "Entries wait and no consumer was active in the last minute: is the stream worker running?",
  },
  stale: { label: "Behind", tone: "amber", meaning: "Entries wait undelivered while a consumer works" },
  fresh: { label: "Fresh", tone: "green", meaning: "Every entry has been delivered" },
};
const TRANSFORMATION_ORDER = Object.keys(TRANSFORMATION_STATE);
const STREAM_ORDER = Object.keys(STREAM_STATE);

const worstFirst =
  <R extends { status: string }>(order: string[], name: (r: R) => string) =>
  (a: R, b: R) =>
    order.indexOf(a.status) - order.indexOf(b.status) || name(a).localeCompare(name(b));

/** The transformations and stream views sections of the freshness board (freshness.engines). */
export function EngineFreshness({
  project,
  data,
  isPending,
  error,
  retry,
}: {
  project: string;
  data: Engines | undefined;
  isPending: boolean;
  error: { message: string } | null;
  retry: () => void;
}) {
  if (isPending)
    return (
      <section className="mt-10" aria-label="Transformations and stream views" aria-busy>
        <SkeletonTable rows={2} columns={7} />
      </section>
    );
  if (error || !data)
    return (
      <ErrorState
        className="mt-10"
        error={error ?? { message: "No answer" }}
        title="Could not load the freshness of transformations and stream views"
        retry={retry}
      />
    );
  return (
    <>
      {data.transformations.length > 0 && (
        <TransformationSection project={project} rows={data.transformations} />
      )}
      {data.streams.length > 0 && <StreamSection project={project} rows={data.streams} />}
    </>
  );
}

function SectionHeading({
  id,
  title,
  description,
  counts,
}: {
  id: string;
  title: string;
  description: string;
  counts: { label: string; tone: Tone; n: number; meaning: string }[];
}) {
  return (
    <div className="mb-3 flex flex-wrap items-end justify-between gap-2">
      <div className="min-w-0">
        <h2 id={id} className="text-base font-semibold text-zinc-900">
          {title}
        </h2>
        <p className="text-sm text-zinc-500">{description}</p>
      </div>
      <ul className="flex flex-wrap gap-1.5" aria-label={`${title}: states`}>
        {counts
          .filter((c) => c.n > 0)
          .map((c) => (
            <li key={c.label}>
              <Badge tone={c.tone} title={c.meaning}>
                {c.n} {c.label.toLowerCase()}
              </Badge>
            </li>
          ))}
      </ul>
    </div>
  );
}

function TransformationSection({ project, rows }: { project: string; rows: TransformationRow[] }) {
  const sorted = [...rows].sort(worstFirst<TransformationRow>(TRANSFORMATION_ORDER, (r) => r.transformation));
  return (
    <section
      className="mt-10"
      aria-labelledby="freshness-transformations"
      data-testid="freshness-transformations"
    >
      <SectionHeading
        id="freshness-transformations"
        title="Transformations"
        description="Each transformation's output covers its inputs' events up to its watermark (the end of its last successful run). Behind: how far the newest input event is past it."
        counts={Object.entries(TRANSFORMATION_STATE).map(([s, v]) => ({
          ...v,
          n: rows.filter((r) => r.status === s).length,
        }))}
      />
      <Table>
        <THead>
          <tr>
            <TH className="w-48">Transformation</TH>
            <TH className="w-28">Status</TH>
            <TH className="w-24" title="Newest input event − watermark">
              Behind
            </TH>
            <TH
              className="w-36"
              title="The newest event time in the sources it reads, as of their last probe"
            >
              Newest input
            </TH>
            <TH className="w-36">Watermark</TH>
            <TH className="w-36" title="The newest event time in its output table, as of its last probe">
              Newest row written
            </TH>
            <TH className="w-44">Last run</TH>
            <TH className="w-28">Next run</TH>
          </tr>
        </THead>
        <TBody>
          {sorted.map((r) => {
            const state = TRANSFORMATION_STATE[r.status];
            const page = href.transformation(project, r.transformation);
            return (
              <TR key={r.transformation} data-testid="freshness-transformation-row" data-status={r.status}>
                <TD>
                  <Truncate text={r.transformation}>
                    <Link
                      href={page}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                    >
                      {r.transformation}
                    </Link>
                  </Truncate>
                </TD>
                <TD>
                  <Badge tone={state.tone} title={state.meaning}>
                    {state.label}
                  </Badge>
                </TD>
                <TD
                  className={cn(
                    "whitespace-nowrap tabular-nums",
                    r.status === "stale" && "font-medium text-amber-700",
                  )}
                >
                  {r.behindSeconds === null ? (
                    <span className="text-zinc-400">—</span>
                  ) : r.behindSeconds === 0 ? (
                    <span className="text-emerald-700">none</span>
                  ) : (
                    humanizeSeconds(r.behindSeconds)
                  )}
                </TD>
                <TD>
                  <TimeCell date={r.newestInput} />
                  {r.inputsUnknown.length > 0 && (
                    <div
                      className="truncate text-[11px] text-amber-700"
                      title={`Not probed yet or unreadable: ${r.inputsUnknown.join(", ")}`}
                    >
                      {r.inputsUnknown.length} input{r.inputsUnknown.length === 1 ? "" : "s"} unknown
                    </div>
                  )}
                </TD>
                <TD>
                  <TimeCell date={r.watermark} />
                </TD>
                <TD>
                  <TimeCell date={r.newestWritten} />
                </TD>
                <TD>
                  {r.lastRun ? (
                    <Link
                      href={page}
                      className="group/run block min-w-0 leading-tight"
                      title={r.lastRun.error ?? `Runs of ${r.transformation}`}
                    >
                      <span className="flex items-center gap-2">
                        <RunStatusBadge status={r.lastRun.status} />
                        <span className="text-zinc-500 group-hover/run:underline">
                          <RelativeTime date={r.lastRun.finishedAt ?? r.lastRun.createdAt} />
                        </span>
                      </span>
                      <span className="mt-0.5 block text-[11px] text-zinc-500">{r.lastRun.mode}</span>
                      {r.lastRun.error && (
                        <span className="mt-1 block truncate text-xs text-red-700">{r.lastRun.error}</span>
                      )}
                    </Link>
                  ) : (
                    <span className="text-zinc-500">No runs</span>
                  )}
                </TD>
                <TD>
                  <NextRunCell schedule={r.schedule} />
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
    </section>
  );
}

function StreamSection({ project, rows }: { project: string; rows: StreamRow[] }) {
  const sorted = [...rows].sort(worstFirst<StreamRow>(STREAM_ORDER, (r) => r.streamView));
  return (
    <section className="mt-10" aria-labelledby="freshness-streams" data-testid="freshness-streams">
      <SectionHeading
        id="freshness-streams"
        title="Stream views"
        description="Each stream view's consumer group on its Redis stream: entries not yet delivered, delivered but not acknowledged, its consumers, and the newest event applied."
        counts={Object.entries(STREAM_STATE).map(([s, v]) => ({
          ...v,
          n: rows.filter((r) => r.status === s).length,
        }))}
      />
      <Table>
        <THead>
          <tr>
            <TH className="w-48">Stream view</TH>
            <TH className="w-32">Status</TH>
            <TH className="w-24" title="Entries not yet delivered to the consumer group">
              Waiting
            </TH>
            <TH className="w-24" title="Entries delivered and not yet acknowledged">
              Pending
            </TH>
            <TH
              className="w-32"
              title="Consumers in the group, and how long ago the most recent one was active"
            >
              Consumers
            </TH>
            <TH className="w-36" title="The newest event time applied (the view's watermark)">
              Newest event
            </TH>
            <TH className="w-28" title="Events past the allowed lateness: dropped, counted">
              Late dropped
            </TH>
          </tr>
        </THead>
        <TBody>
          {sorted.map((r) => {
            const state = STREAM_STATE[r.status];
            return (
              <TR key={r.streamView} data-testid="freshness-stream-row" data-status={r.status}>
                <TD>
                  <Truncate text={r.streamView}>
                    <Link
                      href={href.streamView(project, r.streamView)}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                    >
                      {r.streamView}
                    </Link>
                  </Truncate>
                  <Truncate text={r.streamKey}>
                    <span className="font-mono text-[11px] text-zinc-500">{r.streamKey}</span>
                  </Truncate>
                </TD>
                <TD>
                  <Badge tone={state.tone} title={state.meaning}>
                    {state.label}
                  </Badge>
                  {r.error && <div className="mt-1 text-[11px] break-words text-zinc-600">{r.error}</div>}
                </TD>
                {r.status === "unavailable" ? (
                  <TD colSpan={5} className="text-zinc-500">
                    unavailable
                  </TD>
                ) : (
                  <>
                    <TD
                      className={cn(
                        "whitespace-nowrap tabular-nums",
                        r.status === "stale" && "font-medium text-amber-700",
                        r.status === "failing" && "font-medium text-red-700",
                      )}
                    >
                      {r.lag === null ? <span className="text-zinc-400">unknown</span> : formatCount(r.lag)}
                    </TD>
                    <TD className="whitespace-nowrap tabular-nums">{formatCount(r.pending ?? 0)}</TD>
                    <TD className="whitespace-nowrap tabular-nums">
                      {formatCount(r.consumers ?? 0)}
                      {r.idleMs !== null && (
                        <div className="text-[11px] text-zinc-500">
                          idle {humanizeSeconds(Math.round(r.idleMs / 1000))}
                        </div>
                      )}
                    </TD>
                    <TD>
                      <TimeCell date={r.newestEvent} />
                    </TD>
                    <TD className="whitespace-nowrap tabular-nums">
                      <span className={cn((r.late ?? 0) > 0 && "font-medium text-amber-700")}>
                        {formatCount(r.late ?? 0)}
                      </span>
                      <div className="text-[11px] text-zinc-500">
                        of {formatCount(r.applied ?? 0)} applied
                      </div>
                    </TD>
                  </>
                )}
              </TR>
            );
          })}
        </TBody>
      </Table>
    </section>
  );
}

/** Relative time above the UTC time. */
function TimeCell({ date }: { date: Date | null }) {
  if (!date) return <span className="text-zinc-400">—</span>;
  return (
    <div className="leading-tight">
      <RelativeTime date={date} className="text-zinc-700" />
      <div className="font-mono text-[11px] whitespace-nowrap text-zinc-400" title="UTC">
        {formatUtc(date)}
      </div>
    </div>
  );
}
