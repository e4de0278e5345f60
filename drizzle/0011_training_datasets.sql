CREATE TABLE "consumer_datasets" (
	"consumer_id" uuid NOT NULL,
	"dataset_id" uuid NOT NULL,
	CONSTRAINT "consumer_datasets_consumer_id_dataset_id_pk" PRIMARY KEY("consumer_id","dataset_id")
);
--> statement-breakpoint
CREATE TABLE "dataset_feature_views" (
	"dataset_id" uuid NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"feature_view_version" integer NOT NULL,
	CONSTRAINT "dataset_feature_views_dataset_id_feature_view_id_pk" PRIMARY KEY("dataset_id","feature_view_id")
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"features" text[],
	"feature_service_id" uuid,
	"feature_service_name" text,
	"full_feature_names" boolean DEFAULT false NOT NULL,
	"entity_source_kind" text NOT NULL,
	"entity_source" jsonb NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"rows_total" bigint,
	"rows_done" bigint DEFAULT 0 NOT NULL,
	"size_bytes" bigint,
	"columns" text[],
	"storage_kind" text DEFAULT 'table' NOT NULL,
	"storage_location" text,
	"created_by" text NOT NULL,
	"job_id" uuid,
	"error" text,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "datasets_status_check" CHECK ("datasets"."status" in ('queued', 'building', 'ready', 'failed', 'cancelled')),
	CONSTRAINT "datasets_entity_source_kind_check" CHECK ("datasets"."entity_source_kind" in ('upload', 'query', 'grid')),
	CONSTRAINT "datasets_storage_kind_check" CHECK ("datasets"."storage_kind" in ('table', 'parquet'))
);
--> statement-breakpoint
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_object_type_check";--> statement-breakpoint
ALTER TABLE "data_sources" DROP CONSTRAINT "data_sources_kind_check";--> statement-breakpoint
ALTER TABLE "data_sources" ADD COLUMN "path" text;--> statement-breakpoint
ALTER TABLE "data_sources" ADD COLUMN "file_format" text;--> statement-breakpoint
ALTER TABLE "consumer_datasets" ADD CONSTRAINT "consumer_datasets_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consumer_datasets" ADD CONSTRAINT "consumer_datasets_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dataset_feature_views" ADD CONSTRAINT "dataset_feature_views_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dataset_feature_views" ADD CONSTRAINT "dataset_feature_views_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_feature_service_id_feature_services_id_fk" FOREIGN KEY ("feature_service_id") REFERENCES "public"."feature_services"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consumer_datasets_dataset_idx" ON "consumer_datasets" USING btree ("dataset_id");--> statement-breakpoint
CREATE INDEX "dataset_feature_views_view_idx" ON "dataset_feature_views" USING btree ("feature_view_id");--> statement-breakpoint
CREATE UNIQUE INDEX "datasets_project_name_idx" ON "datasets" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "datasets_project_created_idx" ON "datasets" USING btree ("project_id","created_at");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_object_type_check" CHECK ("audit_log"."object_type" in ('project', 'member', 'user', 'api_key', 'entity', 'data_source', 'feature_view', 'feature_service', 'consumer', 'offline_schema', 'dataset'));--> statement-breakpoint
ALTER TABLE "data_sources" ADD CONSTRAINT "data_sources_file_format_check" CHECK ("data_sources"."file_format" in ('parquet', 'csv'));--> statement-breakpoint
ALTER TABLE "data_sources" ADD CONSTRAINT "data_sources_kind_check" CHECK ("data_sources"."kind" in ('table', 'query', 'file'));