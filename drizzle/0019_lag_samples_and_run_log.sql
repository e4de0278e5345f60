CREATE TABLE "lag_samples" (
	"feature_view_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"lag_seconds" integer,
	"sla_seconds" integer,
	"state" text NOT NULL,
	CONSTRAINT "lag_samples_pkey" PRIMARY KEY("feature_view_id","minute"),
	CONSTRAINT "lag_samples_state_check" CHECK ("lag_samples"."state" in ('failing', 'never_materialized', 'late', 'at_risk', 'met', 'no_sla')),
	CONSTRAINT "lag_samples_minute_check" CHECK ("lag_samples"."minute" = date_trunc('minute', "lag_samples"."minute"))
);
--> statement-breakpoint
CREATE TABLE "materialization_run_log" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "materialization_run_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"level" text NOT NULL,
	"step" text NOT NULL,
	"message" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "materialization_run_log_level_check" CHECK ("materialization_run_log"."level" in ('info', 'warn', 'error'))
);
--> statement-breakpoint
ALTER TABLE "lag_samples" ADD CONSTRAINT "lag_samples_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "materialization_run_log" ADD CONSTRAINT "materialization_run_log_run_id_materialization_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."materialization_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lag_samples_minute_idx" ON "lag_samples" USING btree ("minute");--> statement-breakpoint
CREATE INDEX "materialization_run_log_run_seq_idx" ON "materialization_run_log" USING btree ("run_id","seq");