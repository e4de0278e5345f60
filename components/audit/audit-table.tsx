"use client";

import { ChevronDown, ChevronRight } from "lucide-react";
import { Fragment, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { ActorBadge } from "./actor-badge";
import { AuditDiff } from "./audit-diff";

export interface AuditRow {
  id: number;
  /** The project the entry was recorded in (instance log only); null for instance-level entries. */
  project?: string | null;
  actorKind: string;
  actorName: string;
  action: string;
  objectType: string;
  objectName: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

/**
 * Audit entries, newest first; a row with a before or after opens to show them side by side.
 * `showProject` adds the project column (the instance log, where entries of every project mix).
 */
export function AuditTable({ rows, showProject = false }: { rows: AuditRow[]; showProject?: boolean }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <Table aria-label="Audit log">
      <THead>
        <tr>
          <TH className="w-32">When</TH>
          <TH className="w-64">Who</TH>
          {showProject && <TH className="w-40">Project</TH>}
          <TH className="w-52">Action</TH>
          <TH>Object</TH>
          <TH className="w-24">
            <span className="sr-only">Changes</span>
          </TH>
        </tr>
      </THead>
      <TBody>
        {rows.map((r) => {
          const hasDiff = r.before != null || r.after != null;
          const isOpen = open.has(r.id);
          return (
            <Fragment key={r.id}>
              <TR data-testid="audit-row">
                <TD className="text-zinc-500 tabular-nums">
                  <RelativeTime date={r.createdAt} />
                </TD>
                <TD>
                  <ActorBadge kind={r.actorKind} name={r.actorName} />
                </TD>
                {showProject && (
                  <TD className="truncate text-[13px]">
                    {r.project ? (
                      <span className="font-mono" title={r.project}>
                        {r.project}
                      </span>
                    ) : (
                      <span className="text-zinc-400">instance</span>
                    )}
                  </TD>
                )}
                <TD className="truncate font-mono text-[13px]">{r.action}</TD>
                <TD>
                  <span className="flex min-w-0 items-center gap-1.5">
                    <Badge mono className="shrink-0">
                      {r.objectType}
                    </Badge>
                    <span className="truncate font-mono text-[13px]" title={r.objectName}>
                      {r.objectName}
                    </span>
                  </span>
                </TD>
                <TD className="text-right">
                  {hasDiff && (
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-expanded={isOpen}
                      aria-controls={`audit-diff-${r.id}`}
                      onClick={() => toggle(r.id)}
                    >
                      {isOpen ? (
                        <ChevronDown className="size-4" aria-hidden />
                      ) : (
                        <ChevronRight className="size-4" aria-hidden />
                      )}
                      Diff
                    </Button>
                  )}
                </TD>
              </TR>
              {isOpen && (
                <tr id={`audit-diff-${r.id}`}>
                  <td colSpan={showProject ? 6 : 5} className="border-b border-zinc-100 bg-white px-3 py-3">
                    <AuditDiff before={r.before} after={r.after} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </TBody>
    </Table>
  );
}
