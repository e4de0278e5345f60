import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import { MATRIX_INPUTS, MATRIX_SHARED_SCHEMA } from "../../test/matrix/trpc-inputs";
import type { Ctx } from "../core/context";
import { resetEnvCache } from "../env";
import { startMaterialization } from "../materialization";
import { createConsumer, createFeatureService, createFeatureView } from "../registry";
import { appRouter } from "./root";

/**
 * A `\u0000` in any string of any procedure's input (a value or an object key) is a 400 naming the
 * field, over HTTP like the browser sends it, never a 500 from Postgres. Each procedure's valid
 * input comes from test/matrix/trpc-inputs.ts; every string in it is spoiled in turn.
 */
let t: TestDb;
let trusted: Ctx;
const savedShared = process.env.QUIVER_SHARED_SCHEMAS;

beforeAll(async () => {
  process.env.QUIVER_SHARED_SCHEMAS = MATRIX_SHARED_SCHEMA;
  resetEnvCache();
  t = await createTestDb();
  trusted = testCtx(t, { jobs: recordingJobs() });
  await t.offlineAdmin.query(`create schema ${MATRIX_SHARED_SCHEMA}`);
  await seedBasics(trusted, t, "proj");
  await createFeatureView({ ctx: trusted, input: { project: "proj", spec: driverViewSpec() } });
  await createFeatureService({
    ctx: trusted,
    input: { project: "proj", name: "driver_activity", features: ["driver_hourly_stats:*"] },
  });
  await createConsumer({
    ctx: trusted,
    input: { project: "proj", name: "eta_model", kind: "model", featureServices: ["driver_activity"] },
  });
  await startMaterialization({
    ctx: trusted,
    input: { project: "proj", startTs: new Date(0), endTs: new Date("2026-01-01T00:00:00Z") },
  });
});
afterAll(async () => {
  if (savedShared === undefined) delete process.env.QUIVER_SHARED_SCHEMAS;
  else process.env.QUIVER_SHARED_SCHEMAS = savedShared;
  resetEnvCache();
  await t?.drop();
});

type Path = (string | number)[];

/** Where a NUL can go: every string value, and every key of a plain object. */
function spots(value: unknown, path: Path = []): { path: Path; key: boolean }[] {
  if (typeof value === "string") return [{ path, key: false }];
  if (Array.isArray(value)) return value.flatMap((v, i) => spots(v, [...path, i]));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.entries(value).flatMap(([k, v]) => [
      { path: [...path, k], key: true },
      ...spots(v, [...path, k]),
    ]);
  return [];
}

/** A copy of input with a NUL in the string (or key) at path. */
function spoil(input: unknown, spot: { path: Path; key: boolean }): unknown {
  const copy = structuredClone(input);
  const parentPath = spot.path.slice(0, -1);
  const last = spot.path[spot.path.length - 1];
  let parent = copy as Record<string | number, unknown>;
  for (const p of parentPath) parent = parent[p] as Record<string | number, unknown>;
  if (last === undefined) return `${String(copy)}\u0000x`;
  if (spot.key) {
    const entries = Object.entries(parent).map(([k, v]) => [k === last ? `${k}\u0000x` : k, v]);
    for (const k of Object.keys(parent)) delete parent[k];
    Object.assign(parent, Object.fromEntries(entries));
  } else parent[last] = `${String(parent[last])}\u0000x`;
  return copy;
}

interface Procedure {
  path: string;
  type: "query" | "mutation";
  /** The `.input()` schema, if any. */
  schema: unknown;
}

function procedures(): Procedure[] {
  const record = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: "query" | "mutation"; inputs: unknown[] } }
  >;
  return Object.entries(record).map(([path, p]) => ({ path, type: p._def.type, schema: p._def.inputs[0] }));
}

type ZodDef = { type: string; innerType?: unknown; shape?: Record<string, unknown> };
const zodDef = (schema: unknown) => (schema as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;

/** The schema under optional(), default(), nullable() and the like. */
function unwrap(schema: unknown): ZodDef | undefined {
  let def = zodDef(schema);
  while (def?.innerType !== undefined) def = zodDef(def.innerType);
  return def;
}

/** Top-level string fields of an object schema (audit filters, descriptions, search text...). */
function stringKeys(schema: unknown): string[] {
  const def = unwrap(schema);
  if (def?.type !== "object" || !def.shape) return [];
  return Object.entries(def.shape)
    .filter(([, field]) => unwrap(field)?.type === "string")
    .map(([key]) => key);
}

/** Calls a procedure the way the tRPC client does (superjson, GET for queries, POST for mutations). */
async function overHttp(path: string, type: "query" | "mutation", input: unknown) {
  const payload = JSON.stringify(superjson.serialize(input));
  const url = `http://quiver.test/api/trpc/${path}`;
  const req =
    type === "query"
      ? new Request(`${url}?input=${encodeURIComponent(payload)}`)
      : new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ actor: trusted.actor, services: async () => trusted }),
  });
  const body = (await res.json()) as {
    error?: { json: { message: string; data: { code: string; field: string | null } } };
  };
  return { status: res.status, error: body.error?.json };
}

describe("a NUL character in tRPC input", () => {
  it("is a 400 naming the field, for every string of every procedure", async () => {
    const wrong: string[] = [];
    let cases = 0;
    for (const { path, type, schema } of procedures()) {
      const make = MATRIX_INPUTS[path];
      expect(make, `${path} has no input in test/matrix/trpc-inputs.ts`).toBeDefined();
      if (!make) continue;
      const input = await make(trusted);
      const tries: { label: string; input: unknown; field: string | null }[] = [];
      for (const spot of spots(input)) {
        const field = (spot.key ? spot.path.slice(0, -1) : spot.path).join(".") || null;
        const label = `${spot.key ? "key" : "value"} ${spot.path.join(".")}`;
        tries.push({ label, input: spoil(input, spot), field });
      }
      // string fields the valid input leaves out (optional filters, descriptions) get one too
      const given = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
      for (const key of stringKeys(schema).filter((k) => !(k in given)))
        tries.push({ label: `added ${key}`, input: { ...given, [key]: "x\u0000y" }, field: key });
      if (stringKeys(schema).length > 0 && tries.length === 0) wrong.push(`${path}: no string was tried`);
      for (const c of tries) {
        cases++;
        const got = await overHttp(path, type, c.input);
        if (got.status !== 400 || got.error?.data.code !== "BAD_REQUEST")
          wrong.push(`${path} ${c.label}: ${got.status} ${got.error?.message ?? ""}`);
        else if (got.error.data.field !== c.field || !got.error.message.includes("NUL character"))
          wrong.push(`${path} ${c.label}: field ${got.error.data.field}, "${got.error.message}"`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cases).toBeGreaterThan(100);
  });

  it("names the field in the message", async () => {
    const got = await overHttp("entities.create", "mutation", {
      project: "proj",
      name: "nul_entity",
      joinKey: "k",
      valueType: "int64",
      description: "a\u0000b",
    });
    expect(got).toMatchObject({
      status: 400,
      error: {
        message: "description: must not contain the NUL character (\\u0000)",
        data: { code: "BAD_REQUEST", field: "description" },
      },
    });
  });
});
