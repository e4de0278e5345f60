CREATE TABLE "feature_statistics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"feature_view_version" integer NOT NULL,
	"feature" text NOT NULL,
	"dtype" text NOT NULL,
	"computation_id" uuid NOT NULL,
	"run_id" uuid,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"count" bigint NOT NULL,
	"nulls" bigint NOT NULL,
	"distinct_count" bigint,
	"distinct_method" text,
	"min" double precision,
	"max" double precision,
	"mean" double precision,
	"stddev" double precision,
	"outside_ttl" double precision NOT NULL,
	"histogram" jsonb,
	"top_values" jsonb,
	"psi" double precision,
	"drift_threshold" double precision NOT NULL,
	"drift" boolean DEFAULT false NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feature_statistics_kind_check" CHECK ("feature_statistics"."kind" in ('numeric', 'categorical', 'count_only')),
	CONSTRAINT "feature_statistics_distinct_method_check" CHECK ("feature_statistics"."distinct_method" in ('exact', 'approximate'))
);
--> statement-breakpoint
CREATE TABLE "statistics_settings" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"drift_threshold" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feature_statistics" ADD CONSTRAINT "feature_statistics_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_statistics" ADD CONSTRAINT "feature_statistics_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_statistics" ADD CONSTRAINT "feature_statistics_run_id_materialization_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."materialization_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statistics_settings" ADD CONSTRAINT "statistics_settings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "feature_statistics_computation_feature_idx" ON "feature_statistics" USING btree ("computation_id","feature");--> statement-breakpoint
CREATE INDEX "feature_statistics_view_feature_computed_idx" ON "feature_statistics" USING btree ("feature_view_id","feature","computed_at");--> statement-breakpoint
CREATE INDEX "feature_statistics_run_idx" ON "feature_statistics" USING btree ("run_id");