CREATE TABLE "transformation_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"transformation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"mode" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"start_ts" timestamp with time zone,
	"end_ts" timestamp with time zone,
	"rows_written" bigint DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "transformation_runs_status_check" CHECK ("transformation_runs"."status" in ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
	CONSTRAINT "transformation_runs_mode_check" CHECK ("transformation_runs"."mode" in ('full', 'incremental', 'backfill'))
);
--> statement-breakpoint
CREATE TABLE "transformation_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"transformation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"sql" text NOT NULL,
	"event_timestamp_column" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"engine" text NOT NULL,
	"sources" jsonb NOT NULL,
	"columns" jsonb NOT NULL,
	"not_incremental" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transformation_versions_engine_check" CHECK ("transformation_versions"."engine" in ('postgres', 'duckdb'))
);
--> statement-breakpoint
CREATE TABLE "transformations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deprecated_at" timestamp with time zone,
	"deprecation_note" text DEFAULT '' NOT NULL,
	"replaced_by" text,
	"current_version" integer NOT NULL,
	"output_source_id" uuid NOT NULL,
	"output_table" text NOT NULL,
	"computed_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_object_type_check";--> statement-breakpoint
ALTER TABLE "transformation_runs" ADD CONSTRAINT "transformation_runs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformation_runs" ADD CONSTRAINT "transformation_runs_transformation_id_transformations_id_fk" FOREIGN KEY ("transformation_id") REFERENCES "public"."transformations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformation_versions" ADD CONSTRAINT "transformation_versions_transformation_id_transformations_id_fk" FOREIGN KEY ("transformation_id") REFERENCES "public"."transformations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformations" ADD CONSTRAINT "transformations_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformations" ADD CONSTRAINT "transformations_output_source_id_data_sources_id_fk" FOREIGN KEY ("output_source_id") REFERENCES "public"."data_sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transformation_runs_transformation_created_idx" ON "transformation_runs" USING btree ("transformation_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "transformation_versions_version_idx" ON "transformation_versions" USING btree ("transformation_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "transformations_project_name_idx" ON "transformations" USING btree ("project_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "transformations_output_source_idx" ON "transformations" USING btree ("output_source_id");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_object_type_check" CHECK ("audit_log"."object_type" in ('project', 'member', 'user', 'api_key', 'entity', 'data_source', 'feature_view', 'feature_service', 'consumer', 'offline_schema', 'dataset', 'alert_rule', 'transformation'));