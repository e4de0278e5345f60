CREATE TABLE "materialization_run_ranges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"run_attempt" integer NOT NULL,
	"range_index" integer NOT NULL,
	"range_count" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"rows_read" bigint DEFAULT 0 NOT NULL,
	"rows_written" bigint DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "materialization_run_ranges_run_range_key" UNIQUE("run_id","run_attempt","range_index"),
	CONSTRAINT "materialization_run_ranges_status_check" CHECK ("materialization_run_ranges"."status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "materialization_run_ranges" ADD CONSTRAINT "materialization_run_ranges_run_id_materialization_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."materialization_runs"("id") ON DELETE cascade ON UPDATE no action;