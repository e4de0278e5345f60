CREATE TABLE "feature_service_on_demand_projections" (
	"feature_service_id" uuid NOT NULL,
	"on_demand_view_id" uuid NOT NULL,
	"feature_names" text[] NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "feature_service_on_demand_projections_feature_service_id_on_demand_view_id_pk" PRIMARY KEY("feature_service_id","on_demand_view_id")
);
--> statement-breakpoint
CREATE TABLE "on_demand_view_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"on_demand_view_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "on_demand_views" (
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
	"current_version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_object_type_check";--> statement-breakpoint
ALTER TABLE "feature_service_on_demand_projections" ADD CONSTRAINT "feature_service_on_demand_projections_feature_service_id_feature_services_id_fk" FOREIGN KEY ("feature_service_id") REFERENCES "public"."feature_services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_service_on_demand_projections" ADD CONSTRAINT "feature_service_on_demand_projections_on_demand_view_id_on_demand_views_id_fk" FOREIGN KEY ("on_demand_view_id") REFERENCES "public"."on_demand_views"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "on_demand_view_versions" ADD CONSTRAINT "on_demand_view_versions_on_demand_view_id_on_demand_views_id_fk" FOREIGN KEY ("on_demand_view_id") REFERENCES "public"."on_demand_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "on_demand_views" ADD CONSTRAINT "on_demand_views_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feature_service_on_demand_projections_view_idx" ON "feature_service_on_demand_projections" USING btree ("on_demand_view_id");--> statement-breakpoint
CREATE UNIQUE INDEX "on_demand_view_versions_view_version_idx" ON "on_demand_view_versions" USING btree ("on_demand_view_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "on_demand_views_project_name_idx" ON "on_demand_views" USING btree ("project_id","name");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_object_type_check" CHECK ("audit_log"."object_type" in ('project', 'member', 'user', 'api_key', 'entity', 'data_source', 'feature_view', 'feature_service', 'consumer', 'offline_schema', 'dataset', 'alert_rule', 'transformation', 'stream_view', 'on_demand_view'));--> statement-breakpoint
-- Added by hand (as drizzle/0012 did for the tables it names): serving processes keep on-demand
-- views and feature services in memory (server/registry-cache), so writes to these tables notify
-- channel `quiver_registry` with the table's name when their transaction commits.
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "on_demand_views" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "on_demand_view_versions" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "feature_service_on_demand_projections" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
