import "server-only";
import type { AlertFormat } from "../core/vocabulary";
import type { AlertPayload } from "./payload";

/**
 * The body each format sends, from one payload (docs/adr/0032-alerts.md, "Bodies"):
 * - json: the payload itself;
 * - slack: `{text, blocks}`, what a Slack incoming webhook (or a Slack-compatible one) accepts;
 * - teams: a message with one Adaptive Card in `attachments`, what a Teams workflow webhook accepts.
 */
export function renderBody(format: AlertFormat, p: AlertPayload): Record<string, unknown> {
  if (format === "json") return { ...p };
  if (format === "slack") return slackBody(p);
  return teamsBody(p);
}

const TITLES: Record<AlertPayload["event"], string> = {
  breach: "Freshness breach",
  failed_run: "Materialization failed",
  recovery: "Recovered",
  drift: "Feature drift",
  test: "Test alert",
};

function facts(p: AlertPayload): { title: string; value: string }[] {
  const out = [{ title: "Project", value: p.project }];
  if (p.featureView) out.push({ title: "Feature view", value: p.featureView });
  if (p.incident) {
    out.push({ title: "Cause", value: p.incident.cause }, { title: "Since", value: p.incident.openedAt });
    if (p.incident.closedAt) out.push({ title: "Until", value: p.incident.closedAt });
  }
  out.push({ title: "At", value: p.occurredAt });
  return out;
}

function slackBody(p: AlertPayload): Record<string, unknown> {
  const title = TITLES[p.event];
  return {
    text: `${title}: ${p.summary}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title } },
      { type: "section", text: { type: "mrkdwn", text: `${p.summary} <${p.link}|Open in Quiver>` } },
      {
        type: "context",
        elements: facts(p).map((f) => ({ type: "mrkdwn", text: `*${f.title}:* ${f.value}` })),
      },
    ],
  };
}

function teamsBody(p: AlertPayload): Record<string, unknown> {
  return {
    type: "message",
    summary: p.summary,
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: TITLES[p.event], weight: "Bolder", size: "Medium", wrap: true },
            { type: "TextBlock", text: p.summary, wrap: true },
            { type: "FactSet", facts: facts(p) },
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open in Quiver", url: p.link }],
        },
      },
    ],
  };
}
