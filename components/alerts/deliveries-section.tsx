"use client";

import { useQuery } from "@tanstack/react-query";
import { Send } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Pagination } from "@/components/ui/pagination";
import { Section } from "@/components/ui/section";
import { Select } from "@/components/ui/select";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import {
  DELIVERY_EVENTS,
  DELIVERY_STATUSES,
  type DeliveryEvent,
  type DeliveryStatus,
} from "@/server/core/vocabulary";
import { useTRPC } from "@/trpc/client";
import { DeliveryStatusBadge, EVENT_LABEL, UtcTime } from "./alert-words";
import { ALERTS_REFRESH_MS } from "./incidents-table";

const PAGE_SIZE = 25;

/** The delivery log: every webhook call Quiver made or will retry, newest first, filterable. */
export function DeliveriesSection({ project }: { project: string }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const [event, setEvent] = useState<DeliveryEvent | "">("");
  const deliveries = useQuery({
    ...trpc.alerts.deliveries.list.queryOptions({
      project,
      status: status || undefined,
      event: event || undefined,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    }),
    refetchInterval: ALERTS_REFRESH_MS,
  });
  const filtered = Boolean(status || event);
  return (
    <Section
      title="Deliveries"
      description="Each webhook call: the event, its view, how it went, the attempts made and the receiver's status code."
      actions={
        <>
          <Select
            aria-label="Status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as DeliveryStatus | "");
              setPage(1);
            }}
            className="h-8 w-36"
          >
            <option value="">Any status</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
          <Select
            aria-label="Event"
            value={event}
            onChange={(e) => {
              setEvent(e.target.value as DeliveryEvent | "");
              setPage(1);
            }}
            className="h-8 w-36"
          >
            <option value="">Any event</option>
            {DELIVERY_EVENTS.map((s) => (
              <option key={s} value={s}>
                {EVENT_LABEL[s]}
              </option>
            ))}
          </Select>
        </>
      }
    >
      {deliveries.isPending ? (
        <SkeletonTable rows={4} columns={7} />
      ) : deliveries.isError ? (
        <ErrorState
          error={deliveries.error}
          title="Could not load deliveries"
          retry={() => deliveries.refetch()}
        />
      ) : deliveries.data.deliveries.length === 0 ? (
        <EmptyState
          icon={Send}
          title={filtered ? "No delivery matches these filters" : "No deliveries yet"}
          description={
            filtered
              ? "Clear the filters to see every delivery."
              : "A delivery is logged when a rule's event happens: a view entering breach, a failed run, a recovery, drift, or a test."
          }
        />
      ) : (
        <div className="flex flex-col gap-3">
          <Table aria-label="Deliveries">
            <THead>
              <tr>
                <TH className="w-44">Time (UTC)</TH>
                <TH className="w-[18%]">Rule</TH>
                <TH className="w-28">Event</TH>
                <TH>View</TH>
                <TH className="w-28">Status</TH>
                <TH className="w-20 text-right">Attempts</TH>
                <TH className="w-24 text-right">Response</TH>
              </tr>
            </THead>
            <TBody>
              {deliveries.data.deliveries.map((d) => (
                <TR key={d.id} data-testid={`delivery-${d.event}-${d.rule}`} data-status={d.status}>
                  <TD>
                    <UtcTime date={d.createdAt} />
                  </TD>
                  <TD className="font-medium text-zinc-900">
                    <Truncate text={d.rule} />
                  </TD>
                  <TD>{EVENT_LABEL[d.event]}</TD>
                  <TD className="font-mono text-[13px]">
                    {d.featureView ? (
                      <Truncate text={d.featureView} />
                    ) : (
                      <span className="text-zinc-400">—</span>
                    )}
                  </TD>
                  <TD>
                    <span title={d.lastError ?? undefined}>
                      <DeliveryStatusBadge status={d.status} />
                    </span>
                  </TD>
                  <TD className="text-right tabular-nums">{d.attempts}</TD>
                  <TD className="text-right font-mono tabular-nums" title={d.lastError ?? undefined}>
                    {d.responseCode ?? <span className="text-zinc-400">—</span>}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <Pagination page={page} pageSize={PAGE_SIZE} total={deliveries.data.total} onPage={setPage} />
        </div>
      )}
    </Section>
  );
}
