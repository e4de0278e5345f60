import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { streamViewSpec } from "../../test/matrix/trpc-stream-inputs";
import type { Ctx } from "../core/context";
import { ConflictError } from "../core/errors";
import { createOnDemandView } from "../on-demand/registry";
import type { OnDemandViewSpecInput } from "../on-demand/spec";
import { createStreamView } from "../streams/registry";
import { createFeatureView } from ".";

// Requests, lineage and search name a feature of any view kind as "name:feature": a name must pick
// one view whichever kind was registered first, and two creates racing for one name cannot both win.

let t: TestDb;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec() } });
});
afterAll(() => t.drop());

const onDemand = (name: string): OnDemandViewSpecInput => ({
  name,
  inputs: ["driver_hourly_stats:conv_rate"],
  requestFields: [],
  fields: [{ name: "double_rate", dtype: "float64", expression: "driver_hourly_stats.conv_rate * 2.0" }],
});
const feature = (name: string) =>
  createFeatureView({ ctx, input: { project: P, spec: driverViewSpec({ name }) } });
const odv = (name: string) => createOnDemandView({ ctx, input: { project: P, spec: onDemand(name) } });
const stream = (name: string) => createStreamView({ ctx, input: { project: P, spec: streamViewSpec(name) } });

describe("one name, one view, across feature, on-demand and stream views", () => {
  const kinds = { feature, "on-demand": odv, stream } as const;
  const pairs = (Object.keys(kinds) as (keyof typeof kinds)[]).flatMap((a) =>
    (Object.keys(kinds) as (keyof typeof kinds)[]).filter((b) => b !== a).map((b) => [a, b] as const),
  );
  it.each(pairs)("a %s view's name is refused to a later %s view", async (first, second) => {
    const name = `taken_${first}_${second}`.replaceAll("-", "_");
    await kinds[first](name);
    const refused = kinds[second](name);
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toThrow(/needs a name of its own/);
  });

  it("two creates of different kinds racing for one name: exactly one wins", async () => {
    for (let i = 0; i < 5; i++) {
      const name = `raced_${i}`;
      const results = await Promise.allSettled([feature(name), stream(name), odv(name)]);
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
    }
  });
});
