"use client";

import { AlertTriangle, ArrowLeft, RefreshCw } from "lucide-react";
import Link from "next/link";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Spinner } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import type { RouterOutputs } from "@/trpc/types";

export type FeatureViewPlan = RouterOutputs["featureViews"]["plan"];

/** A diff value on one line: strings as they are, the rest as JSON. */
function show(value: unknown): string {
  if (value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

interface PlanScreenProps {
  project: string;
  plan: FeatureViewPlan;
  /** Which save is running, if one is. */
  saving: "save" | "rematerialize" | null;
  /** Why the caller cannot re-materialize (jobs.run), in plain words; null when they can. */
  rematerializeRefusal: string | null | undefined;
  onBack: () => void;
  onSave: (rematerialize: boolean) => void;
}

/**
 * What saving an edit of a view would break, shown before it is saved (featureViews.plan): the
 * breaking changes, the services and consumers they reach, whether the online values are dropped
 * and must be re-materialized, the per-field type checks, and every change. "Save and
 * re-materialize" saves and queues the run in one call.
 */
export function PlanScreen({ project, plan, saving, rematerializeRefusal, onBack, onSave }: PlanScreenProps) {
  const { rematerialization: remat } = plan;
  const casts = plan.typeChecks.filter((t) => t.match === "safe_cast");
  return (
    <section
      aria-label="Review breaking changes"
      data-testid="plan-screen"
      className="flex max-w-5xl flex-col gap-6"
    >
      <div className="flex items-start gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
        <AlertTriangle className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden />
        <div>
          <p className="font-medium">
            Saving v{plan.nextVersion ?? plan.baseVersion + 1} of {plan.name} breaks what reads it today.
          </p>
          <p className="mt-0.5">Review what changes and who is affected, then save or go back to the form.</p>
        </div>
      </div>

      <Card title="Breaking changes">
        <ul className="flex flex-col gap-1.5 text-sm" aria-label="Breaking changes">
          {plan.breaking.map((b) => (
            <li key={`${b.kind}:${b.feature ?? ""}`} className="flex items-start gap-2">
              <Badge tone="red">{b.kind.replace(/_/g, " ")}</Badge>
              <span className="text-zinc-800">{b.message}</span>
            </li>
          ))}
        </ul>
      </Card>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Affected services and consumers">
          {plan.affectedServices.length === 0 ? (
            <p className="text-sm text-zinc-500">No feature service reads this view.</p>
          ) : (
            <ul className="flex flex-col gap-2 text-sm" aria-label="Affected services">
              {plan.affectedServices.map((s) => (
                <li key={s.name}>
                  <div className="flex items-center gap-2">
                    <Link
                      href={href.service(project, s.name)}
                      className="font-mono text-indigo-600 hover:underline"
                    >
                      {s.name}
                    </Link>
                    {s.broken ? <Badge tone="red">breaks</Badge> : <Badge tone="green">still served</Badge>}
                  </div>
                  <p className="text-xs text-zinc-500">
                    reads {s.features.join(", ")}
                    {s.consumers.length > 0 && (
                      <>
                        {" · read by "}
                        {s.consumers.map((c, i) => (
                          <span key={c}>
                            {i > 0 && ", "}
                            <Link
                              href={href.consumer(project, c)}
                              className="font-mono text-indigo-600 hover:underline"
                            >
                              {c}
                            </Link>
                          </span>
                        ))}
                      </>
                    )}
                  </p>
                </li>
              ))}
            </ul>
          )}
          {plan.affectedConsumers.length > 0 && (
            <p className="mt-3 text-xs text-zinc-600" data-testid="affected-consumers">
              Consumers affected: {plan.affectedConsumers.join(", ")}
            </p>
          )}
        </Card>

        <Card title="Re-materialization">
          <p className="text-sm font-medium text-zinc-900" data-testid="rematerialization">
            {remat.needed ? "Needed" : "Not needed"}
            {remat.clearsOnlineValues && ": saving drops the online values and resets the watermark"}
          </p>
          {remat.reasons.length > 0 && (
            <ul className="mt-2 list-disc pl-5 text-sm text-zinc-700">
              {remat.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          {remat.clearsOnlineValues && (
            <p className="mt-2 text-xs text-zinc-500">
              Until a run fills them again, the retrieval API answers NOT_FOUND for this view.
            </p>
          )}
        </Card>
      </div>

      <Card
        title="Type checks"
        description={
          casts.length > 0
            ? `${casts.length} field${casts.length === 1 ? "" : "s"} read through a safe cast.`
            : "Every field matches its source column's type."
        }
        padded={false}
      >
        <Table>
          <THead>
            <tr>
              <TH className="w-[22%]">Feature</TH>
              <TH className="w-[22%]">Column</TH>
              <TH className="w-28">Declared</TH>
              <TH>Column type</TH>
              <TH className="w-[24%]">Check</TH>
            </tr>
          </THead>
          <TBody>
            {plan.typeChecks.map((t) => (
              <TR key={t.field}>
                <TD className="font-mono text-[13px]">{t.field}</TD>
                <TD className="font-mono text-[13px] text-zinc-600">{t.column}</TD>
                <TD className="font-mono text-[13px]">{t.dtype}</TD>
                <TD className="font-mono text-[13px] text-zinc-600">{t.columnType}</TD>
                <TD>
                  {t.match === "exact" ? (
                    <Badge tone="green">exact</Badge>
                  ) : (
                    <span className="flex items-center gap-1.5">
                      <Badge tone="amber">safe cast</Badge>
                      {t.cast && <span className="font-mono text-xs text-zinc-600">{t.cast}</span>}
                    </span>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </Card>

      <Card title="All changes" padded={false}>
        <Table>
          <THead>
            <tr>
              <TH className="w-[30%]">What</TH>
              <TH className="w-24">Change</TH>
              <TH>Before</TH>
              <TH>After</TH>
            </tr>
          </THead>
          <TBody>
            {plan.changes.map((c) => (
              <TR key={`${c.kind}:${c.path}`}>
                <TD className="font-mono text-[13px]">{c.path}</TD>
                <TD>{c.kind}</TD>
                <TD className="truncate font-mono text-xs text-zinc-600" title={show(c.before)}>
                  {show(c.before)}
                </TD>
                <TD className="truncate font-mono text-xs text-zinc-900" title={show(c.after)}>
                  {show(c.after)}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </Card>

      <div className="sticky bottom-0 -mx-1 flex items-center justify-end gap-3 border-t border-zinc-200 bg-white/95 px-1 py-3 backdrop-blur">
        <Button variant="ghost" className="mr-auto" disabled={saving !== null} onClick={onBack}>
          <ArrowLeft className="size-4" aria-hidden />
          Back
        </Button>
        <Button disabled={saving !== null} onClick={() => onSave(false)}>
          {saving === "save" && <Spinner className="size-3.5" label="Saving" />}
          Save
        </Button>
        <Button
          variant="primary"
          disabled={saving !== null || rematerializeRefusal !== null}
          title={rematerializeRefusal ?? undefined}
          onClick={() => onSave(true)}
        >
          {saving === "rematerialize" ? (
            <Spinner className="size-3.5 text-white" label="Saving" />
          ) : (
            <RefreshCw className="size-4" aria-hidden />
          )}
          Save and re-materialize
        </Button>
      </div>
      {rematerializeRefusal && (
        <p className="-mt-4 text-right text-xs text-zinc-500">{rematerializeRefusal}</p>
      )}
    </section>
  );
}
