import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { recordingJobs } from "../../test/helpers/materialization";
import { startReceiver } from "../../test/helpers/webhook-receiver";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { createDb, createPool, schema } from "../db/client";
import { createFeatureView, requireProject } from "../registry";
import { type DeliveryPolicy, sendDueDeliveries } from "./deliveries";
import { detectIncidents } from "./detect";
import { raiseDriftAlert } from "./drift";
import { listDeliveries, listIncidents } from "./list";
import { startAlerting } from "./loop";
import { createAlertRule, listAlertRules, testAlertRule, updateAlertRule } from "./rules";
import { verifySignature } from "./sign";

let t: TestDb;
let ctx: Ctx;
let other: { ctx: Ctx; close: () => Promise<void> };
let projectId: string;
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
const QUICK: DeliveryPolicy = { maxAttempts: 3, retryMs: 20, timeoutMs: 1_000 };

async function receiver(answer?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

async function viewRow(name: string) {
  const [v] = await ctx.db.select().from(schema.featureViews).where(eq(schema.featureViews.name, name));
  if (!v) throw new Error(`no view ${name}`);
  return v;
}

async function addRun(view: string, status: "succeeded" | "failed") {
  const v = await viewRow(view);
  await ctx.db.insert(schema.materializationRuns).values({
    id: randomUUID(),
    projectId: v.projectId,
    featureViewId: v.id,
    featureViewVersion: 1,
    kind: "incremental",
    status,
    startTs: new Date(Date.now() - 3600_000),
    endTs: new Date(),
    triggeredBy: "test",
    error: status === "failed" ? "reading source: timed out after 600 s" : null,
  });
  if (status === "succeeded")
    await ctx.db
      .update(schema.featureViews)
      .set({ materializedUntil: new Date() })
      .where(eq(schema.featureViews.id, v.id));
}

/** Sends until nothing is pending (retries are due after QUICK's short delays), within a deadline. */
async function drain(deadlineMs = 10_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    await sendDueDeliveries(ctx, { policy: QUICK });
    const pending = await ctx.db
      .select()
      .from(schema.alertDeliveries)
      .where(eq(schema.alertDeliveries.status, "pending"));
    if (pending.length === 0) return;
    if (Date.now() > end) throw new Error(`${pending.length} deliveries still pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  // A second process: its own pool, so its transactions race the first's for real.
  const pool = createPool(t.url, 3);
  other = { ctx: { ...ctx, db: createDb(pool) }, close: () => pool.end() };
  await seedBasics(ctx, t);
  projectId = (await requireProject(ctx, "proj")).id;
  // An hour's SLA and no run: in breach (no_run) from the first pass.
  await createFeatureView({
    ctx,
    input: { project: "proj", spec: driverViewSpec({ freshnessSlaSeconds: 3600 }) },
  });
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await other?.close();
  await t?.drop();
});

describe("alert rules", () => {
  it("refuses URLs that are not http(s), hold credentials or do not parse, naming the field", async () => {
    for (const url of [
      "ftp://example.com/hook",
      "http://user:pw@example.com/hook",
      "not a url",
      "javascript:alert(1)",
    ]) {
      const e = await createAlertRule({
        ctx,
        input: { project: "proj", name: `bad_${randomUUID()}`, events: ["breach"], format: "json", url },
      }).catch((x: unknown) => x);
      expect(e, url).toBeInstanceOf(InvalidError);
      expect((e as InvalidError).field).toBe("url");
    }
    expect(await listAlertRules({ ctx, input: { project: "proj" } })).toEqual([]);
  });

  it("refuses a filter naming a view the project does not have", async () => {
    await expect(
      createAlertRule({
        ctx,
        input: {
          project: "proj",
          name: "nowhere",
          events: ["breach"],
          featureView: "no_such_view",
          format: "json",
          url: "http://127.0.0.1:9/",
        },
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", field: "featureView" });
  });
});

describe("incidents and deliveries", () => {
  let json: Awaited<ReturnType<typeof receiver>>;
  let slack: Awaited<ReturnType<typeof receiver>>;
  let teams: Awaited<ReturnType<typeof receiver>>;
  let secret: string;

  beforeAll(async () => {
    json = await receiver();
    slack = await receiver();
    teams = await receiver();
    const made = await createAlertRule({
      ctx,
      input: {
        project: "proj",
        name: "ops json",
        events: ["breach", "recovery"],
        format: "json",
        url: json.url,
      },
    });
    secret = made.secret;
    await createAlertRule({
      ctx,
      input: {
        project: "proj",
        name: "ops slack",
        events: ["breach", "recovery"],
        format: "slack",
        url: slack.url,
      },
    });
    await createAlertRule({
      ctx,
      input: { project: "proj", name: "ops teams", events: ["breach"], format: "teams", url: teams.url },
    });
  });

  it("answers the secret once at creation and never in the rule list", async () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const rules = await listAlertRules({ ctx, input: { project: "proj" } });
    expect(rules.map((r) => r.name).sort()).toEqual(["ops json", "ops slack", "ops teams"]);
    const text = JSON.stringify(rules);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/secret/i);
  });

  it("opens one incident and sends one breach per rule, however many passes and detectors", async () => {
    // Two detectors at once, then many passes: one incident, one delivery per rule.
    const results = await Promise.all([detectIncidents(ctx), detectIncidents(other.ctx)]);
    expect(results.map((r) => r.opened).sort()).toEqual([0, 1]);
    for (let i = 0; i < 5; i++)
      expect(await detectIncidents(i % 2 ? ctx : other.ctx)).toEqual({ opened: 0, closed: 0 });
    const { incidents } = await listIncidents({ ctx, input: { project: "proj" } });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      featureView: "driver_hourly_stats",
      cause: "no_run",
      closedAt: null,
    });
    await Promise.all([drain(), sendDueDeliveries(other.ctx, { policy: QUICK })]);
    expect([json.received.length, slack.received.length, teams.received.length]).toEqual([1, 1, 1]);
    const { deliveries } = await listDeliveries({ ctx, input: { project: "proj" } });
    expect(deliveries).toHaveLength(3);
    for (const d of deliveries)
      expect(d).toMatchObject({
        event: "breach",
        featureView: "driver_hourly_stats",
        status: "delivered",
        attempts: 1,
        responseCode: 200,
        lastError: null,
      });
  });

  it("signs the body: HMAC-SHA256 of timestamp.body, checkable by the receiver, refused when altered or stale", async () => {
    const [got] = json.received;
    if (!got) throw new Error("nothing received");
    const timestamp = got.headers["x-quiver-timestamp"] as string;
    const signature = got.headers["x-quiver-signature"] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature({ secret, body: got.body, timestamp, signature })).toBe(true);
    expect(verifySignature({ secret, body: `${got.body} `, timestamp, signature })).toBe(false);
    expect(verifySignature({ secret: `${secret}x`, body: got.body, timestamp, signature })).toBe(false);
    const later = new Date((Number(timestamp) + 301) * 1000);
    expect(verifySignature({ secret, body: got.body, timestamp, signature, now: later })).toBe(false);
  });

  it("sends the documented bodies: generic JSON, Slack {text, blocks}, Teams Adaptive Card attachment", async () => {
    const body = json.received[0]?.json;
    expect(body).toMatchObject({
      event: "breach",
      project: "proj",
      featureView: "driver_hourly_stats",
      incident: { cause: "no_run", closedAt: null, durationSeconds: null },
      link: expect.stringMatching(/\/p\/proj\/views\/driver_hourly_stats$/),
      details: { state: "never_materialized", slaSeconds: 3600 },
    });
    expect(typeof body?.summary).toBe("string");
    const s = slack.received[0]?.json;
    expect(s?.text).toMatch(/^Freshness breach: Feature view proj\/driver_hourly_stats is in breach/);
    expect(Array.isArray(s?.blocks)).toBe(true);
    expect(((s?.blocks ?? []) as { type: string }[]).map((b) => b.type)).toEqual([
      "header",
      "section",
      "context",
    ]);
    const m = teams.received[0]?.json;
    expect(m).toMatchObject({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          content: { type: "AdaptiveCard", version: "1.4", actions: [{ type: "Action.OpenUrl" }] },
        },
      ],
    });
  });

  it("closes the incident on recovery and sends one recovery to the rules that heard of the breach", async () => {
    await addRun("driver_hourly_stats", "succeeded");
    const results = await Promise.all([detectIncidents(ctx), detectIncidents(other.ctx)]);
    expect(results.map((r) => r.closed).sort()).toEqual([0, 1]);
    for (let i = 0; i < 3; i++) expect(await detectIncidents(ctx)).toEqual({ opened: 0, closed: 0 });
    await drain();
    // json and slack listen to recoveries; teams does not.
    expect([json.received.length, slack.received.length, teams.received.length]).toEqual([2, 2, 1]);
    expect(json.received[1]?.json).toMatchObject({ event: "recovery", incident: { cause: "no_run" } });
    const { incidents } = await listIncidents({
      ctx,
      input: { project: "proj", featureView: "driver_hourly_stats" },
    });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.closedAt).toBeInstanceOf(Date);
    const recoveries = await listDeliveries({ ctx, input: { project: "proj", event: "recovery" } });
    expect(recoveries.total).toBe(2);
  });

  it("opens a failed_run incident when the last run fails, sent to rules listening to failed_run only", async () => {
    const failures = await receiver();
    await createAlertRule({
      ctx,
      input: { project: "proj", name: "failures", events: ["failed_run"], format: "json", url: failures.url },
    });
    await addRun("driver_hourly_stats", "failed");
    expect(await detectIncidents(ctx)).toEqual({ opened: 1, closed: 0 });
    await drain();
    expect(failures.received.map((r) => r.json.event)).toEqual(["failed_run"]);
    expect(failures.received[0]?.json).toMatchObject({ incident: { cause: "failed_run" } });
    // The breach rules do not listen to failed_run.
    expect([json.received.length, slack.received.length]).toEqual([2, 2]);
    const open = await listIncidents({ ctx, input: { project: "proj", open: true } });
    expect(open.incidents.map((i) => i.cause)).toEqual(["failed_run"]);
  });
});

describe("retries", () => {
  it("retries a receiver that answers 500, then logs the delivery with its attempts and final code", async () => {
    const flaky = await receiver((n) => (n === 0 ? 500 : 200));
    await createAlertRule({
      ctx,
      input: { project: "proj", name: "flaky", events: ["drift"], format: "json", url: flaky.url },
    });
    const view = await viewRow("driver_hourly_stats");
    const report = {
      projectId,
      featureViewId: view.id,
      feature: "conv_rate",
      runId: randomUUID(),
      psi: 0.31,
      threshold: 0.2,
    };
    expect(await raiseDriftAlert(ctx, report)).toBe(1);
    // Once per (rule, run, feature).
    expect(await raiseDriftAlert(ctx, report)).toBe(0);
    const [first] = await sendDueDeliveries(ctx, { policy: QUICK });
    expect(first).toMatchObject({ status: "pending", attempts: 1, responseCode: 500, lastError: "HTTP 500" });
    await drain();
    const { deliveries } = await listDeliveries({ ctx, input: { project: "proj", event: "drift" } });
    expect(deliveries).toEqual([
      expect.objectContaining({
        rule: "flaky",
        status: "delivered",
        attempts: 2,
        responseCode: 200,
        lastError: null,
      }),
    ]);
    expect(flaky.received).toHaveLength(2);
    expect(flaky.received[1]?.json).toMatchObject({
      event: "drift",
      details: { feature: "conv_rate", psi: 0.31 },
    });
  });

  it("fails a delivery after the last attempt, and never follows a redirect", async () => {
    const down = await receiver(() => 503);
    const moved = await receiver(() => 302);
    const a = await createAlertRule({
      ctx,
      input: { project: "proj", name: "down", events: ["drift"], format: "json", url: down.url },
    });
    const b = await createAlertRule({
      ctx,
      input: { project: "proj", name: "moved", events: ["drift"], format: "json", url: moved.url },
    });
    const view = await viewRow("driver_hourly_stats");
    await raiseDriftAlert(ctx, {
      projectId,
      featureViewId: view.id,
      feature: "acc_rate",
      runId: randomUUID(),
      psi: 0.5,
      threshold: 0.2,
    });
    await drain();
    const byRule = async (ruleId: string) =>
      (await listDeliveries({ ctx, input: { project: "proj", ruleId } })).deliveries;
    expect(await byRule(a.rule.id)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 3, responseCode: 503, lastError: "HTTP 503" }),
    ]);
    expect(await byRule(b.rule.id)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 3, responseCode: 302 }),
    ]);
    expect(down.received).toHaveLength(3);
    expect(moved.received).toHaveLength(3);
    // The redirect's target (the discard port) was never asked; the error says why, not where.
    expect((await byRule(b.rule.id))[0]?.lastError).toBe("HTTP 302: redirects are not followed");
  });

  it("gives up on a receiver that does not answer in time, saying so without its address", async () => {
    const slow = await receiver(() => "hang");
    const { rule } = await createAlertRule({
      ctx,
      input: { project: "proj", name: "slow", events: ["drift"], format: "json", url: slow.url },
    });
    await ctx.db
      .update(schema.alertRules)
      .set({ events: ["breach"] })
      .where(and(eq(schema.alertRules.projectId, projectId), eq(schema.alertRules.name, "flaky")));
    const view = await viewRow("driver_hourly_stats");
    await raiseDriftAlert(ctx, {
      projectId,
      featureViewId: view.id,
      feature: "avg_daily_trips",
      runId: randomUUID(),
      psi: 0.4,
      threshold: 0.2,
    });
    const [d] = await sendDueDeliveries(ctx, {
      policy: { ...QUICK, timeoutMs: 200 },
      ids: (await listDeliveries({ ctx, input: { project: "proj", ruleId: rule.id } })).deliveries.map(
        (x) => x.id,
      ),
    });
    expect(d).toMatchObject({
      status: "pending",
      attempts: 1,
      responseCode: null,
      lastError: "no answer within 0.2 s",
    });
    // Disabling the rule fails what it still had to send.
    await updateAlertRule({ ctx, input: { project: "proj", id: rule.id, enabled: false } });
    const after = (await listDeliveries({ ctx, input: { project: "proj", ruleId: rule.id } })).deliveries;
    expect(after).toEqual([
      expect.objectContaining({ status: "failed", lastError: "the rule was disabled before it was sent" }),
    ]);
  });

  it("sends a test delivery at once and logs it", async () => {
    const r = await receiver();
    const { rule } = await createAlertRule({
      ctx,
      input: { project: "proj", name: "tested", events: ["breach"], format: "teams", url: r.url },
    });
    const d = await testAlertRule({ ctx, input: { project: "proj", id: rule.id } });
    expect(d).toMatchObject({
      event: "test",
      status: "delivered",
      attempts: 1,
      responseCode: 200,
      rule: "tested",
    });
    expect(r.received).toHaveLength(1);
    expect(r.received[0]?.headers["x-quiver-delivery"]).toBe(d.id);
  });
});

describe("the loop", () => {
  it("detects and sends on each tick, and stops", async () => {
    const r = await receiver();
    await createAlertRule({
      ctx,
      input: {
        project: "proj",
        name: "looped",
        events: ["failed_run", "recovery"],
        format: "json",
        url: r.url,
      },
    });
    // The view's failed_run incident from above is still open: recovery comes with the next success.
    await addRun("driver_hourly_stats", "succeeded");
    const loop = startAlerting({ ctxFor: () => ctx, pollMs: 60_000, policy: QUICK });
    try {
      await loop.tick();
      expect(r.received).toHaveLength(0); // "looped" never heard of that incident's opening.
      await addRun("driver_hourly_stats", "failed");
      await loop.tick();
      await addRun("driver_hourly_stats", "succeeded");
      await loop.tick();
      expect(r.received.map((x) => x.json.event)).toEqual(["failed_run", "recovery"]);
    } finally {
      await loop.stop();
    }
  });
});
