"use client";

import { CalendarRange, CircleAlert, Pencil, Play, Trash2 } from "lucide-react";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { serverError } from "@/components/forms/form-errors";
import { Button, ButtonLink } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";
import { BackfillDialog } from "./backfill-dialog";
import { DeleteTransformationDialog } from "./delete-transformation-dialog";
import { nextRunWords } from "./run-words";
import { useStartRun } from "./use-start-run";

interface TransformationActionsProps {
  project: string;
  name: string;
  incremental: boolean;
  notIncremental: string[];
  computedUntil: Date | null;
}

/**
 * The page header's buttons: Edit and Delete for editors, Run and Backfill for operators (roles
 * that cannot act do not see them; the server refuses anyway). Run starts an incremental run from
 * the watermark, or a full refresh when the SQL or the state asks for one (the server decides).
 */
export function TransformationActions(props: TransformationActionsProps) {
  const { project, name, incremental, notIncremental, computedUntil } = props;
  const { can } = useProjectRole(project);
  const { run } = useStartRun(project, name);
  const [open, setOpen] = useState<"backfill" | "delete" | null>(null);
  const close = () => setOpen(null);
  const runError = run.error ? serverError(run.error).message : null;
  return (
    <div className="flex flex-col items-end gap-1.5">
      <div className="flex flex-wrap items-center justify-end gap-2">
        {can("jobs.run") && (
          <>
            <Button
              size="sm"
              variant="primary"
              data-testid="run-transformation"
              title={`Run: ${nextRunWords({ incremental, computedUntil })}`}
              disabled={run.isPending}
              // A SQL that cannot run incrementally asks for a full refresh, which the server requires.
              onClick={() => run.mutate({ project, name, mode: incremental ? "incremental" : "full" })}
            >
              {run.isPending ? (
                <Spinner className="size-3.5 text-white" label="Starting" />
              ) : (
                <Play className="size-3.5" aria-hidden />
              )}
              Run
            </Button>
            <Button size="sm" data-testid="backfill-transformation" onClick={() => setOpen("backfill")}>
              <CalendarRange className="size-3.5" aria-hidden />
              Backfill…
            </Button>
          </>
        )}
        {can("definitions.write") && (
          <>
            <ButtonLink
              size="sm"
              href={href.editTransformation(project, name)}
              data-testid="edit-transformation"
            >
              <Pencil className="size-3.5" aria-hidden />
              Edit
            </ButtonLink>
            <Button size="sm" variant="ghost" aria-label={`Delete ${name}`} onClick={() => setOpen("delete")}>
              <Trash2 className="size-3.5 text-red-600" aria-hidden />
              <span className="text-red-700">Delete</span>
            </Button>
          </>
        )}
      </div>
      {runError && (
        <p role="alert" className="flex max-w-md items-start gap-1.5 text-xs text-red-700">
          <CircleAlert className="mt-px size-3.5 shrink-0" aria-hidden />
          <span className="min-w-0 wrap-anywhere">{runError}</span>
        </p>
      )}
      {open === "backfill" && (
        <BackfillDialog project={project} name={name} notIncremental={notIncremental} onClose={close} />
      )}
      {open === "delete" && <DeleteTransformationDialog project={project} name={name} onClose={close} />}
    </div>
  );
}
