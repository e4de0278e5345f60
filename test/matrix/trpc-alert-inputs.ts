import { randomUUID } from "node:crypto";
import { createAlertRule } from "../../server/alerts";
import type { Ctx } from "../../server/core/context";

/**
 * Matrix inputs of alerts.* (server/trpc/routers/alerts.ts). Each cell that changes a rule gets a
 * rule of its own; its URL is the discard port of loopback, so a test delivery fails at once.
 */
const P = "proj";
const URL = "http://127.0.0.1:9/quiver-matrix";

async function freshRule(trusted: Ctx): Promise<{ project: string; id: string }> {
  const { rule } = await createAlertRule({
    ctx: trusted,
    input: { project: P, name: `rule_${randomUUID()}`, events: ["breach"], format: "json", url: URL },
  });
  return { project: P, id: rule.id };
}

export const ALERT_MATRIX_INPUTS: Record<string, (trusted: Ctx) => Promise<unknown> | unknown> = {
  "alerts.rules.list": () => ({ project: P }),
  "alerts.rules.create": () => ({
    project: P,
    name: `rule_${randomUUID()}`,
    events: ["breach", "recovery"],
    format: "slack",
    url: URL,
  }),
  "alerts.rules.update": async (trusted) => ({ ...(await freshRule(trusted)), enabled: false }),
  "alerts.rules.delete": freshRule,
  "alerts.rules.test": freshRule,
  "alerts.deliveries.list": () => ({ project: P }),
  "alerts.incidents.list": () => ({ project: P }),
};
