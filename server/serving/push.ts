import "server-only";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { Name } from "../core/name";
import type { dataSources } from "../db/schema";
import { insertRows, qualifyTable, sourceColumnOf } from "../offline";
import { entityKey } from "../online/entity-key";
import type { OnlineRow } from "../online/types";
import { defineOperation } from "../operations/define";
import { TABLE_NAME_PATTERN, type ValueType } from "../registry/schemas";
import {
  type Converted,
  EXPECTED,
  expectedOf,
  parseFeatureValue,
  parseJoinKey,
  parseTimestamp,
  show,
} from "./values";
import { findDataSource, type ServingView, viewsOfSource } from "./views";

/**
 * Push ingestion (Feast's POST /push): rows for a data source go to the online store of every
 * online view reading that source, and/or into the source's table. Everything is checked before
 * anything is written. Offline rows go in as the project's writer role, only into its own schemas,
 * in an offline transaction that commits after the online writes, so a failing online write rolls
 * the offline rows back (docs/adr/0006-retrieval-api.md, 0013-offline-isolation.md).
 */

/** Push bodies carry rows, so they may be larger than lookups. */
export const PUSH_BODY_LIMIT = 8 * 1024 * 1024;

/** Rows per push. */
export const MAX_PUSH_ROWS = 10_000;

export const PushInput = z.object({
  /** The data source the rows belong to. */
  push_source_name: Name,
  /** Source column -> one value per row. */
  df: z.record(z.string(), z.array(z.unknown())),
  to: z.enum(["online", "offline", "online_and_offline"]).default("online"),
  project: Name.optional(),
});
export type PushInput = z.input<typeof PushInput>;

export interface PushResult {
  push_source_name: string;
  rows: number;
  /** One entry per online view written to. */
  online: { feature_view: string; written: number; skipped: number }[];
  offline_rows: number;
}

type Source = typeof dataSources.$inferSelect;

/** How one view uses one df column. */
interface Use {
  view: string;
  name: string;
  role: "join key" | "feature";
  type: ValueType;
  /** Feature columns of online targets must be present: an online row replaces the whole stored row. */
  required: boolean;
}

export const PushResult = z.object({
  push_source_name: z.string(),
  rows: z.number(),
  online: z.array(z.object({ feature_view: z.string(), written: z.number(), skipped: z.number() })),
  offline_rows: z.number(),
});

export const pushOp = defineOperation({
  name: "serving.push",
  summary: "Feast's push: write rows of a data source into the online store, the offline table, or both.",
  kind: "mutation",
  writesRegistry: false,
  access: "values.write",
  project: "defaulted",
  input: PushInput,
  output: PushResult,
  doors: ["rest"],
  /** Push bodies carry rows, so they may be larger than lookups. */
  rest: { path: "/api/v1/push", bodyLimit: PUSH_BODY_LIMIT },
  run: ({ ctx, input, project }) => pushRows(ctx, project, input),
});
export const push = pushOp.call;

async function pushRows(
  ctx: Ctx,
  project: { id: string; name: string },
  req: z.output<typeof PushInput>,
): Promise<PushResult> {
  const toOnline = req.to !== "offline";
  const toOffline = req.to !== "online";
  const source = await findDataSource(ctx, project.id, req.push_source_name);
  if (!source)
    throw new InvalidError(
      `push_source_name: data source "${req.push_source_name}" not found in project "${project.name}"`,
      "push_source_name",
    );
  const views = await viewsOfSource(ctx, project.id, source.id);
  const targets = toOnline ? views.filter((v) => v.spec.online) : [];
  if (toOnline && targets.length === 0)
    throw new InvalidError(
      `push_source_name: no online feature view reads data source "${source.name}"; push to "offline" instead`,
      "push_source_name",
    );
  if (
    toOffline &&
    (source.kind !== "table" || !source.tableName || !TABLE_NAME_PATTERN.test(source.tableName))
  )
    throw new InvalidError(
      `to: data source "${source.name}" is a ${source.kind} source; only a table source can take offline pushes`,
      "to",
    );

  const rows = checkShape(req.df);
  const uses = columnUses(source, views, new Set(targets.map((t) => t.name)));
  checkColumns(req.df, source, uses);

  const eventTs = req.df[source.timestampField]?.map((v, i) =>
    must(parseTimestamp(v), source.timestampField, i, `${EXPECTED.unix_timestamp} (the event timestamp)`, v),
  );
  const created = source.createdTimestampField
    ? req.df[source.createdTimestampField]?.map((v, i) =>
        v === null
          ? null
          : must(parseTimestamp(v), source.createdTimestampField ?? "", i, EXPECTED.unix_timestamp, v),
      )
    : undefined;
  // Column -> value type -> converted values: a column two views read as different types is checked as both.
  const converted = new Map<string, Map<ValueType, Converted[]>>();
  for (const [column, columnUses] of uses) {
    const values = req.df[column];
    if (!values) continue;
    const byType = new Map<ValueType, Converted[]>();
    for (const use of columnUses) {
      if (byType.has(use.type)) continue;
      byType.set(
        use.type,
        values.map((v, i) => {
          const c = use.role === "join key" ? joinKeyValue(v, use.type) : parseFeatureValue(v, use.type);
          const what = `${use.role} "${use.name}" of feature view "${use.view}" is ${use.type}`;
          return must(c, column, i, `${expectedOf(use.type)} (${what})`, v);
        }),
      );
    }
    converted.set(column, byType);
  }

  const valuesOf = (name: string, type: ValueType): Converted[] =>
    converted.get(sourceColumnOf(source, name))?.get(type) ?? [];
  const onlineRows = targets.map((view) => ({
    view,
    rows: onlineRowsOf(view, rows, eventTs ?? [], valuesOf),
  }));

  const writeOnline = async (): Promise<PushResult["online"]> => {
    const online: PushResult["online"] = [];
    for (const { view, rows: viewRows } of onlineRows) {
      const r = await ctx.online.write(project.name, view.name, viewRows);
      online.push({ feature_view: view.name, written: r.written, skipped: r.skipped });
    }
    return online;
  };
  if (!toOffline)
    return { push_source_name: source.name, rows, online: await writeOnline(), offline_rows: 0 };

  const table = qualifyTable(source.tableName ?? "", project.name, await ctx.offline.space(project.name));
  if (!(await ctx.offline.space(project.name)).own.includes(table.schema))
    throw new InvalidError(
      `to: data source "${source.name}" reads a shared schema (${table.schema}); offline pushes go only into the project's own schemas`,
      "to",
    );
  const columns = Object.keys(req.df);
  const params = columns.map((c) =>
    c === source.timestampField
      ? (eventTs ?? [])
      : c === source.createdTimestampField
        ? (created ?? [])
        : (converted.get(c)?.values().next().value ?? []).map((v) => v.offline),
  );
  // A pushed row without a created time gets "now", so a correction pushed at the same event
  // time wins the tie in materialization as it does in the online store.
  if (source.createdTimestampField && !columns.includes(source.createdTimestampField)) {
    columns.push(source.createdTimestampField);
    params.push(new Array<Date>(rows).fill(new Date()));
  }
  // The offline rows commit only once the online writes succeeded: a failing online write rolls
  // them back (the online writes themselves are idempotent, so a retry of the push is harmless).
  return ctx.offline.transaction(project.name, "write", async (client) => {
    const offlineRows = await insertRows(client, {
      timeoutMs: ctx.offline.timeouts.writeMs,
      label: `table ${source.tableName}`,
      target: table,
      columns,
      params,
      rows,
      field: "df",
    });
    return { push_source_name: source.name, rows, online: await writeOnline(), offline_rows: offlineRows };
  });
}

function must<T>(value: T | undefined, column: string, row: number, expected: string, got: unknown): T {
  if (value === undefined)
    throw new InvalidError(
      `df.${column}[${row}]: expected ${expected}, got ${show(got)}`,
      `df.${column}.${row}`,
    );
  return value;
}

function joinKeyValue(value: unknown, type: ValueType): Converted | undefined {
  if (type !== "int32" && type !== "int64" && type !== "string" && type !== "bytes") return undefined;
  const key = parseJoinKey(value, type);
  if (key === undefined) return undefined;
  return { online: key, offline: type === "bytes" ? Buffer.from(String(key), "base64") : key };
}

function checkShape(df: Record<string, unknown[]>): number {
  const names = Object.keys(df);
  const first = names[0];
  if (first === undefined) throw new InvalidError("df must not be empty", "df");
  const rows = df[first]?.length ?? 0;
  for (const name of names) {
    const length = df[name]?.length ?? 0;
    if (length !== rows)
      throw new InvalidError(
        `df.${name}: has ${length} values but df.${first} has ${rows}; every column needs the same length`,
        `df.${name}`,
      );
  }
  if (rows === 0) throw new InvalidError("df must not be empty", "df");
  if (rows > MAX_PUSH_ROWS)
    throw new InvalidError(`batch too large: ${rows} rows, limit ${MAX_PUSH_ROWS}`, "df");
  return rows;
}

/** Source column -> how the views reading the source use it (after the source's field mapping). */
function columnUses(source: Source, views: ServingView[], onlineTargets: Set<string>): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  const add = (name: string, use: Use) => {
    const column = sourceColumnOf(source, name);
    uses.set(column, [...(uses.get(column) ?? []), use]);
  };
  for (const v of views) {
    for (const k of v.joinKeys)
      add(k.name, { view: v.name, name: k.name, role: "join key", type: k.valueType, required: true });
    for (const f of v.spec.fields)
      add(f.name, {
        view: v.name,
        name: f.name,
        role: "feature",
        type: f.dtype,
        required: onlineTargets.has(v.name),
      });
  }
  return uses;
}

function checkColumns(df: Record<string, unknown[]>, source: Source, uses: Map<string, Use[]>) {
  if (!Object.hasOwn(df, source.timestampField))
    throw new InvalidError(
      `df: the event timestamp column "${source.timestampField}" is missing`,
      `df.${source.timestampField}`,
    );
  for (const [column, columnUses] of uses) {
    const need = columnUses.find((u) => u.required);
    if (need && !Object.hasOwn(df, column))
      throw new InvalidError(
        `df: column "${column}" is missing; it holds ${need.role} "${need.name}" of feature view "${need.view}"`,
        `df.${column}`,
      );
  }
  const known = [
    source.timestampField,
    ...(source.createdTimestampField ? [source.createdTimestampField] : []),
  ];
  for (const column of Object.keys(df)) {
    if (!known.includes(column) && !uses.has(column))
      throw new InvalidError(
        `df.${column}: data source "${source.name}" has no column "${column}" that a feature view reads (known: ${[...known, ...uses.keys()].join(", ")})`,
        `df.${column}`,
      );
  }
}

function onlineRowsOf(
  view: ServingView,
  rows: number,
  eventTs: Date[],
  valuesOf: (name: string, type: ValueType) => Converted[],
): OnlineRow[] {
  const keys = view.joinKeys.map((k) => [k.name, valuesOf(k.name, k.valueType)] as const);
  const fields = view.spec.fields.map((f) => [f.name, valuesOf(f.name, f.dtype)] as const);
  const out: OnlineRow[] = [];
  for (let i = 0; i < rows; i++) {
    const ts = eventTs[i];
    if (!ts) throw new Error("push: event timestamps were not parsed");
    out.push({
      entityKey: entityKey(Object.fromEntries(keys.map(([n, vs]) => [n, vs[i]?.online as string | number]))),
      values: Object.fromEntries(fields.map(([n, vs]) => [n, vs[i]?.online ?? null])),
      eventTs: ts,
    });
  }
  return out;
}
