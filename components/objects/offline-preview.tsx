"use client";

import { useQuery } from "@tanstack/react-query";
import { DatabaseZap, Lock } from "lucide-react";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { errorMessage } from "@/components/ui/error-state";
import { Select } from "@/components/ui/select";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { PreviewTable } from "./preview-table";

/** What to preview: a source's rows, or a view's (or one feature's) columns of them. */
export type OfflineTarget =
  | { kind: "source"; name: string }
  | { kind: "view"; name: string; feature?: string };

const LIMITS = [10, 20, 50, 100] as const;

/** The offline rows query of a target (shared by the panels: one request per page and limit). */
export function useOfflineRows(project: string, target: OfflineTarget | undefined, limit = 20) {
  const trpc = useTRPC();
  const { can, role } = useProjectRole(project);
  const allowed = can("values.read");
  const source = useQuery({
    ...trpc.sources.preview.queryOptions({ project, name: target?.name ?? "", limit }),
    enabled: allowed && target?.kind === "source",
    retry: false,
  });
  const view = useQuery({
    ...trpc.featureViews.preview.queryOptions({
      project,
      name: target?.name ?? "",
      limit,
      ...(target?.kind === "view" && target.feature ? { feature: target.feature } : {}),
    }),
    enabled: allowed && target?.kind === "view",
    retry: false,
  });
  return { allowed, roleKnown: role !== undefined, query: target?.kind === "source" ? source : view };
}

/**
 * "Offline rows": the first rows of the source (for a view or feature, projected to its columns),
 * read as the project's offline reader with a time limit. Rows are values: consumers and up.
 */
export function OfflinePreview({ project, target }: { project: string; target: OfflineTarget }) {
  const [limit, setLimit] = useState<number>(20);
  const { allowed, roleKnown, query } = useOfflineRows(project, target, limit);
  return (
    <Card
      title="Offline rows"
      description={
        target.kind === "source"
          ? "The source's first rows, as the project's offline reader sees them (read-only, with a time limit)."
          : "The source's first rows, cut to this object's join keys, event time and feature columns."
      }
      actions={
        allowed && (
          <span className="flex items-center gap-2 text-xs text-zinc-500">
            <span aria-hidden>Rows</span>
            <Select
              value={limit}
              onChange={(e) => setLimit(Number(e.target.value))}
              className="h-7 w-20 text-xs"
              aria-label="Rows to show"
            >
              {LIMITS.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
          </span>
        )
      }
      id="offline-rows"
    >
      <div data-testid="offline-preview">
        {!roleKnown ? (
          <SkeletonTable rows={3} columns={4} />
        ) : !allowed ? (
          <EmptyState
            icon={Lock}
            title="Offline rows are feature values"
            description="Reading them needs the consumer role or higher in this project; your role sees definitions only. The columns and their types are listed with the definition."
            className="py-8"
          />
        ) : query.isPending ? (
          <SkeletonTable rows={4} columns={5} />
        ) : query.isError ? (
          <SourceProblem error={query.error} retry={() => query.refetch()} />
        ) : query.data.rows.length === 0 ? (
          <EmptyState
            icon={DatabaseZap}
            title="The source has no rows"
            description="Nothing to show yet: load rows into the table (or push them) and they appear here."
            className="py-8"
          />
        ) : (
          <div className="flex flex-col gap-2">
            <PreviewTable columns={query.data.columns} rows={query.data.rows} label="Offline rows" />
            <p className="text-xs text-zinc-500">
              {query.data.rows.length} row{query.data.rows.length === 1 ? "" : "s"}, in the order the database
              reads them; times are UTC.
            </p>
          </div>
        )}
      </div>
    </Card>
  );
}

/** The source could not be read: the server's own words (they name the problem, never a value). */
export function SourceProblem({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <div
      role="alert"
      data-testid="source-problem"
      className="flex flex-col gap-2 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900"
    >
      <p className="font-medium">The source cannot be read</p>
      <p className="font-mono text-xs wrap-anywhere">{errorMessage(error)}</p>
      <div>
        <Button size="sm" variant="secondary" onClick={retry}>
          Try again
        </Button>
      </div>
    </div>
  );
}
