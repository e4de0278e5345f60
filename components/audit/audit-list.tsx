"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { FileClock, Lock, SearchX } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { Button, ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { plural } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { AuditFilterBar } from "./audit-filters";
import { auditHref, auditInput, auditPaging, readAuditFilters } from "./audit-params";
import { AuditTable } from "./audit-table";

function isForbidden(error: unknown): boolean {
  return error instanceof TRPCClientError && error.data?.code === "FORBIDDEN";
}

/** The project's audit log, newest first, filtered by the URL, older entries on demand. */
export function AuditList({ project }: { project: string }) {
  const trpc = useTRPC();
  const filters = readAuditFilters(useSearchParams());
  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(auditInput(project, filters), auditPaging),
  );
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filters).length > 0;
  const olderError = log.isFetchNextPageError ? log.error : null;

  if (isForbidden(log.error))
    return (
      <PageBody>
        <PageHeader title="Audit log" />
        <EmptyState
          icon={Lock}
          title="Only project owners can read the audit log"
          description="Ask an owner of this project if you need to know who changed what."
        />
      </PageBody>
    );

  return (
    <PageBody>
      <PageHeader
        title="Audit log"
        description="Every change of a definition, job, member and API key in this project, and who made it. Entries cannot be edited or deleted."
      />
      <AuditFilterBar
        filters={filters}
        hrefFor={(f) => auditHref(project, readAuditFilters(new URLSearchParams(f)))}
      />
      {log.isPending ? (
        <SkeletonTable rows={8} columns={5} />
      ) : log.isError ? (
        <ErrorState error={log.error} title="Could not load the audit log" retry={() => log.refetch()} />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState
            icon={SearchX}
            title="No entries match these filters"
            action={<ButtonLink href={auditHref(project)}>Clear filters</ButtonLink>}
          />
        ) : (
          <EmptyState
            icon={FileClock}
            title="Nothing recorded yet"
            description="Changes to definitions, job starts, members and API keys appear here as they happen."
          />
        )
      ) : (
        <>
          <AuditTable rows={rows} />
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
