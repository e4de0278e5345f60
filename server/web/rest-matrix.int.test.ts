import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import { ROLES, type Role, roleAllows } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { ROUTE_ACTIONS } from "../http/route-actions";
import { ensureProject } from "../registry";
import {
  type CtxProvider,
  handleGetOnlineFeatures,
  handleHealth,
  handleMaterialize,
  handleMaterializeIncremental,
  handlePush,
} from "./http-handlers";

/**
 * Every REST route, called as anonymous, as each role (a signed-in member and an API key alike),
 * and as the owner of another project: allowed exactly when its declared action says so.
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
    expect(Object.keys(ROUTES).sort()).toEqual(declared.sort());
  });

  it("allows and refuses each route for each caller as its action says", async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const [route, { handle, body }] of Object.entries(ROUTES)) {
      const action = ROUTE_ACTIONS[route];
      for (const caller of callers) {
        const [method = "POST", path = ""] = route.split(" ");
        const req =
          method === "GET"
            ? new Request(`http://quiver.test${path}`)
            : postJson(path.replace("/api/v1", ""), body());
        const res = await handle(req, async () => ({ ...base, actor: caller.actor() }));
        const text = await res.text();
        const want =
          action === "public"
            ? "ok"
            : caller.label === "anonymous"
              ? "401"
              : caller.role === null
                ? "not found"
                : action && action !== "per-procedure" && roleAllows(caller.role, action)
                  ? "ok"
                  : "403";
        const got =
          res.status < 300
            ? "ok"
            : (res.status === 400 || res.status === 404) && /project "proj" not found/.test(errorOf(text))
              ? "not found"
              : String(res.status);
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
