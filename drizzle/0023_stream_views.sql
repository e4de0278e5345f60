CREATE TABLE "stream_view_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stream_view_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream_views" (
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
	"stream_adapter" text NOT NULL,
	"stream_key" text NOT NULL,
	"tile_seconds" integer NOT NULL,
	CONSTRAINT "stream_views_stream_adapter_check" CHECK ("stream_views"."stream_adapter" in ('redis'))
);
--> statement-breakpoint
ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_object_type_check";--> statement-breakpoint
ALTER TABLE "stream_view_versions" ADD CONSTRAINT "stream_view_versions_stream_view_id_stream_views_id_fk" FOREIGN KEY ("stream_view_id") REFERENCES "public"."stream_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_views" ADD CONSTRAINT "stream_views_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "stream_view_versions_view_version_idx" ON "stream_view_versions" USING btree ("stream_view_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "stream_views_project_name_idx" ON "stream_views" USING btree ("project_id","name");--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_object_type_check" CHECK ("audit_log"."object_type" in ('project', 'member', 'user', 'api_key', 'entity', 'data_source', 'feature_view', 'feature_service', 'consumer', 'offline_schema', 'dataset', 'alert_rule', 'transformation', 'stream_view'));