"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { FileClock, SearchX } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { AuditFilterBar } from "@/components/audit/audit-filters";
import {
  auditPaging,
  instanceAuditHref,
  instanceAuditInput,
  readInstanceAuditFilters,
} from "@/components/audit/audit-params";
import { AuditTable } from "@/components/audit/audit-table";
import { Button, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { plural } from "@/components/ui/format";
import { Input } from "@/components/ui/input";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { AdminsOnly, isForbidden } from "./admins-only";

/** The instance's audit log for administrators: filtered by the URL, older entries on demand. */
export function InstanceAuditList() {
  const trpc = useTRPC();
  const filters = readInstanceAuditFilters(useSearchParams());
  const log = useInfiniteQuery(
    trpc.admin.audit.infiniteQueryOptions(instanceAuditInput(filters), auditPaging),
  );
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filters).length > 0;
  const olderError = log.isFetchNextPageError ? log.error : null;

  if (isForbidden(log.error)) return <AdminsOnly title="Instance audit log" />;

  return (
    <PageBody>
      <PageHeader
        title="Instance audit log"
        description="Sign-ins, failed sign-ins, accounts and administrators, and every project's changes, with who made them. Entries cannot be edited or deleted."
      />
      <AuditFilterBar
        filters={filters}
        hrefFor={(f) => instanceAuditHref(readInstanceAuditFilters(new URLSearchParams(f)))}
      >
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-project" className="text-xs font-medium text-zinc-600">
            Project
          </label>
          <Input
            id="audit-project"
            name="project"
            defaultValue={filters.project ?? ""}
            placeholder="any"
            className="w-36 font-mono text-[13px]"
          />
        </div>
        <label className="flex h-8 items-center gap-2 text-sm text-zinc-700">
          <input
            type="checkbox"
            name="scope"
            value="instance"
            defaultChecked={filters.scope === "instance"}
            className="size-4 rounded border-zinc-300 accent-indigo-600"
          />
          No project only
        </label>
      </AuditFilterBar>
      {log.isPending ? (
        <SkeletonTable rows={8} columns={6} />
      ) : log.isError ? (
        <ErrorState error={log.error} title="Could not load the audit log" retry={() => log.refetch()} />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState
            icon={SearchX}
            title="No entries match these filters"
            action={<ButtonLink href={instanceAuditHref()}>Clear filters</ButtonLink>}
          />
        ) : (
          <EmptyState
            icon={FileClock}
            title="Nothing recorded yet"
            description="Sign-ins, new accounts and every project's changes appear here as they happen."
          />
        )
      ) : (
        <>
          <AuditTable rows={rows} showProject />
          <div className="mt-4 flex items-center gap-3">
            <span className="text-sm text-zinc-500 tabular-nums" aria-live="polite">
              {plural(rows.length, "entry", "entries")}
              {log.hasNextPage ? " shown" : ""}
            </span>
            {log.hasNextPage && (
              <Button onClick={() => log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                {log.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            )}
          </div>
          {olderError && (
            <ErrorState className="mt-3" error={olderError} title="Could not load older entries" />
          )}
        </>
      )}
    </PageBody>
  );
}
