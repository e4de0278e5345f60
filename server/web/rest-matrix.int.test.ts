import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as openApiGet } from "../../app/api/v1/openapi.json/route";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import {
  EXPECTED_ACCESS,
  expectedOutcome,
  type MatrixCaller,
  type Outcome,
} from "../../test/matrix/expected-access";
import { ROLES, type Role } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { createDataset } from "../datasets";
import { buildDataset } from "../datasets/build";
import { ROUTE_ACTIONS } from "../http/route-actions";
import { restOperations } from "../operations/openapi";
import { ensureProject } from "../registry";
import {
  type CtxProvider,
  handleDownloadDataset,
  handleGetHistoricalFeatures,
  handleGetOnlineFeatures,
  handleHealth,
  handleMaterialize,
  handleMaterializeIncremental,
  handleNamedOperation,
  handlePush,
} from "./http-handlers";

/**
 * Every REST route, called as anonymous, as each role (a signed-in member and an API key alike),
 * and as the owner of another project: allowed exactly when the hand-written table
 * (test/matrix/expected-access.ts) says so, not the route's own declaration.
 * Header parsing (Bearer, x-api-key, query string, revoked keys) is tested in rest-auth.int.test.ts.
 */
let t: TestDb;
let base: Ctx;
let otherId = "";
let projectId = "";

beforeAll(async () => {
  t = await createTestDb();
  base = testCtx(t, { jobs: recordingJobs() });
  await seedServing(base, t);
  projectId = (await ensureProject({ ctx: base, input: { name: PROJECT } })).id;
  otherId = (await ensureProject({ ctx: base, input: { name: "other" } })).id;
  // A ready dataset to download, built inline by the build job's own function.
  const dataset = await createDataset({
    ctx: base,
    input: {
      project: PROJECT,
      name: "matrix_ds",
      selection: { features: ["driver_hourly_stats:conv_rate"] },
      entitySource: {
        kind: "query",
        sql: "select 1::bigint as driver_id, timestamptz '2026-01-01' as event_timestamp",
      },
    },
  });
  await buildDataset(base, dataset.id);
});
afterAll(() => t.drop());

const ROUTES: Record<
  string,
  { handle: (req: Request, ctx: CtxProvider) => Promise<Response>; body: () => unknown }
> = {
  "POST /api/v1/get-online-features": {
    handle: handleGetOnlineFeatures,
    body: () => ({
      project: PROJECT,
      features: ["driver_hourly_stats:conv_rate"],
      entities: { driver_id: [1] },
    }),
  },
  "POST /api/v1/get-historical-features": {
    handle: handleGetHistoricalFeatures,
    body: () => ({
      project: PROJECT,
      features: ["driver_hourly_stats:conv_rate"],
      entities: { driver_id: [1], event_timestamp: ["2026-01-01T00:00:00Z"] },
    }),
  },
  "POST /api/v1/push": {
    handle: handlePush,
    body: () => ({
      project: PROJECT,
      push_source_name: "driver_stats_source",
      to: "online",
      df: {
        driver_id: [7],
        conv: [0.5],
        acc_rate: [0.5],
        avg_daily_trips: [3],
        event_timestamp: ["2026-01-31T23:00:00Z"],
      },
    }),
  },
  "POST /api/v1/materialize": {
    handle: handleMaterialize,
    body: () => ({ project: PROJECT, start_ts: "2026-01-01T00:00:00Z", end_ts: "2026-01-02T00:00:00Z" }),
  },
  "POST /api/v1/materialize-incremental": {
    handle: handleMaterializeIncremental,
    body: () => ({ project: PROJECT, end_ts: "2026-01-02T00:00:00Z" }),
  },
  "GET /api/v1/health": { handle: handleHealth, body: () => undefined },
  // A GET's input is its query string.
  "GET /api/v1/datasets/download": {
    handle: handleDownloadDataset,
    body: () => ({ project: PROJECT, name: "matrix_ds", format: "csv" }),
  },
  "GET /api/v1/openapi.json": { handle: async () => openApiGet(), body: () => undefined },
};

/** The operation behind each Feast route, by its descriptor's REST path. */
function operationOf(route: string): string | undefined {
  if (route === "GET /api/v1/openapi.json") return undefined;
  return restOperations().find((op) => `${op.rest?.method ?? "POST"} ${op.rest?.path}` === route)?.name;
}

let fresh = 0;
/** Operations through the generic route POST /api/v1/ops/<name>, with API keys as on tRPC. */
const GENERIC: Record<string, () => unknown> = {
  "projects.list": () => ({}),
  "entities.list": () => ({ project: PROJECT }),
  "entities.create": () => ({
    project: PROJECT,
    name: `rest_ent_${++fresh}`,
    joinKey: "k",
    valueType: "int64",
  }),
  "jobs.list": () => ({ project: PROJECT }),
  "datasets.list": () => ({ project: PROJECT }),
  "datasets.create": () => ({
    project: PROJECT,
    name: `rest_ds_${++fresh}`,
    selection: { features: ["driver_hourly_stats:conv_rate"] },
    entitySource: {
      kind: "query",
      sql: "select 1::bigint as driver_id, timestamptz '2026-01-01' as event_timestamp",
    },
  }),
  "access.keys.list": () => ({ project: PROJECT }),
  "admin.audit": () => ({}),
};

interface Caller {
  label: string;
  actor: () => Actor;
  role: Role | null;
}

const callers: Caller[] = [
  { label: "anonymous", actor: () => ({ kind: "anonymous" }), role: null },
  ...ROLES.map((role) => ({
    label: `API key ${role}`,
    actor: (): Actor => ({ kind: "api_key", id: `k-${role}`, name: role, projectId, role }),
    role,
  })),
  {
    label: "owner key of another project",
    actor: (): Actor => ({
      kind: "api_key",
      id: "k-other",
      name: "other",
      projectId: otherId,
      role: "owner",
    }),
    role: null,
  },
];

function matrixCaller(c: Caller): MatrixCaller {
  return { label: c.label, anonymous: c.label === "anonymous", role: c.role };
}

function restOutcome(o: Outcome): string {
  return { allow: "ok", UNAUTHORIZED: "401", NOT_FOUND: "not found", FORBIDDEN: "403" }[o];
}

function answerOf(status: number, text: string): string {
  if (status < 300) return "ok";
  if ((status === 400 || status === 404) && /project "proj" not found/.test(errorOf(text)))
    return "not found";
  return String(status);
}

function errorOf(text: string): string {
  try {
    return String((JSON.parse(text) as { error?: unknown }).error ?? "");
  } catch {
    return text;
  }
}

describe("REST authorization matrix", () => {
  it("covers every declared /api/v1 route", () => {
    const declared = Object.keys(ROUTE_ACTIONS).filter((r) => r.includes("/api/v1/"));
    expect([...Object.keys(ROUTES), "POST /api/v1/ops/[name]"].sort()).toEqual(declared.sort());
  });

  it("allows and refuses operations on the generic route as the hand-written table says", async () => {
    const wrong: string[] = [];
    for (const [name, body] of Object.entries(GENERIC)) {
      const expected = EXPECTED_ACCESS[name];
      if (!expected) throw new Error(`${name} has no expected access`);
      for (const caller of callers) {
        const req = postJson(`/ops/${name}`, body());
        const res = await handleNamedOperation(name, req, async () => ({ ...base, actor: caller.actor() }));
        const text = await res.text();
        const want = restOutcome(expectedOutcome(expected, matrixCaller(caller)));
        const got = answerOf(res.status, text);
        if (got !== want)
          wrong.push(`${name} as ${caller.label}: expected ${want}, got ${got} ${text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 for a name that is no REST operation", async () => {
    for (const name of ["nope", "offline.check", "__proto__", "serving.health"]) {
      const res = await handleNamedOperation(name, postJson(`/ops/${name}`, {}), async () => base);
      expect(res.status, name).toBe(404);
    }
  });

  it("allows and refuses each route for each caller as the table says", async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const [route, { handle, body }] of Object.entries(ROUTES)) {
      for (const caller of callers) {
        const [method = "POST", path = ""] = route.split(" ");
        const query = body();
        const req =
          method === "GET"
            ? new Request(
                `http://quiver.test${path}${query ? `?${new URLSearchParams(query as Record<string, string>)}` : ""}`,
              )
            : postJson(path.replace("/api/v1", ""), query);
        const res = await handle(req, async () => ({ ...base, actor: caller.actor() }));
        const text = await res.text();
        const name = operationOf(route);
        const expected = name === undefined ? "public" : EXPECTED_ACCESS[name];
        if (!expected) throw new Error(`${route}: ${name} has no expected access`);
        const want = restOutcome(expectedOutcome(expected, matrixCaller(caller)));
        const got = answerOf(res.status, text);
        cells++;
        if (got !== want)
          wrong.push(`${route} as ${caller.label}: expected ${want}, got ${got} ${text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    console.info(
      `REST authorization matrix: ${Object.keys(ROUTES).length} routes x ${callers.length} callers = ${cells} cells`,
    );
  });
});
