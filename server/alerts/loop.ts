import "server-only";
import type { Ctx } from "../core/context";
import { env } from "../env";
import { type DeliveryPolicy, deliveryPolicy, sendDueDeliveries } from "./deliveries";
import { detectIncidents } from "./detect";

export interface Alerting {
  /** Runs one detection and one send pass now (tests; after a change that should alert at once). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Every worker process's alert loop: every QUIVER_ALERT_POLL_MS, one detection pass (incidents
 * opened and closed) then sends due deliveries until none is left. Passes never overlap in one
 * process; across processes the tables keep them apart (detect.ts, deliveries.ts).
 */
export function startAlerting(opts: {
  ctxFor: () => Ctx;
  pollMs?: number;
  policy?: Partial<DeliveryPolicy>;
}): Alerting {
  const pollMs = opts.pollMs ?? env().QUIVER_ALERT_POLL_MS;
  const policy = deliveryPolicy(opts.policy);
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async () => {
    const ctx = opts.ctxFor();
    const log = ctx.log.child({ job: "alerts" });
    const c = { ...ctx, log };
    try {
      await detectIncidents(c);
    } catch (e) {
      log.error({ err: e }, "incident detection failed");
    }
    try {
      // Drain what is due; a batch smaller than the limit means nothing else is.
      while (!stopped && (await sendDueDeliveries(c, { policy, limit: 20 })).length === 20);
    } catch (e) {
      log.error({ err: e }, "sending webhooks failed");
    }
  };
  const tick = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, pollMs);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
