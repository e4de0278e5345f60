import type { StreamAggregationFunction, StreamWindowKind } from "@/server/core/vocabulary";
import { StreamViewSpec, type StreamViewSpecInput } from "@/server/streams/schemas";
import { type FormErrors, issuesToErrors } from "../forms/form-errors";
import { type DurationValue, fromSeconds, toSeconds } from "../views/duration";

/**
 * The stream view form's state (pure, unit-tested): what the inputs hold, from and to the
 * registry's spec (server/streams/schemas.ts). Error keys are the spec's paths
 * ("stream.key", "aggregations.1.windowSeconds"), the same the server names on a 400.
 */
export interface AggregationRow {
  /** React key: rows are added and removed. */
  key: string;
  name: string;
  function: StreamAggregationFunction;
  column: string;
  window: DurationValue;
  kind: StreamWindowKind;
}

export interface StreamFormValue {
  name: string;
  description: string;
  owner: string;
  streamKey: string;
  entities: string[];
  timestampField: string;
  eventIdField: string;
  tile: DurationValue;
  lateness: DurationValue;
  aggregations: AggregationRow[];
  tags: Record<string, string>;
}

let nextKey = 0;
export function newAggregation(partial: Partial<AggregationRow> = {}): AggregationRow {
  nextKey += 1;
  return {
    key: `agg-${nextKey}`,
    name: "",
    function: "count",
    column: "",
    window: { amount: "5", unit: "minutes" },
    kind: "sliding",
    ...partial,
  };
}

export function emptyStreamForm(project: string): StreamFormValue {
  return {
    name: "",
    description: "",
    owner: "",
    streamKey: `${project}:`,
    entities: [],
    timestampField: "ts",
    eventIdField: "",
    tile: { amount: "1", unit: "minutes" },
    lateness: { amount: "1", unit: "minutes" },
    aggregations: [newAggregation()],
    tags: {},
  };
}

export function formOfSpec(spec: StreamViewSpec): StreamFormValue {
  return {
    name: spec.name,
    description: spec.description,
    owner: spec.owner,
    streamKey: spec.stream.key,
    entities: [...spec.entities],
    timestampField: spec.timestampField,
    eventIdField: spec.eventIdField ?? "",
    tile: fromSeconds(spec.tileSeconds, "seconds"),
    lateness: fromSeconds(spec.allowedLatenessSeconds, "seconds"),
    aggregations: spec.aggregations.map((a) =>
      newAggregation({
        name: a.name,
        function: a.function,
        column: a.column,
        window: fromSeconds(a.windowSeconds),
        kind: a.kind,
      }),
    ),
    tags: { ...spec.tags },
  };
}

/** A duration for the schema: blank stays undefined (the default or "Required"), NaN is refused by it. */
function seconds(d: DurationValue): number | undefined {
  return toSeconds(d);
}

/**
 * The spec to send, or the inputs' errors. Checks the schema's rules and the project rule the
 * server adds (the stream key starts with "<project>:"), so most mistakes show before a round trip.
 */
export function specOfForm(
  project: string,
  v: StreamFormValue,
): { spec: StreamViewSpecInput; errors?: undefined } | { errors: FormErrors; spec?: undefined } {
  const input = {
    name: v.name.trim(),
    entities: v.entities,
    stream: { adapter: "redis" as const, key: v.streamKey.trim() },
    timestampField: v.timestampField.trim(),
    eventIdField: v.eventIdField.trim() === "" ? null : v.eventIdField.trim(),
    aggregations: v.aggregations.map((a) => ({
      name: a.name.trim(),
      function: a.function,
      // count reads no field: whatever the input kept from another function is dropped
      column: a.function === "count" ? "" : a.column.trim(),
      windowSeconds: seconds(a.window) ?? Number.NaN,
      kind: a.kind,
    })),
    tileSeconds: seconds(v.tile),
    allowedLatenessSeconds: seconds(v.lateness),
    description: v.description,
    owner: v.owner.trim(),
    tags: v.tags,
  };
  const parsed = StreamViewSpec.safeParse(input);
  const errors: FormErrors = parsed.success ? {} : issuesToErrors(parsed.error.issues);
  if (!input.stream.key.startsWith(`${project}:`))
    errors["stream.key"] ??= `must start with "${project}:" (a project reads only its own streams)`;
  if (input.entities.length === 0) errors.entities = "Pick at least one entity";
  for (const [i, a] of v.aggregations.entries())
    if (a.window.amount.trim() === "") errors[`aggregations.${i}.windowSeconds`] = "Required";
  if (Object.keys(errors).length > 0) return { errors };
  return { spec: input as StreamViewSpecInput };
}
