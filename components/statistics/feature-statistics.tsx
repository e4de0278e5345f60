"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BarChart3, Lock } from "lucide-react";
import Link from "next/link";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, errorMessage } from "@/components/ui/error-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";

type Answer = RouterOutputs["statistics"]["get"];
type Stats = NonNullable<Answer["latest"]>;

const BAR = "#6366f1";
const fmt = new Intl.NumberFormat("en", { maximumSignificantDigits: 4 });
const pct = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
const num = (x: number | null) => (x === null ? "—" : fmt.format(x));

/**
 * "Statistics": the feature's numbers over the population its latest computation describes (the
 * latest value per entity in a run's window), a histogram or top values, the drift marker against
 * the previous computation, and a short history. Statistics show values (min, max, top values):
 * consumers and up; operators may ask for a computation.
 */
export function FeatureStatisticsPanel({
  project,
  featureView,
  feature,
}: {
  project: string;
  featureView: string;
  feature: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, role } = useProjectRole(project);
  const allowed = can("values.read");
  const stats = useQuery({
    ...trpc.statistics.get.queryOptions({ project, featureView, feature }),
    enabled: allowed,
    retry: false,
  });
  const compute = useMutation(trpc.statistics.compute.mutationOptions());
  const computeNow = can("jobs.run") && (
    <Button
      size="sm"
      variant="secondary"
      disabled={compute.isPending}
      onClick={() =>
        compute
          .mutateAsync({ project, featureView })
          .then(() => queryClient.invalidateQueries(trpc.statistics.pathFilter()))
      }
    >
      {compute.isPending ? "Queuing…" : compute.isSuccess ? "Queued" : "Compute now"}
    </Button>
  );
  const latest = stats.data?.latest ?? null;

  return (
    <Card
      title="Statistics"
      id="statistics"
      description="Over the latest value per entity in a materialization's window: what the online store received."
      actions={latest && computeNow}
    >
      <div data-testid="feature-statistics">
        {role === undefined ? (
          <SkeletonTable rows={3} columns={4} />
        ) : !allowed ? (
          <EmptyState
            icon={Lock}
            title="Statistics are feature values"
            description="Their minimum, maximum and top values are values: reading them needs the consumer role or higher in this project."
            className="py-8"
          />
        ) : stats.isPending ? (
          <div role="status" aria-busy="true" aria-label="Loading statistics">
            <SkeletonTable rows={4} columns={4} />
          </div>
        ) : stats.isError ? (
          <ErrorState
            title="Statistics could not be read"
            error={stats.error}
            retry={() => stats.refetch()}
          />
        ) : !latest ? (
          <EmptyState
            icon={BarChart3}
            title="No statistics yet"
            description={
              <>
                They are computed after each successful materialization of {featureView}
                {can("jobs.run") ? ", or now, over the latest values:" : "."}
                {compute.isError && (
                  <span className="mt-2 block text-red-700">{errorMessage(compute.error)}</span>
                )}
              </>
            }
            action={computeNow}
            className="py-8"
          />
        ) : (
          <StatisticsBody project={project} featureView={featureView} answer={stats.data} latest={latest} />
        )}
      </div>
    </Card>
  );
}

function StatisticsBody({
  project,
  featureView,
  answer,
  latest,
}: {
  project: string;
  featureView: string;
  answer: Answer;
  latest: Stats;
}) {
  const nullRate = latest.count > 0 ? latest.nulls / latest.count : 0;
  const tiles: [string, string, string?][] = [
    ["Count", fmt.format(latest.count), "entities in the population"],
    ["Null rate", pct.format(nullRate), `${fmt.format(latest.nulls)} null`],
    [
      "Distinct",
      num(latest.distinct),
      latest.distinctMethod === "approximate"
        ? "estimated (HyperLogLog)"
        : latest.distinct === null
          ? "not counted for this type"
          : "exact",
    ],
    ...(latest.kind === "numeric"
      ? ([
          ["Min", num(latest.min)],
          ["Max", num(latest.max)],
          ["Mean", num(latest.mean)],
          ["Std dev", num(latest.stddev), "population"],
        ] as [string, string, string?][])
      : []),
    ["Outside ttl", pct.format(latest.outsideTtl), "older than the window's end minus the ttl"],
  ];
  return (
    <div className="flex flex-col gap-4">
      <p className="text-xs text-zinc-500">
        From{" "}
        {latest.runId ? (
          <Link
            href={`/p/${encodeURIComponent(project)}/jobs?view=${encodeURIComponent(featureView)}`}
            className="font-mono text-indigo-600 hover:underline"
          >
            run {latest.runId.slice(0, 8)}
          </Link>
        ) : (
          "an on-demand computation"
        )}{" "}
        (v{latest.featureViewVersion}, window ending {latest.windowEnd.toISOString().replace(".000Z", "Z")}),
        computed <RelativeTime date={latest.computedAt} />.
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label="Summary statistics">
        {tiles.map(([label, value, hint]) => (
          <div key={label} className="rounded-md border border-zinc-200 px-3 py-2" title={hint}>
            <dt className="text-xs text-zinc-500">{label}</dt>
            <dd className="truncate font-mono text-sm font-semibold text-zinc-900">{value}</dd>
          </div>
        ))}
      </dl>
      <DriftMarker latest={latest} hasPrevious={answer.previous !== null} />
      {latest.histogram && <Histogram bins={latest.histogram} />}
      {latest.topValues && <TopValues top={latest.topValues} />}
      {latest.kind === "count_only" && (
        <p className="text-sm text-zinc-500">
          A {latest.dtype} feature gets its count and nulls only: no histogram or top values.
        </p>
      )}
      {answer.history.length > 1 && <History history={answer.history} />}
    </div>
  );
}

function DriftMarker({ latest, hasPrevious }: { latest: Stats; hasPrevious: boolean }) {
  if (latest.psi === null)
    return (
      <p className="text-sm text-zinc-500" data-testid="drift-marker">
        {hasPrevious
          ? "No drift measure: one of the two computations has no values to compare."
          : "No drift measure yet: drift compares a computation with the previous one."}
      </p>
    );
  const psi = fmt.format(latest.psi);
  return (
    <div
      data-testid="drift-marker"
      className={
        latest.drift
          ? "rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          : "rounded-md border border-zinc-200 px-3 py-2 text-sm text-zinc-700"
      }
    >
      <span className="mr-2">
        <Badge tone={latest.drift ? "amber" : "green"}>{latest.drift ? "Drift" : "Stable"}</Badge>
      </span>
      PSI {psi} against the previous computation (threshold {fmt.format(latest.driftThreshold)}).{" "}
      {latest.drift
        ? "The distribution moved strongly: check the source before trusting these values."
        : "The distribution is close to the previous one."}
    </div>
  );
}

function Histogram({ bins }: { bins: NonNullable<Stats["histogram"]> }) {
  const data = bins.map((b) => ({ label: `${fmt.format(b.lo)}–${fmt.format(b.hi)}`, count: b.count }));
  return (
    <figure data-testid="histogram">
      <figcaption className="mb-1 text-xs font-medium text-zinc-600">
        Histogram, {bins.length} equal-width bin{bins.length === 1 ? "" : "s"}
      </figcaption>
      {/* Screen readers get the bins as a visually hidden table; no keyboard layer in an aria-hidden box. */}
      <div className="h-48 min-w-0 overflow-hidden" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 4, right: 4, bottom: 4, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="#e4e4e7" />
            <XAxis dataKey="label" tick={{ fontSize: 10 }} interval="preserveStartEnd" minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fontSize: 10 }} width={40} />
            <Tooltip />
            <Bar dataKey="count" fill={BAR} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* A plain table: the Table component's visible frame would show around a hidden table. */}
      <table className="sr-only">
        <caption>Histogram bins and their counts</caption>
        <thead>
          <tr>
            <th scope="col">Bin</th>
            <th scope="col">Count</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <td>{d.label}</td>
              <td>{d.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function TopValues({ top }: { top: NonNullable<Stats["topValues"]> }) {
  const rows = [...top.values, ...(top.other > 0 ? [{ value: "(other)", count: top.other }] : [])];
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <figure data-testid="top-values">
      <figcaption className="mb-1 text-xs font-medium text-zinc-600">Top values</figcaption>
      <ul className="flex flex-col gap-1" aria-label="Top values and their counts">
        {rows.map((r) => (
          <li key={r.value} className="grid grid-cols-[minmax(0,10rem)_1fr_auto] items-center gap-2 text-sm">
            <span className="truncate font-mono text-zinc-800" title={r.value}>
              {r.value === "" ? '""' : r.value}
            </span>
            <span className="h-3 rounded-sm bg-zinc-100" aria-hidden>
              <span
                className="block h-3 rounded-sm"
                style={{ width: `${(r.count / max) * 100}%`, background: BAR }}
              />
            </span>
            <span className="font-mono text-xs text-zinc-600">{fmt.format(r.count)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function History({ history }: { history: Answer["history"] }) {
  return (
    <details>
      <summary className="cursor-pointer text-sm font-medium text-zinc-700">
        History ({history.length} computations)
      </summary>
      <Table className="mt-2">
        <THead>
          <TR>
            <TH>Computed</TH>
            <TH>Window end</TH>
            <TH>Count</TH>
            <TH>Nulls</TH>
            <TH>Mean</TH>
            <TH>PSI</TH>
          </TR>
        </THead>
        <TBody>
          {history.map((h) => (
            <TR key={h.computationId}>
              <TD>
                <RelativeTime date={h.computedAt} />
              </TD>
              <TD className="font-mono text-xs">{h.windowEnd.toISOString().replace(".000Z", "Z")}</TD>
              <TD>{fmt.format(h.count)}</TD>
              <TD>{fmt.format(h.nulls)}</TD>
              <TD>{num(h.mean)}</TD>
              <TD>
                {h.psi === null ? "—" : fmt.format(h.psi)}
                {h.drift && (
                  <span className="ml-1">
                    <Badge tone="amber">drift</Badge>
                  </span>
                )}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </details>
  );
}
