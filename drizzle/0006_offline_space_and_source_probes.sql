CREATE TABLE "project_offline_schemas" (
	"project_id" uuid NOT NULL,
	"schema_name" text NOT NULL,
	"access" text NOT NULL,
	"granted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_offline_schemas_pkey" PRIMARY KEY("project_id","schema_name"),
	CONSTRAINT "project_offline_schemas_access_check" CHECK ("project_offline_schemas"."access" in ('own', 'shared'))
);
--> statement-breakpoint
CREATE TABLE "source_probes" (
	"source_id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"newest_event_ts" timestamp with time zone,
	"row_count" bigint,
	"error" text,
	"duration_ms" integer NOT NULL,
	"probed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "source_probes_status_check" CHECK ("source_probes"."status" in ('ok', 'timeout', 'error'))
);
--> statement-breakpoint
ALTER TABLE "project_offline_schemas" ADD CONSTRAINT "project_offline_schemas_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_probes" ADD CONSTRAINT "source_probes_source_id_data_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."data_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "project_offline_schemas_owned_idx" ON "project_offline_schemas" USING btree ("schema_name") WHERE "project_offline_schemas"."access" = 'own';