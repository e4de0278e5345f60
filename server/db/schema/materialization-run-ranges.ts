import { bigint, check, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { RUN_RANGE_STATUSES } from "../../core/vocabulary";
import { oneOf } from "./common";
import { materializationRuns } from "./materialization-runs";

export type { RunRangeStatus } from "../../core/vocabulary";

/**
 * One key range of a materialization run split across workers (docs/adr/0005-materialization.md,
 * "Parallel key ranges"): the entities whose key hashes to `range_index` modulo `range_count`,
 * planned by one attempt of the run. Its id is its queue job's id. The run row stays the run's
 * record (status, progress, error, watermark); these rows are how its workers share the work.
 */
export const materializationRunRanges = pgTable(
  "materialization_run_ranges",
  {
    id: uuid("id").primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => materializationRuns.id, { onDelete: "cascade" }),
    /** The run attempt that planned this range; only that attempt's workers may write it. */
    runAttempt: integer("run_attempt").notNull(),
    rangeIndex: integer("range_index").notNull(),
    rangeCount: integer("range_count").notNull(),
    status: text("status", { enum: RUN_RANGE_STATUSES }).notNull().default("queued"),
    /** Claims of this range (a claim after a worker stopped beating is a retry of the range). */
    attempts: integer("attempts").notNull().default(0),
    rowsRead: bigint("rows_read", { mode: "number" }).notNull().default(0),
    rowsWritten: bigint("rows_written", { mode: "number" }).notNull().default(0),
    /** Error text safe to show to users. */
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    // Serves the coordinator's poll of its attempt's ranges and keeps one row per range.
    unique("materialization_run_ranges_run_range_key").on(t.runId, t.runAttempt, t.rangeIndex),
    check("materialization_run_ranges_status_check", oneOf(t.status, RUN_RANGE_STATUSES)),
  ],
);
