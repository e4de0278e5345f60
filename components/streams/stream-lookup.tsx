"use client";

import { useQuery } from "@tanstack/react-query";
import { Lock, RefreshCw, Search } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { placeholderKeys } from "@/components/datasets/fetch-snippets";
import { type JoinKey, keysText, parseKeys } from "@/components/objects/online-keys";
import { valueText } from "@/components/objects/preview-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Input } from "@/components/ui/input";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";

const EPOCH = "1970-01-01T00:00:00Z";
const STATUS_TONE = {
  PRESENT: "green",
  NULL_VALUE: "gray",
  NOT_FOUND: "amber",
  OUTSIDE_MAX_AGE: "red",
} as const;

/**
 * "Look up": the view's current values for a few entity keys, read through get-online-features
 * ("view:feature" references), the same path clients use; each value with its window's newest
 * event time.
 */
export function StreamLookup({
  project,
  view,
  features,
  joinKeys,
}: {
  project: string;
  view: string;
  features: string[];
  joinKeys: JoinKey[];
}) {
  const { can, role } = useProjectRole(project);
  return (
    <Card
      id="lookup"
      title="Look up"
      description="Current values from the tiles, computed at now (UTC) by the online retrieval API."
    >
      <div data-testid="stream-lookup">
        {role === undefined ? (
          <SkeletonTable rows={2} columns={3} />
        ) : !can("values.read") ? (
          <EmptyState
            icon={Lock}
            title="Values need the consumer role"
            description="Your role sees definitions only; the fetch example shows how a consumer's API key reads them."
            className="py-8"
          />
        ) : (
          <Lookup project={project} view={view} features={features} joinKeys={joinKeys} />
        )}
      </div>
    </Card>
  );
}

function Lookup({
  project,
  view,
  features,
  joinKeys,
}: {
  project: string;
  view: string;
  features: string[];
  joinKeys: JoinKey[];
}) {
  const trpc = useTRPC();
  const id = useId();
  const [text, setText] = useState<Record<string, string>>(() =>
    Object.fromEntries(joinKeys.map((k) => [k.name, keysText(placeholderKeys(k.valueType, 1))])),
  );
  const [entities, setEntities] = useState<Record<string, string[]> | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const lookup = useQuery({
    ...trpc.serving.getOnlineFeatures.queryOptions({
      project,
      features: features.map((f) => `${view}:${f}`),
      entities: entities ?? {},
    }),
    enabled: entities !== undefined,
    retry: false,
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseKeys(joinKeys, text);
    if ("error" in parsed) {
      setProblem(parsed.error);
      return;
    }
    setProblem(undefined);
    // the same keys again: read again (values move with time and events)
    if (JSON.stringify(parsed.entities) === JSON.stringify(entities)) void lookup.refetch();
    else setEntities(parsed.entities);
  }

  const answer = lookup.data;
  const n = answer?.results[0]?.values.length ?? 0;
  return (
    <div className="flex flex-col gap-3">
      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
        {joinKeys.map((k) => (
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
              onChange={(e) => setText({ ...text, [k.name]: e.target.value })}
              className="font-mono"
              data-testid={`lookup-key-${k.name}`}
            />
          </label>
        ))}
        <Button type="submit" size="sm" data-testid="lookup-submit" disabled={lookup.isFetching}>
          {entities ? (
            <RefreshCw className="size-3.5" aria-hidden />
          ) : (
            <Search className="size-3.5" aria-hidden />
          )}
          Look up
        </Button>
      </form>
      {problem && (
        <p role="alert" className="text-xs text-red-700">
          {problem}
        </p>
      )}
      {entities === undefined ? null : lookup.isPending ? (
        <SkeletonTable rows={2} columns={4} />
      ) : lookup.isError ? (
        <ErrorState error={lookup.error} title="The lookup failed" retry={() => lookup.refetch()} />
      ) : answer ? (
        <Table mobile="scroll">
          <THead>
            <tr>
              <TH className="w-[22%]">Key</TH>
              <TH className="w-[26%]">Feature</TH>
              <TH>Value</TH>
              <TH className="w-48">Event time (UTC)</TH>
            </tr>
          </THead>
          <TBody>
            {Array.from({ length: n }, (_, r) =>
              features.map((f, i) => {
                const col = answer.results[joinKeys.length + i];
                const status = (col?.statuses[r] ?? "NOT_FOUND") as keyof typeof STATUS_TONE;
                const at = col?.event_timestamps[r];
                const key = joinKeys.map((_, k) => valueText(answer.results[k]?.values[r])).join(", ");
                return (
                  <TR key={`${key}:${f}`} data-testid={`lookup-row-${f}`}>
                    <TD className="font-mono text-[13px]">{key}</TD>
                    <TD className="font-mono text-[13px]">{f}</TD>
                    <TD>
                      {status === "PRESENT" ? (
                        <span className="font-mono text-[13px] text-zinc-900" data-testid="lookup-value">
                          {valueText(col?.values[r])}
                        </span>
                      ) : (
                        <Badge tone={STATUS_TONE[status] ?? "gray"} mono>
                          {status}
                        </Badge>
                      )}
                    </TD>
                    <TD className="font-mono text-xs text-zinc-600">
                      {at && at !== EPOCH ? (
                        at.replace("T", " ").replace("Z", "")
                      ) : (
                        <span className="text-zinc-400">—</span>
                      )}
                    </TD>
                  </TR>
                );
              }),
            )}
          </TBody>
        </Table>
      ) : null}
    </div>
  );
}
