import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import {
  EXPECTED_ACCESS,
  expectedOutcome,
  type MatrixCaller,
  type Outcome,
} from "../../test/matrix/expected-access";
import { MATRIX_INPUTS, MATRIX_SHARED_SCHEMA } from "../../test/matrix/trpc-inputs";
import { ROLES, type Role } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { schema } from "../db/client";
import { resetEnvCache } from "../env";
import { startMaterialization } from "../materialization";
import { OPERATIONS } from "../operations/catalog";
import { type AnyOperation, defineOperation } from "../operations/define";
import { createConsumer, createFeatureService, createFeatureView, ensureProject } from "../registry";
import { createEntityOp } from "../registry/entities";
import { mutationDoor } from "./doors";
import { createCallerFactory, type ProcedureMeta, router, type TrpcContext } from "./init";
import { appRouter, createCaller } from "./root";

/**
 * Every tRPC procedure, called as anonymous, as each project role, as an API key of each role, as
 * the owner of another project and as an instance administrator: allowed exactly when the table
 * written by hand in test/matrix/expected-access.ts says so (not the procedure's own declaration),
 * and a refusal is the right one (401 anonymous, 404 outside the project, 403 a role too low).
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

interface Caller extends MatrixCaller {
  actor: () => Actor;
}

const callers: Caller[] = [
  { label: "anonymous", anonymous: true, actor: () => ({ kind: "anonymous" }), role: null },
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

type Call = (path: string, actor: Actor, input: unknown) => Promise<unknown>;

function callerOf(make: (ctx: TrpcContext) => unknown): Call {
  return async (path, actor, input) => {
    const ctx: Ctx = { ...trusted, actor };
    const caller = make({ actor, services: async () => ctx });
    let fn: unknown = caller;
    for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
    return (fn as (i: unknown) => Promise<unknown>)(input);
  };
}

const call = callerOf(createCaller);

function outcome(e: unknown): string {
  // Feast's bodies (project "defaulted") answer a project the caller cannot see as the body's
  // fault, a 400 naming it: the same refusal as a 404, as the REST matrix counts it.
  if (e instanceof TRPCError && e.code === "BAD_REQUEST" && /project "proj" not found/.test(e.message))
    return "NOT_FOUND";
  if (e instanceof TRPCError) return e.code;
  // Operations without a tRPC door are called directly: their DomainErrors carry the same codes.
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" ? code : `threw ${String(e)}`;
}

/** Each caller against one operation: the cells whose answer differs from the table's. */
async function mismatches(path: string, run: Call, table: typeof EXPECTED_ACCESS): Promise<string[]> {
  const expected = table[path];
  const make = MATRIX_INPUTS[path];
  if (!expected || !make) return [`${path}: no expected access or no matrix input`];
  const wrong: string[] = [];
  for (const caller of callers) {
    const want: Outcome = expectedOutcome(expected, caller);
    const got = await run(path, caller.actor(), await make(trusted)).then(() => "allow", outcome);
    if (got !== want) wrong.push(`${path} as ${caller.label}: expected ${want}, got ${got}`);
  }
  return wrong;
}

/** Operations only the CLI or the job worker reach: called directly, through the same gate. */
function directCall(op: AnyOperation): Call {
  return (_path, actor, input) => op.call({ ctx: { ...trusted, actor }, input });
}

describe("authorization matrix", () => {
  it("every procedure is derived from the operation of its name, with an expected access and an input", () => {
    const list = procedures();
    expect(list.length).toBeGreaterThan(30);
    for (const [path, meta] of list) {
      expect(meta?.operation, `${path} is not derived from a descriptor`).toBe(path);
      expect(EXPECTED_ACCESS[path], `${path} has no line in test/matrix/expected-access.ts`).toBeDefined();
      expect(MATRIX_INPUTS[path], `${path} has no input in test/matrix/trpc-inputs.ts`).toBeDefined();
    }
  });

  it("every operation with a tRPC door has its procedure", () => {
    const paths = procedures().map(([path]) => path);
    const withDoor = OPERATIONS.filter((op) => op.doors.includes("trpc")).map((op) => op.name);
    expect(paths.sort()).toEqual(withDoor.sort());
  });

  it("the hand-written table names exactly the operations of the catalog", () => {
    expect(Object.keys(EXPECTED_ACCESS).sort()).toEqual(OPERATIONS.map((op) => op.name).sort());
  });

  it("allows and refuses each procedure for each caller as the table says", async () => {
    const wrong: string[] = [];
    const list = procedures();
    for (const [path] of list) wrong.push(...(await mismatches(path, call, EXPECTED_ACCESS)));
    expect(wrong).toEqual([]);
    console.info(`authorization matrix: ${list.length} procedures x ${callers.length} callers`);
    // Every procedure times every caller, one after the other (cells share state): about 30 s on an
    // idle 2-core machine with 130 procedures, so the file-wide 30 s is too short on a busy one.
  }, 240_000);

  it("allows and refuses the CLI's and the job worker's own operations as the table says", async () => {
    const direct = OPERATIONS.filter((op) => !op.doors.includes("trpc") && !op.doors.includes("rest"));
    expect(direct.map((op) => op.name).sort()).toEqual([
      "datasets.build",
      "freshness.probe",
      "jobs.execute",
      "offline.check",
      "offline.own",
      "offline.setupSql",
      "statistics.execute",
      "transformations.execute",
      "users.create",
      "users.setAdmin",
    ]);
    const wrong: string[] = [];
    for (const op of direct) wrong.push(...(await mismatches(op.name, directCall(op), EXPECTED_ACCESS)));
    expect(wrong).toEqual([]);
  });

  it("fails when a write is mislabelled as a read (a planted mislabel)", async () => {
    // The same operation declared as a read: the door obeys the declaration, the table does not.
    const mislabelled = defineOperation({ ...createEntityOp, access: "definitions.read" });
    const planted = router({ entities: router({ create: mutationDoor(mislabelled) }) });
    const wrong = await mismatches(
      "entities.create",
      callerOf(createCallerFactory(planted)),
      EXPECTED_ACCESS,
    );
    expect(wrong).toContain("entities.create as member viewer: expected FORBIDDEN, got allow");
    expect(wrong).toContain("entities.create as API key consumer: expected FORBIDDEN, got allow");
    // And the real one passes.
    expect(await mismatches("entities.create", call, EXPECTED_ACCESS)).toEqual([]);
  });

  it("lists only the projects a user belongs to, and only its own project to a key", async () => {
    const user = callers.find((c) => c.label === "owner of another project");
    const key = callers.find((c) => c.label === "owner API key of another project");
    if (!user || !key) throw new Error("callers missing");
    const names = (r: unknown) => (r as { name: string }[]).map((p) => p.name);
    expect(user.actor().kind).toBe("user");
    expect(names(await call("projects.list", user.actor(), undefined))).toEqual(["other"]);
    const viewer = callers.find((c) => c.label === "member viewer");
    expect(names(await call("projects.list", viewer?.actor() ?? user.actor(), undefined))).toEqual(["proj"]);
    expect(names(await call("projects.list", key.actor(), undefined))).toEqual(["other"]);
  });
});
