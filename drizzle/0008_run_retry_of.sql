-- retry_of links a retry to the failed run it retries; the index serves "which run retried this one" (server/materialization/run-row.ts, retry-run.ts).
ALTER TABLE "materialization_runs" ADD COLUMN "retry_of" uuid;--> statement-breakpoint
ALTER TABLE "materialization_runs" ADD CONSTRAINT "materialization_runs_retry_of_materialization_runs_id_fk" FOREIGN KEY ("retry_of") REFERENCES "public"."materialization_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "materialization_runs_retry_of_idx" ON "materialization_runs" USING btree ("retry_of");