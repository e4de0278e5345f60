import { bigint, check, date, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { USAGE_CALLER_KINDS } from "../../core/vocabulary";
import { oneOf } from "./common";
import { featureViews } from "./feature-views";
import { projects } from "./projects";

/**
 * Reads served per feature view, caller and UTC day, counted in memory by every serving process
 * and added here in batches (server/usage/recorder.ts). Rows older than the retention are pruned
 * by the flush. No trigger: usage is not registry state, caches never depend on it.
 */
export const featureViewReads = pgTable(
  "feature_view_reads",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    callerKind: text("caller_kind", { enum: USAGE_CALLER_KINDS }).notNull(),
    /** The API key's id or the user's id; empty for "other". No foreign key: keys and users go, counts stay. */
    callerId: text("caller_id").notNull().default(""),
    /** The UTC day of the reads. */
    day: date("day", { mode: "string" }).notNull(),
    /** Answered lookups that read the view. */
    reads: bigint("reads", { mode: "number" }).notNull().default(0),
    /** Entity rows those lookups asked for. */
    entityRows: bigint("entity_rows", { mode: "number" }).notNull().default(0),
    lastReadAt: timestamp("last_read_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    // View first, then day: the key also serves "one view's recent days" (the usage page).
    primaryKey({
      name: "feature_view_reads_pkey",
      columns: [t.featureViewId, t.day, t.callerKind, t.callerId],
    }),
    // Serves the hourly prune of days past the retention.
    index("feature_view_reads_day_idx").on(t.day),
    check("feature_view_reads_caller_kind_check", oneOf(t.callerKind, USAGE_CALLER_KINDS)),
  ],
);
