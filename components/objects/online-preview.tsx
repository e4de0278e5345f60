"use client";

import { useQuery } from "@tanstack/react-query";
import { Lock, Search } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import type { OnlineSelection } from "@/components/datasets/fetch-snippets";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { SkeletonTable } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { useOfflineRows } from "./offline-preview";
import { exampleKeys, type JoinKey, keysText, parseKeys } from "./online-keys";
import { PreviewTable, valueText } from "./preview-table";

/** One thing whose online values can be looked up: a feature, a service, a view using an entity. */
export interface OnlineChoice {
  /** Shown in the picker when there are several. */
  label: string;
  selection: OnlineSelection;
  joinKeys: JoinKey[];
  /** The view whose offline rows give example keys. */
  sampleView: string;
}

const STATUS_TONE = { NULL_VALUE: "gray", NOT_FOUND: "amber", OUTSIDE_MAX_AGE: "red" } as const;

/**
 * "Online values": a real get-online-features lookup for a few entity keys, prefilled from the
 * offline rows and editable. Values are read with the caller's own role (consumer and up).
 */
export function OnlinePreview({ project, choices }: { project: string; choices: OnlineChoice[] }) {
  const [picked, setPicked] = useState(0);
  const choice = choices[picked] ?? choices[0];
  const { can, role } = useProjectRole(project);
  return (
    <Card
      title="Online values"
      description="The latest values the retrieval API serves now, for a few entity keys."
      actions={
        choices.length > 1 && (
          <Select
            value={picked}
            onChange={(e) => setPicked(Number(e.target.value))}
            className="h-7 max-w-64 text-xs"
            aria-label="What to look up"
          >
            {choices.map((c, i) => (
              <option key={c.label} value={i}>
                {c.label}
              </option>
            ))}
          </Select>
        )
      }
      id="online-values"
    >
      <div data-testid="online-preview">
        {!choice ? (
          <EmptyState
            icon={Search}
            title="Nothing to look up"
            description="No online feature view reads this yet."
            className="py-8"
          />
        ) : role === undefined ? (
          <SkeletonTable rows={2} columns={3} />
        ) : !can("values.read") ? (
          <EmptyState
            icon={Lock}
            title="Online values need the consumer role"
            description="Your role sees definitions only; the fetch example below shows how a consumer's API key reads them."
            className="py-8"
          />
        ) : (
          // A new choice starts with its own keys.
          <Lookup key={picked} project={project} choice={choice} />
        )}
      </div>
    </Card>
  );
}

function Lookup({ project, choice }: { project: string; choice: OnlineChoice }) {
  const trpc = useTRPC();
  const id = useId();
  const rows = useOfflineRows(project, { kind: "view", name: choice.sampleView });
  const examples = rows.query.isPending ? undefined : exampleKeys(choice.joinKeys, rows.query.data);
  const [draft, setDraft] = useState<Record<string, string> | undefined>();
  const [submitted, setSubmitted] = useState<Record<string, string[]> | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const text =
    draft ??
    (examples
      ? Object.fromEntries(choice.joinKeys.map((k) => [k.name, keysText(examples.entities[k.name] ?? [])]))
      : undefined);
  const prefilled = examples ? parseKeys(choice.joinKeys, text ?? {}) : undefined;
  const entities = submitted ?? (prefilled && "entities" in prefilled ? prefilled.entities : undefined);

  const input = {
    project,
    ...("featureService" in choice.selection
      ? { feature_service: choice.selection.featureService }
      : { features: choice.selection.features }),
    entities: entities ?? {},
  };
  const lookup = useQuery({
    ...trpc.serving.getOnlineFeatures.queryOptions(input),
    enabled: entities !== undefined,
    retry: false,
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseKeys(choice.joinKeys, text ?? {});
    if ("error" in parsed) {
      setProblem(parsed.error);
      return;
    }
    setProblem(undefined);
    setSubmitted(parsed.entities);
  }

  if (!text) return <SkeletonTable rows={2} columns={3} />;
  return (
    <div className="flex flex-col gap-3">
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
        {choice.joinKeys.map((k) => (
          <label
            key={k.name}
            htmlFor={`${id}-${k.name}`}
            className="flex min-w-48 flex-1 flex-col gap-1 text-xs"
          >
            <span className="font-mono text-zinc-600">
              {k.name} <span className="text-zinc-400">({k.valueType}, comma-separated)</span>
            </span>
            <Input
              id={`${id}-${k.name}`}
              value={text[k.name] ?? ""}
              onChange={(e) => setDraft({ ...text, [k.name]: e.target.value })}
              className="font-mono"
              data-testid={`online-key-${k.name}`}
            />
          </label>
        ))}
        <Button type="submit" size="sm" data-testid="online-lookup">
          <Search className="size-3.5" aria-hidden />
          Look up
        </Button>
      </form>
      {problem && (
        <p role="alert" className="text-xs text-red-700">
          {problem}
        </p>
      )}
      {examples && !examples.real && !submitted && (
        <p className="text-xs text-zinc-500">
          No offline rows to take keys from: the keys above are examples. Type real ones and look up.
        </p>
      )}
      {lookup.isPending && entities ? (
        <SkeletonTable rows={2} columns={3} />
      ) : lookup.isError ? (
        <ErrorState error={lookup.error} title="The lookup failed" retry={() => lookup.refetch()} />
      ) : lookup.data ? (
        <OnlineTable answer={lookup.data} keyCount={choice.joinKeys.length} />
      ) : null}
    </div>
  );
}

type Answer = {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: string[]; event_timestamps: string[] }[];
};

/** Feast's columnar answer turned into rows: keys first, then each feature with its status. */
function OnlineTable({ answer, keyCount }: { answer: Answer; keyCount: number }) {
  const names = answer.metadata.feature_names;
  const n = answer.results[0]?.values.length ?? 0;
  const rows = Array.from({ length: n }, (_, r) => answer.results.map((c) => c.values[r]));
  const found = answer.results.some(
    (c, i) => i >= keyCount && c.statuses.some((s) => s === "PRESENT" || s === "NULL_VALUE"),
  );
  return (
    <div className="flex flex-col gap-2">
      <PreviewTable
        label="Online values"
        columns={names.map((name, i) => ({ name, role: i < keyCount ? "key" : "feature" }))}
        rows={rows}
        cell={(value, r, c) => {
          if (c < keyCount) return valueText(value);
          const status = answer.results[c]?.statuses[r] ?? "PRESENT";
          const at = answer.results[c]?.event_timestamps[r];
          if (status === "PRESENT")
            return (
              <span title={at && at !== "1970-01-01T00:00:00Z" ? `event time ${at}` : undefined}>
                {valueText(value)}
              </span>
            );
          return (
            <Badge tone={STATUS_TONE[status as keyof typeof STATUS_TONE] ?? "gray"} mono>
              {status}
            </Badge>
          );
        }}
      />
      {!found && (
        <p className="text-xs text-zinc-500" data-testid="online-empty">
          No online values for these keys yet: the view has not been materialized for them (or they expired).
          Materialize it from its page, or try other keys.
        </p>
      )}
    </div>
  );
}
