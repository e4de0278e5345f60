import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { FRESHNESS_STATES } from "../../core/vocabulary";
import { oneOf } from "./common";
import { featureViews } from "./feature-views";

/**
 * A view's lag as sampled once a minute by every worker's sampler (server/freshness/sample-lag.ts):
 * the primary key makes one row per view and minute whatever the number of workers. Kept eight days
 * (the chart shows seven). docs/adr/0034-lag-history-and-run-logs.md.
 */
export const lagSamples = pgTable(
  "lag_samples",
  {
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    /** The minute sampled, truncated (UTC). */
    minute: timestamp("minute", { withTimezone: true }).notNull(),
    /** Seconds between the minute and the watermark; null while the view was never materialized. */
    lagSeconds: integer("lag_seconds"),
    /** The view's SLA at that minute (it may change later); null when it had none. */
    slaSeconds: integer("sla_seconds"),
    /** The freshness state at that minute (server/freshness/state.ts). */
    state: text("state", { enum: FRESHNESS_STATES }).notNull(),
  },
  (t) => [
    primaryKey({ name: "lag_samples_pkey", columns: [t.featureViewId, t.minute] }),
    // The retention delete (minute < now() - 8 days) scans by time, not by view.
    index("lag_samples_minute_idx").on(t.minute),
    check("lag_samples_state_check", oneOf(t.state, FRESHNESS_STATES)),
    check("lag_samples_minute_check", sql`${t.minute} = date_trunc('minute', ${t.minute})`),
  ],
);
