import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { appRouter } from "./root";

/** The tRPC door over HTTP, as the browser sees it: status codes, messages and the field named. */
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await seedBasics(testCtx(t), t);
});
afterAll(() => t.drop());

async function call(path: string, input: unknown, method: "GET" | "POST" = "POST") {
  const body = JSON.stringify(superjson.serialize(input));
  const url = new URL(`http://x/api/trpc/${path}`);
  if (method === "GET") url.searchParams.set("input", body);
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(
      url,
      method === "POST" ? { method, body, headers: { "content-type": "application/json" } } : {},
    ),
    router: appRouter,
    createContext: () => ({
      actor: { kind: "local" as const, name: "test" },
      services: async () => testCtx(t),
    }),
  });
  const raw = (await res.json()) as { result?: { data: unknown }; error?: unknown };
  const error = raw.error
    ? (superjson.deserialize(raw.error as Parameters<typeof superjson.deserialize>[0]) as {
        message: string;
        data: { field: string | null; code: string };
      })
    : undefined;
  const json = { error };
  return { status: res.status, ...json };
}

describe("tRPC door", () => {
  it("creates a feature view and reads it back", async () => {
    const created = await call("featureViews.create", { project: "proj", spec: driverViewSpec() });
    expect(created.status).toBe(200);
    const got = await call("featureViews.get", { project: "proj", name: "driver_hourly_stats" }, "GET");
    expect(got.status).toBe(200);
  });

  it("answers 400 naming the field when input validation fails", async () => {
    const res = await call("featureViews.create", {
      project: "proj",
      spec: driverViewSpec({ name: "Bad Name" }),
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toMatch(/^spec\.name: must start with a lowercase letter/);
    expect(res.error?.data.field).toBe("spec.name");
  });

  it("maps domain errors to their codes with the field", async () => {
    const missing = await call("featureViews.create", {
      project: "proj",
      spec: driverViewSpec({ name: "other", entities: ["ghost"] }),
    });
    expect(missing.status).toBe(400);
    expect(missing.error?.data.field).toBe("entities.0");
    const dup = await call("featureViews.create", { project: "proj", spec: driverViewSpec() });
    expect(dup.status).toBe(409);
    const stale = await call("featureViews.update", {
      project: "proj",
      baseVersion: 7,
      spec: driverViewSpec(),
    });
    expect(stale.status).toBe(409);
    expect(stale.error?.data.field).toBe("baseVersion");
    const nf = await call("featureViews.get", { project: "proj", name: "nope" }, "GET");
    expect(nf.status).toBe(404);
  });

  it("never shows an internal error's text", async () => {
    // A broken table makes the service fail with a database error.
    await t.pool.query("alter table entities rename to entities_gone");
    try {
      const res = await call("entities.list", { project: "proj" }, "GET");
      expect(res.status).toBe(500);
      expect(res.error?.message).toBe("Internal error");
    } finally {
      await t.pool.query("alter table entities_gone rename to entities");
    }
  });
});
