import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { PROJECT, postJson, STORE_KINDS, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { createDataSource } from "../registry";
import { handlePush } from "../web/http-handlers";
import { getOnlineFeatures } from "./get-online-features";
import { MAX_PUSH_ROWS, type PushInput, push } from "./push";

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  const ctx = testCtx(t);
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    "create table events (event_timestamp timestamptz not null, created timestamptz)",
  );
  await createDataSource({
    ctx,
    input: {
      project: PROJECT,
      name: "events_source",
      kind: "table",
      tableName: "proj.events",
      timestampField: "event_timestamp",
      createdTimestampField: "created",
    },
  });
});
afterAll(() => t.drop());

const T1 = "2026-01-31T23:00:00Z";
const T2 = "2026-02-01T00:00:00.250Z";

/** A df for driver_stats_source: source column names (`conv` is mapped to the feature conv_rate). */
function driverDf(ids: (number | string | null)[], over: Record<string, unknown[]> = {}) {
  return {
    driver_id: ids,
    conv: ids.map((_, i) => 0.1 * (i + 1)),
    acc_rate: ids.map(() => 0.5),
    avg_daily_trips: ids.map((_, i) => i + 10),
    event_timestamp: ids.map(() => T1),
    ...over,
  };
}

/** The source table's rows for these drivers, read in the offline database. */
async function offlineRows(ids: number[]) {
  const { rows } = await t.offlineAdmin.query<{
    driver_id: number;
    conv: number;
    created: Date | null;
    event_timestamp: Date;
  }>(
    "select driver_id::int, conv, created, event_timestamp from proj.driver_stats where driver_id = any($1) order by driver_id",
    [ids],
  );
  return rows;
}

async function expectInvalid(work: Promise<unknown>, message: RegExp, field?: string) {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidError);
  expect((err as InvalidError).message).toMatch(message);
  if (field !== undefined) expect((err as InvalidError).field).toBe(field);
}

for (const [n, store] of STORE_KINDS.entries()) {
  describe.skipIf(store.skip)(`push on the ${store.kind} store`, () => {
    let ctx: Ctx;
    let close: () => Promise<void>;
    // Both stores share one offline table: each gets its own driver ids.
    const id = (i: number) => (n + 1) * 100_000 + i;
    const pushIt = (input: Omit<PushInput, "project">) =>
      push({ ctx, input: { project: PROJECT, ...input } });
    const online = async (ids: number[]) => {
      const res = await getOnlineFeatures({
        ctx,
        input: {
          project: PROJECT,
          features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"],
          entities: { driver_id: ids },
        },
      });
      return ids.map((_, i) => [
        res.results[1]?.values[i],
        res.results[2]?.values[i],
        res.results[1]?.statuses[i],
      ]);
    };

    beforeAll(async () => {
      ({ ctx, close } = await store.open(t));
    });
    afterAll(() => close());

    it("writes to every online view reading the source, not to the offline table, for to=online", async () => {
      const ids = [id(1), id(2)];
      const res = await pushIt({
        push_source_name: "driver_stats_source",
        df: driverDf([ids[0] ?? 0, String(ids[1])]),
        to: "online",
      });
      // driver_archive reads the same source but is offline only
      expect(res).toEqual({
        push_source_name: "driver_stats_source",
        rows: 2,
        online: [{ feature_view: "driver_hourly_stats", written: 2, skipped: 0 }],
        offline_rows: 0,
      });
      expect(await offlineRows(ids)).toEqual([]);
      // ttl is one day and T1 is a fixed past time: read before it expires by asking the store directly
      const [rows] = await ctx.online.read(
        PROJECT,
        [{ featureView: "driver_hourly_stats", features: ["conv_rate", "acc_rate", "avg_daily_trips"] }],
        ids.map((i) => JSON.stringify([["driver_id", String(i)]])),
      );
      expect(rows?.map((r) => r && { ...r.values, ts: r.eventTs.toISOString() })).toEqual([
        { conv_rate: 0.1, acc_rate: 0.5, avg_daily_trips: 10, ts: "2026-01-31T23:00:00.000Z" },
        { conv_rate: 0.2, acc_rate: 0.5, avg_daily_trips: 11, ts: "2026-01-31T23:00:00.000Z" },
      ]);
    });

    it("serves pushed rows through get-online-features", async () => {
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      await pushIt({
        push_source_name: "driver_stats_source",
        df: driverDf([id(3)], {
          event_timestamp: [now.toISOString()],
          avg_daily_trips: ["9007199254740993"],
        }),
      });
      expect(await online([id(3)])).toEqual([[0.1, "9007199254740993", "PRESENT"]]);
    });

    it("inserts into the source's table only, with a created time, for to=offline", async () => {
      const before = Date.now();
      const res = await pushIt({
        push_source_name: "driver_stats_source",
        df: driverDf([id(4), id(5)]),
        to: "offline",
      });
      expect(res).toMatchObject({ rows: 2, online: [], offline_rows: 2 });
      const rows = await offlineRows([id(4), id(5)]);
      expect(rows.map((r) => [r.driver_id, r.conv, r.event_timestamp.toISOString()])).toEqual([
        [id(4), 0.1, "2026-01-31T23:00:00.000Z"],
        [id(5), 0.2, "2026-01-31T23:00:00.000Z"],
      ]);
      expect(rows.every((r) => (r.created?.getTime() ?? 0) >= before - 1000)).toBe(true);
      expect(await online([id(4)])).toEqual([[null, null, "NOT_FOUND"]]);
    });

    it("writes both for to=online_and_offline, keeping a given created time", async () => {
      const res = await pushIt({
        push_source_name: "driver_stats_source",
        df: driverDf([id(6)], { event_timestamp: [T2], created: ["2026-02-01T00:00:01Z"] }),
        to: "online_and_offline",
      });
      expect(res).toMatchObject({
        online: [{ feature_view: "driver_hourly_stats", written: 1 }],
        offline_rows: 1,
      });
      const [row] = await offlineRows([id(6)]);
      expect(row?.event_timestamp.toISOString()).toBe("2026-02-01T00:00:00.250Z");
      expect(row?.created?.toISOString()).toBe("2026-02-01T00:00:01.000Z");
    });

    it("counts a row older than the stored one as skipped", async () => {
      await pushIt({
        push_source_name: "driver_stats_source",
        df: driverDf([id(7)], { event_timestamp: [T2] }),
      });
      const res = await pushIt({ push_source_name: "driver_stats_source", df: driverDf([id(7)]) });
      expect(res.online).toEqual([{ feature_view: "driver_hourly_stats", written: 0, skipped: 1 }]);
    });

    it("writes nothing anywhere when one row is bad", async () => {
      const ids = [id(8), id(9), id(10)];
      await expectInvalid(
        pushIt({
          push_source_name: "driver_stats_source",
          df: driverDf(ids, { acc_rate: [0.1, "high", 0.3] }),
          to: "online_and_offline",
        }),
        /df\.acc_rate\[1\]: expected a number \(feature "acc_rate" of feature view "driver_\w+" is float64\), got "high"/,
        "df.acc_rate.1",
      );
      await expectInvalid(
        pushIt({
          push_source_name: "driver_stats_source",
          df: driverDf(ids, { event_timestamp: [T1, T1, "yesterday"] }),
        }),
        /df\.event_timestamp\[2\]: expected an ISO-8601 time/,
        "df.event_timestamp.2",
      );
      await expectInvalid(
        pushIt({ push_source_name: "driver_stats_source", df: driverDf([ids[0] ?? 0, null, ids[2] ?? 0]) }),
        /df\.driver_id\[1\]: expected an int64/,
        "df.driver_id.1",
      );
      expect(await offlineRows(ids)).toEqual([]);
      expect(await online(ids)).toEqual(ids.map(() => [null, null, "NOT_FOUND"]));
    });

    it("rolls the offline rows back when Postgres refuses a row, before any online write", async () => {
      const ids = [id(11), id(12)];
      const write = vi.spyOn(ctx.online, "write");
      try {
        await expectInvalid(
          pushIt({
            push_source_name: "driver_stats_source",
            // the table's check constraint wants acc_rate <= 1
            df: driverDf(ids, { acc_rate: [0.5, 5] }),
            to: "online_and_offline",
          }),
          /^offline write to table proj\.driver_stats: a check constraint is violated \(SQLSTATE 23514\)$/,
          "df",
        );
        expect(write).not.toHaveBeenCalled();
      } finally {
        write.mockRestore();
      }
      expect(await offlineRows(ids)).toEqual([]);
    });

    it("rolls the offline rows back when the online write fails", async () => {
      const ids = [id(13)];
      const write = vi.spyOn(ctx.online, "write").mockRejectedValueOnce(new Error("store down"));
      try {
        await expect(
          pushIt({ push_source_name: "driver_stats_source", df: driverDf(ids), to: "online_and_offline" }),
        ).rejects.toThrow("store down");
      } finally {
        write.mockRestore();
      }
      expect(await offlineRows(ids)).toEqual([]);
    });

    it("answers through the HTTP handler", async () => {
      const ok = await handlePush(
        postJson("push", {
          push_source_name: "driver_stats_source",
          df: driverDf([id(14)]),
          project: PROJECT,
        }),
        async () => ctx,
      );
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        rows: 1,
        online: [{ feature_view: "driver_hourly_stats", written: 1 }],
      });
      const bad = await handlePush(
        postJson("push", {
          push_source_name: "driver_stats_source",
          df: { driver_id: [1] },
          project: PROJECT,
        }),
        async () => ctx,
      );
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        error: 'df: the event timestamp column "event_timestamp" is missing',
        field: "df.event_timestamp",
      });
    });
  });
}

describe("push refuses bad requests, naming what is wrong", () => {
  let ctx: Ctx;
  beforeAll(() => {
    ctx = testCtx(t);
  });
  const pushIt = (input: Partial<PushInput>) =>
    push({
      ctx,
      input: { project: PROJECT, push_source_name: "driver_stats_source", df: driverDf([1]), ...input },
    });

  it("an unknown source, or one no online view reads when pushing online", async () => {
    await expectInvalid(
      pushIt({ push_source_name: "ghost" }),
      /data source "ghost" not found/,
      "push_source_name",
    );
    await expectInvalid(
      pushIt({ push_source_name: "events_source", df: { event_timestamp: [T1] } }),
      /no online feature view reads data source "events_source"/,
      "push_source_name",
    );
    await expect(
      pushIt({ push_source_name: "events_source", df: { event_timestamp: [T1] }, to: "offline" }),
    ).resolves.toMatchObject({ offline_rows: 1 });
  });

  it("an offline push to a query source", async () => {
    await expectInvalid(
      pushIt({
        push_source_name: "driver_profile_source",
        df: { driver_id: [1], conv_rate: [0.1], city: ["x"], tags: [["a"]], event_timestamp: [T1] },
        to: "online_and_offline",
      }),
      /is a query source/,
      "to",
    );
  });

  it("unknown, missing and unequal columns", async () => {
    await expectInvalid(
      pushIt({ df: driverDf([1], { conv_rate: [0.1] }) }),
      /df\.conv_rate: data source "driver_stats_source" has no column "conv_rate"/,
      "df.conv_rate",
    );
    await expectInvalid(
      pushIt({ df: { conv: [0.1], acc_rate: [0.1], avg_daily_trips: [1], event_timestamp: [T1] } }),
      /column "driver_id" is missing; it holds join key "driver_id"/,
      "df.driver_id",
    );
    // online rows replace whole stored rows, so every feature of an online target is required
    await expectInvalid(
      pushIt({ df: { driver_id: [1], conv: [0.1], avg_daily_trips: [1], event_timestamp: [T1] } }),
      /column "acc_rate" is missing; it holds feature "acc_rate"/,
      "df.acc_rate",
    );
    await expectInvalid(
      pushIt({ df: driverDf([1, 2], { conv: [0.1] }) }),
      /df\.conv: has 1 values but df\.driver_id has 2/,
      "df.conv",
    );
    await expectInvalid(pushIt({ df: {} }), /^df must not be empty$/, "df");
    await expectInvalid(pushIt({ df: driverDf([]) }), /^df must not be empty$/, "df");
    const many = Array.from({ length: MAX_PUSH_ROWS + 1 }, (_, i) => i);
    await expectInvalid(pushIt({ df: driverDf(many) }), /^batch too large: 10001 rows, limit 10000$/, "df");
  });

  it("a bad target or body shape", async () => {
    await expectInvalid(pushIt({ to: "everywhere" as "online" }), /^to: /, "to");
    await expectInvalid(
      pushIt({ df: { driver_id: 1 } as unknown as Record<string, unknown[]> }),
      /^df\.driver_id: /,
    );
  });
});
