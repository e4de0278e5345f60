"use client";

import { useQuery } from "@tanstack/react-query";
import { Activity } from "lucide-react";
import {
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceArea,
  ResponsiveContainer,
  Tooltip,
  type TooltipContentProps,
  type TooltipValueType,
  XAxis,
  YAxis,
} from "recharts";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { humanizeSeconds } from "@/components/ui/format";
import { Skeleton } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import {
  type Breach,
  breaches,
  dayTicks,
  type LagPoint,
  lagPoints,
  lagSummary,
  shortDuration,
  utcLabel,
  utcTick,
} from "./lag-chart-data";

const DAYS = 7;
/** Breaches listed under the chart, newest first: the text that says what the shading shows. */
const LISTED_BREACHES = 5;

/*
 * Colours are the palette's variables (app/globals.css remaps them in dark mode), so the chart keeps
 * its contrast in both modes: lag indigo-600 and the SLA amber-700 (both above 3:1 against the card),
 * breaches a red-500 tint behind the line, named in the legend and listed as text below.
 */
const LAG = "var(--color-indigo-600)";
const SLA = "var(--color-amber-700)";
const BREACH = "var(--color-red-500)";
const INK = "var(--color-zinc-600)";
const GRID = "var(--color-zinc-200)";

/** A feature view's lag over the last 7 days (freshness.lagHistory), with its SLA and breaches. */
export function LagPanel({ project, featureView }: { project: string; featureView: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.freshness.lagHistory.queryOptions({ project, featureView }));
  return (
    <Card
      id="lag"
      title="Lag over the last 7 days"
      description="The watermark's age, sampled each minute, in 10-minute buckets (UTC); the dashed line is the SLA."
    >
      {history.isPending ? (
        <Skeleton className="h-60 w-full" />
      ) : history.isError ? (
        <ErrorState error={history.error} title="Could not load the lag" retry={() => history.refetch()} />
      ) : history.data.buckets.every((b) => b.samples === 0) ? (
        <EmptyState
          icon={Activity}
          title="No samples yet"
          description="The worker samples each view's lag every minute; the chart fills in as it does."
        />
      ) : (
        <LagChart
          buckets={history.data.buckets}
          bucketSeconds={history.data.bucketSeconds}
          from={history.data.from.getTime()}
          to={history.data.to.getTime()}
        />
      )}
    </Card>
  );
}

type Buckets = Parameters<typeof lagPoints>[0];

function LagChart({
  buckets,
  bucketSeconds,
  from,
  to,
}: {
  buckets: Buckets;
  bucketSeconds: number;
  from: number;
  to: number;
}) {
  const points = lagPoints(buckets);
  const found = breaches(buckets, bucketSeconds);
  const summary = lagSummary(buckets, bucketSeconds, DAYS);
  const hasSla = points.some((p) => p.sla !== null);
  // A bucket between two gaps has no segment to draw: it gets a dot, or it would not show at all.
  const isolated = (i: number) =>
    points[i]?.lag != null && points[i - 1]?.lag == null && points[i + 1]?.lag == null;
  return (
    <figure className="flex flex-col gap-3" data-testid="lag-chart">
      <figcaption className="sr-only">{summary}</figcaption>
      <Legend sla={hasSla} breaches={found.length > 0} />
      {/* The SVG says nothing a screen reader can use: the caption and the list below do. */}
      {/* No keyboard layer (accessibilityLayer): nothing focusable may sit in an aria-hidden box. */}
      <div className="h-60 w-full min-w-0 overflow-hidden" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart
            data={points}
            margin={{ top: 8, right: 12, bottom: 0, left: 8 }}
            accessibilityLayer={false}
          >
            <CartesianGrid stroke={GRID} vertical={false} />
            {found.map((b) => (
              <ReferenceArea
                key={b.from}
                x1={b.from}
                x2={b.to}
                fill={BREACH}
                fillOpacity={0.18}
                stroke="none"
                ifOverflow="hidden"
              />
            ))}
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[from, to]}
              ticks={dayTicks(from, to)}
              tickFormatter={utcTick}
              tick={{ fill: INK, fontSize: 11 }}
              stroke={GRID}
            />
            <YAxis
              tickFormatter={shortDuration}
              tick={{ fill: INK, fontSize: 11 }}
              stroke={GRID}
              width={56}
            />
            <Tooltip content={LagTooltip} isAnimationActive={false} />
            <Line
              type="stepAfter"
              dataKey="sla"
              stroke={SLA}
              strokeWidth={1.5}
              strokeDasharray="6 4"
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
            <Line
              type="linear"
              dataKey="lag"
              stroke={LAG}
              strokeWidth={2}
              dot={({ index, cx, cy }: { index: number; cx?: number; cy?: number }) =>
                isolated(index) && cx !== undefined && cy !== undefined ? (
                  <circle key={index} cx={cx} cy={cy} r={3} fill={LAG} />
                ) : null
              }
              connectNulls={false}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <BreachList breaches={found} />
    </figure>
  );
}

function Legend({ sla, breaches: any }: { sla: boolean; breaches: boolean }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-700" aria-hidden>
      <li className="flex items-center gap-1.5">
        <span className="h-0.5 w-5 rounded bg-indigo-600" /> Lag (max per 10 min)
      </li>
      {sla && (
        <li className="flex items-center gap-1.5">
          <span className="w-5 border-t-2 border-dashed border-amber-700" /> SLA
        </li>
      )}
      {any && (
        <li className="flex items-center gap-1.5">
          <span className="h-3 w-5 rounded-sm border border-red-500 bg-red-500/20" /> SLA breach
        </li>
      )}
      <li className="text-zinc-500">Gaps: not sampled (no worker running)</li>
    </ul>
  );
}

function BreachList({ breaches: found }: { breaches: Breach[] }) {
  if (found.length === 0) return <p className="text-xs text-zinc-600">No SLA breach in the last 7 days.</p>;
  const listed = found.slice(-LISTED_BREACHES).reverse();
  return (
    <div className="text-xs text-zinc-700">
      <p className="font-medium">
        {found.length} {found.length === 1 ? "breach" : "breaches"}
        {found.length > LISTED_BREACHES && `, the ${LISTED_BREACHES} latest`}:
      </p>
      <ul className="mt-1 flex flex-col gap-0.5 font-mono" data-testid="lag-breaches">
        {listed.map((b) => (
          <li key={b.from}>
            {utcLabel(b.from)} → {utcLabel(b.to)}: {humanizeSeconds(b.minutes * 60)} in breach
          </li>
        ))}
      </ul>
    </div>
  );
}

function LagTooltip({ active, payload, label }: TooltipContentProps<TooltipValueType, string | number>) {
  const point = payload?.[0]?.payload as LagPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-xs text-zinc-800 shadow-sm">
      <p className="font-medium">{utcLabel(Number(label))}</p>
      <p>
        Lag:{" "}
        {!point.sampled
          ? "not sampled"
          : point.lag === null
            ? "never materialized"
            : humanizeSeconds(point.lag)}
      </p>
      {point.sla !== null && <p>SLA: {humanizeSeconds(point.sla)}</p>}
      {point.breach > 0 && <p className="font-medium text-red-700">In breach {point.breach} min</p>}
    </div>
  );
}
