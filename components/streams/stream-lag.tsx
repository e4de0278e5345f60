"use client";

import { useQuery } from "@tanstack/react-query";
import { Activity, CircleAlert } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { formatCount, humanizeSeconds, plural } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";

export type StreamLag = RouterOutputs["streamViews"]["lag"];
export type StreamLagRow = Extract<StreamLag, { available: true }>["views"][number];

/** How often the lag is read again. React Query does not poll a hidden tab, so a background tab costs nothing. */
export const LAG_POLL_MS = 3000;

/** The lag query, polled while the tab is visible (one view, or every view of the project). */
export function useStreamLag(project: string, name?: string) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.streamViews.lag.queryOptions({ project, ...(name ? { name } : {}) }),
    refetchInterval: LAG_POLL_MS,
    refetchIntervalInBackground: false,
  });
}

/** One word for a view's consumers: no stream, no group (no worker ran), caught up, behind. */
export function lagSummary(row: StreamLagRow): { tone: Tone; text: string } {
  if (!row.group) return { tone: "gray", text: row.streamExists ? "no consumer group" : "no stream yet" };
  if (row.group.lag === null) return { tone: "amber", text: `lag unknown · ${row.group.pending} pending` };
  if (row.group.lag === 0 && row.group.pending === 0) return { tone: "green", text: "caught up" };
  return { tone: "amber", text: `${formatCount(row.group.lag)} behind · ${row.group.pending} pending` };
}

export function LagBadge({ row }: { row: StreamLagRow | undefined }) {
  if (!row) return <span className="text-zinc-400">—</span>;
  const { tone, text } = lagSummary(row);
  return (
    <span data-testid={`lag-${row.name}`}>
      <Badge tone={tone}>{text}</Badge>
    </span>
  );
}

/** An idle consumer past this has probably stopped (the worker reads at least every few seconds). */
const IDLE_STALE_MS = 60_000;

/**
 * The consumer lag card of a stream view: the group's lag and pending entries, its consumers and
 * how long each has been idle, the watermark and the counters (applied, duplicates, late).
 */
export function StreamLagPanel({ project, name }: { project: string; name: string }) {
  const lag = useStreamLag(project, name);
  return (
    <Card
      id="lag"
      title="Consumer lag"
      description={`Read from Redis (XINFO) every ${LAG_POLL_MS / 1000} s while this tab is visible.`}
    >
      <div data-testid="stream-lag">
        {lag.isPending ? (
          <SkeletonTable rows={3} columns={2} />
        ) : lag.isError ? (
          <ErrorState error={lag.error} title="Could not read the lag" retry={() => lag.refetch()} />
        ) : !lag.data.available ? (
          <p
            role="status"
            className="flex items-start gap-2 text-sm text-amber-800"
            data-testid="lag-unavailable"
          >
            <CircleAlert className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden />
            <span className="min-w-0 wrap-anywhere">{lag.data.reason}</span>
          </p>
        ) : lag.data.views[0] ? (
          <LagDetails row={lag.data.views[0]} />
        ) : null}
      </div>
    </Card>
  );
}

function LagDetails({ row }: { row: StreamLagRow }) {
  const { tone, text } = lagSummary(row);
  const g = row.group;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Activity className="size-4 text-zinc-400" aria-hidden />
        <span data-testid="lag-summary">
          <Badge tone={tone}>{text}</Badge>
        </span>
      </div>
      {!g && (
        <p className="text-sm text-zinc-600" data-testid="lag-no-group">
          No consumer group yet: no worker has read this stream. Run{" "}
          <code className="font-mono text-[13px]">npx quiver stream-worker</code> to consume it
          {row.streamExists ? (
            "."
          ) : (
            <>
              {" "}
              (and <code className="font-mono text-[13px]">npx quiver demo-stream</code> to feed the demo's).
            </>
          )}
        </p>
      )}
      <DescriptionList>
        <Description label="Stream">
          {row.streamExists ? `${plural(row.streamLength, "entry", "entries")}` : "does not exist yet"}
        </Description>
        {g && (
          <>
            <Description label="Lag">
              <span data-testid="lag-value">{g.lag === null ? "unknown" : formatCount(g.lag)}</span>
            </Description>
            <Description label="Pending">
              <span data-testid="lag-pending">{formatCount(g.pending)}</span>
            </Description>
            <Description label="Last delivered">
              {g.lastDeliveredAt ? (
                <span className="flex min-w-0 items-center gap-2">
                  <RelativeTime date={g.lastDeliveredAt} />
                  <Truncate text={g.lastDeliveredId} mono className="text-zinc-500" />
                </span>
              ) : (
                <span className="text-zinc-400">nothing yet</span>
              )}
            </Description>
          </>
        )}
        <Description label="Watermark">
          {row.watermarkMs === null ? (
            <span className="text-zinc-400">no event yet</span>
          ) : (
            <span>
              <RelativeTime date={new Date(row.watermarkMs)} />
              {row.behindMs !== null && row.behindMs > 0 && (
                <span className="text-zinc-500">
                  {" "}
                  ({humanizeSeconds(Math.round(row.behindMs / 1000))} behind now)
                </span>
              )}
            </span>
          )}
        </Description>
        <Description label="Events">
          <span data-testid="lag-counters">
            {formatCount(row.applied)} applied · {formatCount(row.duplicates)} duplicates ·{" "}
            <span className={row.late > 0 ? "text-amber-700" : undefined}>
              {formatCount(row.late)} late, dropped
            </span>
          </span>
        </Description>
      </DescriptionList>
      {g && g.consumers.length > 0 && (
        <Table mobile="scroll">
          <THead>
            <tr>
              <TH>Consumer</TH>
              <TH className="w-20 text-right">Pending</TH>
              <TH className="w-24 text-right">Idle</TH>
            </tr>
          </THead>
          <TBody>
            {g.consumers.map((c) => (
              <TR key={c.name}>
                <TD>
                  <Truncate text={c.name} mono />
                </TD>
                <TD className="text-right tabular-nums">{c.pending}</TD>
                <TD
                  className={
                    c.idleMs > IDLE_STALE_MS ? "text-right text-amber-700" : "text-right text-zinc-600"
                  }
                >
                  {humanizeSeconds(Math.round(c.idleMs / 1000))}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      {g && g.consumers.length === 0 && (
        <p className="text-sm text-zinc-600">
          The group has no consumer: run{" "}
          <code className="font-mono text-[13px]">npx quiver stream-worker</code>.
        </p>
      )}
    </div>
  );
}
