import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import { MATRIX_INPUTS, MATRIX_SHARED_SCHEMA } from "../../test/matrix/trpc-inputs";
import { ROLES, type Role, roleAllows } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { schema } from "../db/client";
import { resetEnvCache } from "../env";
import { startMaterialization } from "../materialization";
import { createConsumer, createFeatureService, createFeatureView, ensureProject } from "../registry";
import type { ProcedureMeta } from "./init";
import { appRouter, createCaller } from "./root";

/**
 * Every tRPC procedure, called as anonymous, as each project role, as an API key of each role and
 * as the owner of another project: allowed exactly when its declared action says so, and a
 * refusal is the right one (401 anonymous, 404 outside the project, 403 a role too low).
 */
let t: TestDb;
let trusted: Ctx;
const userIds = new Map<string, string>();
const projectIds = new Map<string, string>();

async function addUser(name: string, projectName: string, role: Role) {
  const id = randomUUID();
  await t.db.insert(schema.users).values({ id, name, email: `${name}@example.com` });
  const [p] = await t.db.select().from(schema.projects).where(eq(schema.projects.name, projectName));
  if (!p) throw new Error(`no project ${projectName}`);
  await t.db.insert(schema.projectMembers).values({ projectId: p.id, userId: id, role });
  userIds.set(name, id);
}

const savedShared = process.env.QUIVER_SHARED_SCHEMAS;

beforeAll(async () => {
  // offline.grantShared needs a schema the deployment offers for sharing.
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
  await ensureProject({ ctx: trusted, input: { name: "other" } });
  for (const p of await t.db.select().from(schema.projects)) projectIds.set(p.name, p.id);
  for (const role of ROLES) await addUser(`user_${role}`, "proj", role);
  await addUser("outsider", "other", "owner");
  // An instance administrator who belongs to no project: admin rights give no project access.
  const adminId = randomUUID();
  await t.db
    .insert(schema.users)
    .values({ id: adminId, name: "instance_admin", email: "instance_admin@example.com", isAdmin: true });
  userIds.set("instance_admin", adminId);
});
afterAll(async () => {
  if (savedShared === undefined) delete process.env.QUIVER_SHARED_SCHEMAS;
  else process.env.QUIVER_SHARED_SCHEMAS = savedShared;
  resetEnvCache();
  await t?.drop();
});

interface Caller {
  label: string;
  actor: () => Actor;
  /** The role the caller holds in "proj"; null when it holds none. */
  role: Role | null;
  /** An instance administrator (users.is_admin). */
  admin?: boolean;
}

const callers: Caller[] = [
  { label: "anonymous", actor: () => ({ kind: "anonymous" }), role: null },
  ...ROLES.map((role) => ({
    label: `member ${role}`,
    actor: (): Actor => ({ kind: "user", id: userIds.get(`user_${role}`) ?? "", name: `user_${role}` }),
    role,
  })),
  {
    label: "owner of another project",
    actor: () => ({ kind: "user", id: userIds.get("outsider") ?? "", name: "outsider" }),
    role: null,
  },
  {
    label: "instance admin",
    actor: () => ({ kind: "user", id: userIds.get("instance_admin") ?? "", name: "instance_admin" }),
    role: null,
    admin: true,
  },
  ...ROLES.map((role) => ({
    label: `API key ${role}`,
    actor: (): Actor => ({
      kind: "api_key",
      id: randomUUID(),
      name: `key_${role}`,
      projectId: projectIds.get("proj") ?? "",
      role,
    }),
    role,
  })),
  {
    label: "owner API key of another project",
    actor: (): Actor => ({
      kind: "api_key",
      id: randomUUID(),
      name: "key_other",
      projectId: projectIds.get("other") ?? "",
      role: "owner",
    }),
    role: null,
  },
];

function procedures(): [string, ProcedureMeta | undefined][] {
  const record = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>;
  return Object.entries(record).map(([path, proc]) => [path, proc._def.meta]);
}

async function call(path: string, actor: Actor, input: unknown): Promise<unknown> {
  const ctx: Ctx = { ...trusted, actor };
  const caller = createCaller({ actor, services: async () => ctx });
  let fn: unknown = caller;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

function expected(meta: ProcedureMeta, caller: Caller): "allow" | "UNAUTHORIZED" | "NOT_FOUND" | "FORBIDDEN" {
  if (meta.action === "public") return "allow";
  if (caller.label === "anonymous") return "UNAUTHORIZED";
  if (meta.action === "signed_in") return "allow";
  if (meta.action === "instance.admin") return caller.admin ? "allow" : "FORBIDDEN";
  if (caller.role === null) return "NOT_FOUND";
  return roleAllows(caller.role, meta.action) ? "allow" : "FORBIDDEN";
}

describe("authorization matrix", () => {
  it("every procedure declares an action and has a matrix input", () => {
    const list = procedures();
    expect(list.length).toBeGreaterThan(30);
    for (const [path, meta] of list) {
      expect(meta?.action, `${path} declares no action`).toBeTruthy();
      expect(MATRIX_INPUTS[path], `${path} has no input in test/matrix/trpc-inputs.ts`).toBeDefined();
    }
  });

  it("allows and refuses each procedure for each caller as its action says", async () => {
    let cells = 0;
    const wrong: string[] = [];
    for (const [path, meta] of procedures()) {
      if (!meta) continue;
      const make = MATRIX_INPUTS[path];
      if (!make) continue;
      for (const caller of callers) {
        const want = expected(meta, caller);
        const input = await make(trusted);
        const got = await call(path, caller.actor(), input).then(
          () => "allow",
          (e: unknown) => (e instanceof TRPCError ? e.code : `threw ${String(e)}`),
        );
        cells++;
        if (got !== want) wrong.push(`${path} as ${caller.label}: expected ${want}, got ${got}`);
      }
    }
    expect(wrong).toEqual([]);
    console.info(
      `authorization matrix: ${procedures().length} procedures x ${callers.length} callers = ${cells} cells`,
    );
  });

  it("lists only the projects a user belongs to", async () => {
    const outsider = await call(
      "projects.list",
      callers[callers.length - 1]?.actor() ?? { kind: "anonymous" },
      undefined,
    );
    expect((outsider as { name: string }[]).map((p) => p.name)).toEqual(["other"]);
  });
});
