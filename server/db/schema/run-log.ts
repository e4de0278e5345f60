import { bigint, check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { RUN_LOG_LEVELS } from "../../core/vocabulary";
import { oneOf } from "./common";
import { materializationRuns } from "./materialization-runs";

export type { RunLogLevel } from "../../core/vocabulary";

/**
 * A run's short structured log (server/materialization/run-log.ts): its window at each claim,
 * a bounded sample of its batches, split ranges, retries, its safe error, its totals. `seq` is one
 * sequence for all runs, so writers in several processes never collide and a run's entries sort
 * in the order they were written. docs/adr/0034-lag-history-and-run-logs.md.
 */
export const materializationRunLog = pgTable(
  "materialization_run_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    runId: uuid("run_id")
      .notNull()
      .references(() => materializationRuns.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    level: text("level", { enum: RUN_LOG_LEVELS }).notNull(),
    /** What the run was doing: claim, batch, ranges, retry, error, success, cancelled. */
    step: text("step").notNull(),
    /** Safe to show: never a secret, a value or raw SQL. */
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // jobs.log reads a run's entries in order; the cap counts them.
    index("materialization_run_log_run_seq_idx").on(t.runId, t.seq),
    check("materialization_run_log_level_check", oneOf(t.level, RUN_LOG_LEVELS)),
  ],
);
