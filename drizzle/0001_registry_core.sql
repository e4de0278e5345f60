CREATE TABLE "consumer_feature_services" (
	"consumer_id" uuid NOT NULL,
	"feature_service_id" uuid NOT NULL,
	CONSTRAINT "consumer_feature_services_consumer_id_feature_service_id_pk" PRIMARY KEY("consumer_id","feature_service_id")
);
--> statement-breakpoint
CREATE TABLE "consumers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "data_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"table_name" text,
	"query" text,
	"timestamp_field" text NOT NULL,
	"created_timestamp_field" text,
	"field_mapping" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"join_key" text NOT NULL,
	"value_type" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feature_service_projections" (
	"feature_service_id" uuid NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"feature_names" text[] NOT NULL,
	CONSTRAINT "feature_service_projections_feature_service_id_feature_view_id_pk" PRIMARY KEY("feature_service_id","feature_view_id")
);
--> statement-breakpoint
CREATE TABLE "feature_services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feature_view_entities" (
	"feature_view_id" uuid NOT NULL,
	"entity_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "feature_view_entities_feature_view_id_entity_id_pk" PRIMARY KEY("feature_view_id","entity_id")
);
--> statement-breakpoint
CREATE TABLE "feature_view_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feature_views" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"current_version" integer NOT NULL,
	"source_id" uuid NOT NULL,
	"ttl_seconds" integer DEFAULT 0 NOT NULL,
	"online" boolean DEFAULT true NOT NULL,
	"freshness_sla_seconds" integer,
	"materialized_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "features" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"view_name" text NOT NULL,
	"name" text NOT NULL,
	"dtype" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tag_pairs" text[] DEFAULT '{}'::text[] NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"entity_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"position" integer NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', replace(coalesce(name, ''), '_', ' ')), 'A') || setweight(to_tsvector('simple', replace(coalesce(view_name, ''), '_', ' ')), 'B') || setweight(to_tsvector('english', coalesce(description, '')), 'C')) STORED
);
--> statement-breakpoint
CREATE TABLE "materialization_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"feature_view_version" integer NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"start_ts" timestamp with time zone NOT NULL,
	"end_ts" timestamp with time zone NOT NULL,
	"rows_read" bigint DEFAULT 0 NOT NULL,
	"rows_written" bigint DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"triggered_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "online_values" (
	"project" text NOT NULL,
	"feature_view" text NOT NULL,
	"entity_key" text NOT NULL,
	"values" jsonb NOT NULL,
	"event_ts" timestamp (6) with time zone NOT NULL,
	"written_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "online_values_project_feature_view_entity_key_pk" PRIMARY KEY("project","feature_view","entity_key")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consumer_feature_services" ADD CONSTRAINT "consumer_feature_services_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consumer_feature_services" ADD CONSTRAINT "consumer_feature_services_feature_service_id_feature_services_id_fk" FOREIGN KEY ("feature_service_id") REFERENCES "public"."feature_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consumers" ADD CONSTRAINT "consumers_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_sources" ADD CONSTRAINT "data_sources_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entities" ADD CONSTRAINT "entities_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_service_projections" ADD CONSTRAINT "feature_service_projections_feature_service_id_feature_services_id_fk" FOREIGN KEY ("feature_service_id") REFERENCES "public"."feature_services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_service_projections" ADD CONSTRAINT "feature_service_projections_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_services" ADD CONSTRAINT "feature_services_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_view_entities" ADD CONSTRAINT "feature_view_entities_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_view_entities" ADD CONSTRAINT "feature_view_entities_entity_id_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_view_versions" ADD CONSTRAINT "feature_view_versions_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_views" ADD CONSTRAINT "feature_views_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_views" ADD CONSTRAINT "feature_views_source_id_data_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."data_sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "features" ADD CONSTRAINT "features_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "features" ADD CONSTRAINT "features_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "materialization_runs" ADD CONSTRAINT "materialization_runs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "materialization_runs" ADD CONSTRAINT "materialization_runs_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consumer_feature_services_service_idx" ON "consumer_feature_services" USING btree ("feature_service_id");--> statement-breakpoint
CREATE UNIQUE INDEX "consumers_project_name_idx" ON "consumers" USING btree ("project_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "data_sources_project_name_idx" ON "data_sources" USING btree ("project_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "entities_project_name_idx" ON "entities" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "feature_service_projections_view_idx" ON "feature_service_projections" USING btree ("feature_view_id");--> statement-breakpoint
CREATE UNIQUE INDEX "feature_services_project_name_idx" ON "feature_services" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "feature_view_entities_entity_idx" ON "feature_view_entities" USING btree ("entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "feature_view_versions_view_version_idx" ON "feature_view_versions" USING btree ("feature_view_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "feature_views_project_name_idx" ON "feature_views" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "feature_views_source_idx" ON "feature_views" USING btree ("source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "features_view_name_idx" ON "features" USING btree ("feature_view_id","name");--> statement-breakpoint
CREATE INDEX "features_search_vector_idx" ON "features" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "features_name_trgm_idx" ON "features" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "features_tag_pairs_idx" ON "features" USING gin ("tag_pairs");--> statement-breakpoint
CREATE INDEX "features_entity_names_idx" ON "features" USING gin ("entity_names");--> statement-breakpoint
CREATE INDEX "features_project_idx" ON "features" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "materialization_runs_view_created_idx" ON "materialization_runs" USING btree ("feature_view_id","created_at");--> statement-breakpoint
CREATE INDEX "materialization_runs_project_created_idx" ON "materialization_runs" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_name_idx" ON "projects" USING btree ("name");