"use client";

import { useQuery } from "@tanstack/react-query";
import { FlaskConical, Lock } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { useOfflineRows } from "@/components/objects/offline-preview";
import { exampleKeys, type JoinKey, keysText, parseKeys } from "@/components/objects/online-keys";
import { PreviewTable, valueText } from "@/components/objects/preview-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Input } from "@/components/ui/input";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { exampleRequestValue, requestContextOf, requestValueText } from "./on-demand-inputs";
import { answerColumns, reasonsOf } from "./try-it-answer";

type View = RouterOutputs["onDemandViews"]["get"];

const STATUS_TONE = { NULL_VALUE: "gray", NOT_FOUND: "amber", OUTSIDE_MAX_AGE: "red" } as const;

/**
 * "Try it": a real get-online-features call for the view's features, with entity keys and request
 * values typed here (keys prefilled from the first input view's offline rows). Shows the inputs
 * read, the computed values, their statuses and why a value is null (`metadata.reasons`).
 */
export function TryIt({
  project,
  view,
  joinKeys,
  sampleView,
  ready,
}: {
  project: string;
  view: View;
  joinKeys: JoinKey[];
  sampleView: string | undefined;
  /** The views and entities that give the join keys have loaded. */
  ready: boolean;
}) {
  const { can, role } = useProjectRole(project);
  return (
    <Card
      title="Try it"
      description="Compute the features now: the same online lookup a client makes, with your keys and request values."
      id="try-it"
    >
      <div data-testid="try-it">
        {role === undefined || !ready ? (
          <SkeletonTable rows={2} columns={3} />
        ) : !can("values.read") ? (
          <EmptyState
            icon={Lock}
            title="Trying it needs the consumer role"
            description="Your role sees definitions only; the fetch example below shows how a consumer's API key computes them."
            className="py-8"
          />
        ) : (
          <TryForm project={project} view={view} joinKeys={joinKeys} sampleView={sampleView} />
        )}
      </div>
    </Card>
  );
}

function TryForm({
  project,
  view,
  joinKeys,
  sampleView,
}: {
  project: string;
  view: View;
  joinKeys: JoinKey[];
  sampleView: string | undefined;
}) {
  const trpc = useTRPC();
  const id = useId();
  const rows = useOfflineRows(project, sampleView ? { kind: "view", name: sampleView } : undefined);
  const examples =
    sampleView && rows.query.isPending ? undefined : exampleKeys(joinKeys, rows.query.data ?? undefined);
  const [keyDraft, setKeyDraft] = useState<Record<string, string> | undefined>();
  const [request, setRequest] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      view.spec.requestFields.map((f) => [f.name, requestValueText(exampleRequestValue(f.dtype))]),
    ),
  );
  const [submitted, setSubmitted] = useState<
    { entities: Record<string, string[]>; request_context: Record<string, unknown[]> } | undefined
  >();
  const [problem, setProblem] = useState<string | undefined>();
  const keys =
    keyDraft ??
    (examples
      ? Object.fromEntries(joinKeys.map((k) => [k.name, keysText(examples.entities[k.name] ?? [])]))
      : undefined);

  const features = [...view.spec.fields.map((f) => `${view.name}:${f.name}`), ...view.spec.inputs];
  const lookup = useQuery({
    ...trpc.serving.getOnlineFeatures.queryOptions({
      project,
      features,
      full_feature_names: true,
      entities: submitted?.entities ?? {},
      request_context: submitted?.request_context ?? {},
    }),
    enabled: submitted !== undefined,
    retry: false,
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseKeys(joinKeys, keys ?? {});
    if ("error" in parsed) return setProblem(parsed.error);
    const n = Object.values(parsed.entities)[0]?.length ?? 1;
    const context = requestContextOf(view.spec.requestFields, request, n);
    if ("error" in context) return setProblem(context.error);
    setProblem(undefined);
    setSubmitted({ entities: parsed.entities, request_context: context.requestContext });
  }

  if (!keys) return <SkeletonTable rows={2} columns={3} />;
  return (
    <div className="flex flex-col gap-3">
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" aria-label="Try it">
        {joinKeys.map((k) => (
          <label
            key={k.name}
            htmlFor={`${id}-key-${k.name}`}
            className="flex min-w-40 flex-1 flex-col gap-1 text-xs"
          >
            <span className="font-mono text-zinc-600">
              {k.name} <span className="text-zinc-500">({k.valueType}, comma-separated)</span>
            </span>
            <Input
              id={`${id}-key-${k.name}`}
              value={keys[k.name] ?? ""}
              onChange={(e) => setKeyDraft({ ...keys, [k.name]: e.target.value })}
              className="font-mono"
              data-testid={`try-key-${k.name}`}
            />
          </label>
        ))}
        {view.spec.requestFields.map((f) => (
          <label
            key={f.name}
            htmlFor={`${id}-req-${f.name}`}
            className="flex min-w-32 flex-1 flex-col gap-1 text-xs"
          >
            <span className="font-mono text-zinc-600">
              request.{f.name} <span className="text-zinc-500">({f.dtype})</span>
            </span>
            <Input
              id={`${id}-req-${f.name}`}
              value={request[f.name] ?? ""}
              onChange={(e) => setRequest({ ...request, [f.name]: e.target.value })}
              className="font-mono"
              data-testid={`try-request-${f.name}`}
            />
          </label>
        ))}
        <Button type="submit" size="sm" data-testid="try-run">
          <FlaskConical className="size-3.5" aria-hidden />
          Compute
        </Button>
      </form>
      {problem && (
        <p role="alert" className="text-xs text-red-700">
          {problem}
        </p>
      )}
      {examples && !examples.real && !submitted && joinKeys.length > 0 && (
        <p className="text-xs text-zinc-500">
          No offline rows to take keys from: the keys above are examples.
        </p>
      )}
      {!submitted ? (
        <p className="text-xs text-zinc-500">
          Each request value is sent for every entity row. Type <code className="font-mono">null</code> to see
          how a missing value reads.
        </p>
      ) : lookup.isPending ? (
        <SkeletonTable rows={2} columns={3} />
      ) : lookup.isError ? (
        <ErrorState error={lookup.error} title="The lookup failed" retry={() => lookup.refetch()} />
      ) : (
        <TryAnswer answer={lookup.data} view={view} keyCount={joinKeys.length} />
      )}
    </div>
  );
}

type Answer = RouterOutputs["serving"]["getOnlineFeatures"];

function TryAnswer({ answer, view, keyCount }: { answer: Answer; view: View; keyCount: number }) {
  const columns = answerColumns(answer.metadata.feature_names, view, keyCount);
  const n = answer.results[0]?.values.length ?? 0;
  const rows = Array.from({ length: n }, (_, r) => answer.results.map((c) => c.values[r]));
  const reasons = reasonsOf(answer, columns, keyCount);
  return (
    <div className="flex flex-col gap-2" data-testid="try-answer">
      <PreviewTable
        label="Computed values"
        columns={columns.map((c) => ({ name: c.label, type: c.type, role: c.role }))}
        rows={rows}
        cell={(value, r, c) => {
          if (c < keyCount) return valueText(value);
          const status = answer.results[c]?.statuses[r] ?? "PRESENT";
          if (status === "PRESENT")
            return <span data-testid={`try-value-${columns[c]?.label}`}>{valueText(value)}</span>;
          return (
            <Badge tone={STATUS_TONE[status as keyof typeof STATUS_TONE] ?? "gray"} mono>
              {status}
            </Badge>
          );
        }}
      />
      {reasons.length > 0 && (
        <div
          className="rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-xs"
          data-testid="try-reasons"
        >
          <p className="mb-1 font-medium text-zinc-700">Why values are null</p>
          <ul className="flex flex-col gap-0.5 font-mono text-zinc-700">
            {reasons.map((r) => (
              <li key={`${r.feature}:${r.row}`} className="wrap-anywhere">
                {r.feature} (row {r.row + 1}
                {r.key ? `, ${r.key}` : ""}): {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
