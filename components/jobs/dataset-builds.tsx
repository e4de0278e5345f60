"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleAlert, CircleSlash } from "lucide-react";
import Link from "next/link";
import { Fragment } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { BuildProgressBar, DatasetStatusBadge } from "@/components/datasets/dataset-status";
import { datasetHref } from "@/components/datasets/links";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { formatCount, plural } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { ConfirmCancel } from "./confirm-cancel";
import { LiveIndicator } from "./live-indicator";
import { formatDuration, runDurationSeconds } from "./run-format";

type Build = RouterOutputs["datasets"]["list"]["items"][number];

/** How often the list refreshes while a build is queued or building. */
const ACTIVE_REFRESH_MS = 2000;

const isActive = (status: string) => status === "queued" || status === "building";

/**
 * Saved datasets' builds beside the materialization runs (`data-testid="build-row"`,
 * `data-status`): status, rows built of the total, timings, the error in full under a failed
 * row, and Cancel on active builds for editors. The name opens the dataset's page.
 */
export function DatasetBuilds({ project }: { project: string }) {
  const trpc = useTRPC();
  const canWrite = useProjectRole(project).can("definitions.write");
  const builds = useQuery({
    ...trpc.datasets.list.queryOptions({ project }),
    refetchInterval: (q) => (q.state.data?.items.some((d) => isActive(d.status)) ? ACTIVE_REFRESH_MS : false),
  });
  const items = builds.data?.items ?? [];
  if (items.length === 0) return null;
  const active = items.filter((d) => isActive(d.status)).length;
  const columns = 7 + (canWrite ? 1 : 0);

  return (
    <section className="mt-10" aria-labelledby="dataset-builds">
      <div className="mb-3 flex items-center gap-3">
        <h2 id="dataset-builds" className="text-base font-semibold text-zinc-900">
          Dataset builds
        </h2>
        {active > 0 && <LiveIndicator label={`${plural(active, "build")} in progress`} />}
      </div>
      <Table>
        <THead>
          <tr>
            <TH>Dataset</TH>
            <TH className="w-24">Entities</TH>
            <TH className="w-28">Status</TH>
            <TH className="w-44">Rows built</TH>
            <TH className="w-24">Duration</TH>
            <TH className="w-28">Created by</TH>
            <TH className="w-24">Created</TH>
            {canWrite && (
              <TH className="w-32">
                <span className="sr-only">Actions</span>
              </TH>
            )}
          </tr>
        </THead>
        <TBody>
          {items.map((d) => {
            const seconds = runDurationSeconds(d);
            const cell = d.error ? "border-b-0" : undefined;
            return (
              <Fragment key={d.id}>
                <TR data-testid="build-row" data-status={d.status} data-dataset={d.name}>
                  <TD className={cell}>
                    <Truncate text={d.name}>
                      <Link
                        href={datasetHref.detail(project, d.name)}
                        className="font-mono text-[13px] font-medium text-zinc-900 hover:text-indigo-600"
                      >
                        {d.name}
                      </Link>
                    </Truncate>
                  </TD>
                  <TD className={cell}>
                    <Badge tone="gray">{d.entitySourceKind}</Badge>
                  </TD>
                  <TD className={cell}>
                    <DatasetStatusBadge status={d.status} />
                  </TD>
                  <TD className={cn("tabular-nums", cell)}>
                    <Progress build={d} />
                  </TD>
                  {/* A building dataset's duration grows between the server's render and the browser's. */}
                  <TD className={cn("tabular-nums", cell)} suppressHydrationWarning>
                    {seconds === null ? <span className="text-zinc-400">—</span> : formatDuration(seconds)}
                  </TD>
                  <TD className={cell}>
                    <Truncate text={d.createdBy} className="text-zinc-600" />
                  </TD>
                  <TD className={cn("text-zinc-500", cell)}>
                    <RelativeTime date={d.createdAt} />
                  </TD>
                  {canWrite && (
                    <TD className={cn("text-right", cell)}>
                      {isActive(d.status) && <CancelBuildButton project={project} name={d.name} />}
                    </TD>
                  )}
                </TR>
                {d.error && (
                  <tr data-testid="build-detail" className="[&:last-child>td]:border-b-0">
                    <td colSpan={columns} className="border-b border-zinc-100 px-3 pt-0 pb-2.5">
                      <p
                        className={cn(
                          "flex min-w-0 items-start gap-1.5 text-xs",
                          d.status === "cancelled" ? "text-zinc-600" : "text-red-700",
                        )}
                      >
                        {d.status === "cancelled" ? (
                          <CircleSlash className="mt-px size-3.5 shrink-0" aria-hidden />
                        ) : (
                          <CircleAlert className="mt-px size-3.5 shrink-0" aria-hidden />
                        )}
                        <span className="min-w-0 font-mono break-words whitespace-pre-wrap">{d.error}</span>
                      </p>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </TBody>
      </Table>
    </section>
  );
}

/** "1,200 / 5,000", and the Datasets pages' bar while the build is active. */
function Progress({ build }: { build: Build }) {
  const { rowsDone, rowsTotal } = build;
  return (
    <span className="flex flex-col gap-1">
      <span>
        {formatCount(rowsDone)}
        {rowsTotal !== null && <span className="text-zinc-500"> / {formatCount(rowsTotal)}</span>}
      </span>
      {isActive(build.status) && (
        <BuildProgressBar rowsDone={rowsDone} rowsTotal={rowsTotal} className="h-1" />
      )}
    </span>
  );
}

/** "Cancel…", then "Cancel build" / "Keep"; a build in progress stops at its next slice. */
function CancelBuildButton({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.datasets.cancel.mutationOptions());
  return (
    <ConfirmCancel
      what="build"
      testId="cancel-build"
      cancel={() =>
        cancel
          .mutateAsync({ project, name })
          .finally(() => queryClient.invalidateQueries(trpc.datasets.pathFilter()))
      }
    />
  );
}
