import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import { streamViewSpec } from "../../test/matrix/trpc-stream-inputs";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { createStreamView, updateStreamView } from "./registry";
import { diffStreamViewVersions, listStreamViewVersions } from "./versions";

let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
});
afterAll(async () => {
  await t?.drop();
});

describe("stream view versions and diff", () => {
  it("lists versions newest first and diffs aggregations by name", async () => {
    const v1 = streamViewSpec("trips");
    await createStreamView({ ctx, input: { project: "proj", spec: v1 } });
    const v2 = {
      ...v1,
      allowedLatenessSeconds: 120,
      tags: { team: "rides" },
      aggregations: [
        { name: "trips_5m", function: "count" as const, windowSeconds: 600, kind: "tumbling" as const },
        { name: "fare_sum_1h", column: "fare", function: "sum" as const, windowSeconds: 3600 },
      ],
    };
    await updateStreamView({ ctx, input: { project: "proj", expectedVersion: 1, spec: v2 } });

    const versions = await listStreamViewVersions({ ctx, input: { project: "proj", name: "trips" } });
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0]?.createdAt).toBeInstanceOf(Date);
    expect(typeof versions[0]?.createdBy).toBe("string");

    const diff = await diffStreamViewVersions({
      ctx,
      input: { project: "proj", name: "trips", from: 1, to: 2 },
    });
    expect(diff.from).toBe(1);
    expect(diff.changes).toEqual([
      { path: "allowedLatenessSeconds", kind: "changed", before: 60, after: 120 },
      { path: "tags.team", kind: "added", after: "rides" },
      { path: "aggregations.trips_5m.windowSeconds", kind: "changed", before: 300, after: 600 },
      { path: "aggregations.trips_5m.kind", kind: "changed", before: "sliding", after: "tumbling" },
      {
        path: "aggregations.fare_sum_1h",
        kind: "added",
        after: { name: "fare_sum_1h", column: "fare", function: "sum", windowSeconds: 3600, kind: "sliding" },
      },
    ]);
    // and back: the removed aggregation
    const back = await diffStreamViewVersions({
      ctx,
      input: { project: "proj", name: "trips", from: 2, to: 1 },
    });
    expect(back.changes.find((c) => c.path === "aggregations.fare_sum_1h")?.kind).toBe("removed");
    expect(
      (await diffStreamViewVersions({ ctx, input: { project: "proj", name: "trips", from: 2, to: 2 } }))
        .changes,
    ).toEqual([]);
  });

  it("is a 404 for an unknown view or version", async () => {
    await expect(listStreamViewVersions({ ctx, input: { project: "proj", name: "nope" } })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      diffStreamViewVersions({ ctx, input: { project: "proj", name: "trips", from: 1, to: 9 } }),
    ).rejects.toThrow(NotFoundError);
  });
});
