"use client";

import { useQuery } from "@tanstack/react-query";
import { Activity, Boxes, KeyRound, Terminal, User } from "lucide-react";
import Link from "next/link";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount, plural } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { usageBars, usageSummary, utcText } from "./usage-bars";

type Usage = Omit<RouterOutputs["featureViews"]["usage"], "featureView">;
type Caller = Usage["callers"][number];

const DAYS = 30;

/**
 * Who reads a feature view: last read, reads per UTC day over the last 30 days, the API keys and
 * people reading it (keys by name for owners only), and the consumers declared in the registry.
 */
export function UsagePanel({
  project,
  featureView,
  description = "Online lookups that read this view, counted per API key and person, by UTC day.",
}: {
  project: string;
  featureView: string;
  description?: string;
}) {
  const trpc = useTRPC();
  const query = useQuery(trpc.featureViews.usage.queryOptions({ project, name: featureView, days: DAYS }));
  return <UsageCard project={project} query={query} description={description} />;
}

/** How each kind reaches the views whose reads it shows. */
const THROUGH = {
  service: "the views it includes",
  consumer: "the views its services include",
  entity: "the views keyed by it",
  source: "the views it feeds",
} as const;

/**
 * Who reads a feature service, a consumer, an entity or a source: the reads of the views it
 * reaches (reads are counted per view, so a lookup of two of them counts twice), with the views
 * named.
 */
export function ObjectUsagePanel({
  project,
  kind,
  name,
}: {
  project: string;
  kind: keyof typeof THROUGH;
  name: string;
}) {
  const trpc = useTRPC();
  const input = { project, name, days: DAYS };
  const queries = {
    service: useQuery({ ...trpc.featureServices.usage.queryOptions(input), enabled: kind === "service" }),
    consumer: useQuery({ ...trpc.consumers.usage.queryOptions(input), enabled: kind === "consumer" }),
    entity: useQuery({ ...trpc.entities.usage.queryOptions(input), enabled: kind === "entity" }),
    source: useQuery({ ...trpc.sources.usage.queryOptions(input), enabled: kind === "source" }),
  };
  const query = queries[kind];
  const views = query.data?.views ?? [];
  return (
    <UsageCard
      project={project}
      query={query}
      description={
        views.length > 0
          ? `Online lookups of ${THROUGH[kind]} (${views.join(", ")}), per API key and person, by UTC day. Reads are counted per view, whichever way they were asked for.`
          : `Online lookups of ${THROUGH[kind]}, per API key and person, by UTC day.`
      }
      declared={kind !== "consumer"}
    />
  );
}

function UsageCard({
  project,
  query,
  description,
  declared = true,
}: {
  project: string;
  query: {
    isPending: boolean;
    isError: boolean;
    error: unknown;
    data: Usage | undefined;
    refetch: () => unknown;
  };
  description: string;
  /** Lists the consumers declared to read it (not on a consumer's own page). */
  declared?: boolean;
}) {
  return (
    <Card title="Usage" description={description} padded={false}>
      {query.isPending ? (
        <div className="flex flex-col gap-3 p-4">
          <Skeleton className="h-12 w-full rounded-lg" />
          <Skeleton className="h-24 w-full rounded-lg" />
        </div>
      ) : query.isError ? (
        <div className="p-4">
          <ErrorState error={query.error} title="Could not load the usage" retry={() => query.refetch()} />
        </div>
      ) : query.data ? (
        <UsageBody project={project} usage={query.data} declared={declared} />
      ) : null}
    </Card>
  );
}

function UsageBody({ project, usage, declared }: { project: string; usage: Usage; declared: boolean }) {
  return (
    // Laid out by the panel's own width (a container), not the window's: the page may put it in a
    // narrow column. Long names break anywhere rather than widen it.
    <div className="@container flex flex-col divide-y divide-zinc-200 wrap-anywhere">
      {usage.lastReadAt === null ? (
        <div className="p-4">
          <EmptyState
            icon={Activity}
            title="No reads recorded yet"
            description="Every answered get-online-features lookup that reads this view is counted here per API key or person, within a few seconds. Counts are kept for 90 days."
            className="py-8"
          />
        </div>
      ) : (
        <>
          <div className="flex flex-col gap-4 p-4">
            <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm @md:grid-cols-3">
              <div className="col-span-2 min-w-0 @md:col-span-1">
                <dt className="text-xs text-zinc-500">Last read</dt>
                <dd className="font-medium text-zinc-900" data-testid="usage-last-read">
                  <RelativeTime date={usage.lastReadAt} />
                  <span className="block text-xs font-normal text-zinc-500">{utcText(usage.lastReadAt)}</span>
                </dd>
              </div>
              <div>
                <dt className="text-xs text-zinc-500">Reads, {DAYS} days</dt>
                <dd className="font-medium text-zinc-900 tabular-nums">{formatCount(usage.reads)}</dd>
              </div>
              <div>
                <dt className="text-xs text-zinc-500">Entity rows, {DAYS} days</dt>
                <dd className="font-medium text-zinc-900 tabular-nums">{formatCount(usage.entityRows)}</dd>
              </div>
            </dl>
            <ReadsChart days={usage.perDay} />
          </div>
          <Readers usage={usage} />
        </>
      )}
      {declared && <DeclaredConsumers project={project} consumers={usage.declaredConsumers} />}
    </div>
  );
}

const CHART_W = 300;
const CHART_H = 64;

/** Bars of reads per day; the numbers are in a table screen readers read instead. */
function ReadsChart({ days }: { days: Usage["perDay"] }) {
  const bars = usageBars(days, CHART_W, CHART_H);
  const most = Math.max(0, ...days.map((d) => d.reads));
  const summary = usageSummary(days);
  return (
    <figure className="flex flex-col gap-1">
      <div className="flex items-baseline justify-between text-xs text-zinc-500" aria-hidden>
        <span>Reads per day</span>
        <span className="tabular-nums">max {formatCount(most)}</span>
      </div>
      <svg
        viewBox={`0 0 ${CHART_W} ${CHART_H}`}
        preserveAspectRatio="none"
        className="h-16 w-full"
        role="img"
        aria-label={summary}
        data-testid="usage-chart"
      >
        {bars.map((b) => (
          <rect
            key={b.day}
            x={b.x}
            y={b.y}
            width={b.width}
            height={b.height}
            rx={b.reads > 0 ? 0.8 : 0}
            className={b.reads > 0 ? "fill-indigo-500" : "fill-zinc-200"}
          >
            <title>{`${b.day}: ${plural(b.reads, "read")}`}</title>
          </rect>
        ))}
      </svg>
      <div
        className="flex flex-wrap justify-between gap-x-2 text-[11px] text-zinc-400 tabular-nums"
        aria-hidden
      >
        <span>{days[0]?.day}</span>
        <span>{days[days.length - 1]?.day}</span>
      </div>
      {/* A table cannot shrink below its content: the clipped box around it keeps it from widening the page. */}
      <div className="sr-only">
        <table>
          <caption>Reads per UTC day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Reads</th>
              <th scope="col">Entity rows</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.reads}</td>
                <td>{d.entityRows}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function Readers({ usage }: { usage: Usage }) {
  return (
    <div className="flex flex-col gap-2 p-4">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h3 className="text-sm font-semibold text-zinc-900">Who reads it</h3>
        {!usage.keysNamed && (
          <p className="text-xs text-zinc-500">Only project owners see which API keys read it.</p>
        )}
      </div>
      {usage.callers.length === 0 ? (
        <p className="text-sm text-zinc-500">No reads in the last {DAYS} days.</p>
      ) : (
        <Table aria-label="Readers of this view">
          <THead>
            <tr>
              <TH>Reader</TH>
              <TH className="hidden w-32 @md:table-cell">Last read</TH>
              <TH className="w-24 text-right">Reads</TH>
              <TH className="hidden w-28 text-right @md:table-cell">Entity rows</TH>
            </tr>
          </THead>
          <TBody>
            {usage.callers.map((c, i) => (
              <TR key={callerKey(c, i)} data-testid="usage-reader">
                <TD>
                  <CallerCell caller={c} />
                  {/* On a narrow screen the last read goes under the reader instead of a column. */}
                  <span className="mt-0.5 block text-xs text-zinc-500 @md:hidden">
                    last read <RelativeTime date={c.lastReadAt} />
                  </span>
                </TD>
                <TD className="hidden text-xs @md:table-cell">
                  <RelativeTime date={c.lastReadAt} />
                </TD>
                <TD className="text-right whitespace-nowrap tabular-nums">{formatCount(c.reads)}</TD>
                <TD className="hidden text-right whitespace-nowrap tabular-nums @md:table-cell">
                  {formatCount(c.entityRows)}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}

function callerKey(c: Caller, i: number): string {
  return c.kind === "api_key" ? `key:${c.id}` : `${c.kind}:${i}`;
}

function CallerCell({ caller }: { caller: Caller }) {
  const icon = "size-3.5 shrink-0 text-zinc-400";
  switch (caller.kind) {
    case "api_key":
      return (
        <span className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
          <span className="flex max-w-full min-w-0 items-center gap-2">
            <KeyRound className={icon} aria-label="API key" />
            <Truncate text={caller.name ?? "Deleted key"} mono className="font-medium text-zinc-900" />
          </span>
          {caller.prefix && (
            <Badge mono title="The key's first characters">
              {caller.prefix}…
            </Badge>
          )}
          {caller.revoked && <Badge tone="red">revoked</Badge>}
        </span>
      );
    case "api_keys":
      return (
        <span className="flex min-w-0 items-center gap-2">
          <KeyRound className={icon} aria-hidden />
          <Truncate text={plural(caller.keys, "API key")} className="text-zinc-900" />
        </span>
      );
    case "user":
      return (
        <span className="flex min-w-0 items-center gap-2">
          <User className={icon} aria-label="Person" />
          <Truncate text={caller.name ?? "Deleted user"} className="text-zinc-900" />
        </span>
      );
    case "other":
      return (
        <span className="flex min-w-0 items-center gap-2">
          <Terminal className={icon} aria-hidden />
          <Truncate text="Quiver and the CLI" className="text-zinc-900" />
        </span>
      );
  }
}

function DeclaredConsumers({
  project,
  consumers,
}: {
  project: string;
  consumers: Usage["declaredConsumers"];
}) {
  return (
    <div className="flex flex-col gap-2 p-4">
      <h3 className="text-sm font-semibold text-zinc-900">Declared consumers</h3>
      {consumers.length === 0 ? (
        <p className="text-sm text-zinc-500">
          No consumer in the registry reads a feature service that includes this view.
        </p>
      ) : (
        <ul className="flex flex-col gap-2">
          {consumers.map((c) => (
            <li key={c.name} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1 text-sm">
              <Boxes className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
              <span className="min-w-0 max-w-full">
                <Truncate text={c.name} mono className="font-medium text-zinc-900">
                  <Link
                    href={href.consumer(project, c.name)}
                    className="hover:text-indigo-600 hover:underline"
                  >
                    {c.name}
                  </Link>
                </Truncate>
              </span>
              <Badge tone={c.kind === "model" ? "violet" : "blue"}>{c.kind}</Badge>
              <span className="min-w-0 text-xs text-zinc-500">
                through{" "}
                {c.via.map((v, i) => (
                  <span key={v} className="font-mono break-all">
                    {i > 0 && ", "}
                    <Link href={href.service(project, v)} className="text-indigo-600 hover:underline">
                      {v}
                    </Link>
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
