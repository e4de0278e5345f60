CREATE TABLE "feature_view_reads" (
	"project_id" uuid NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"caller_kind" text NOT NULL,
	"caller_id" text DEFAULT '' NOT NULL,
	"day" date NOT NULL,
	"reads" bigint DEFAULT 0 NOT NULL,
	"entity_rows" bigint DEFAULT 0 NOT NULL,
	"last_read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "feature_view_reads_pkey" PRIMARY KEY("feature_view_id","day","caller_kind","caller_id"),
	CONSTRAINT "feature_view_reads_caller_kind_check" CHECK ("feature_view_reads"."caller_kind" in ('api_key', 'user', 'other'))
);
--> statement-breakpoint
ALTER TABLE "feature_view_reads" ADD CONSTRAINT "feature_view_reads_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_view_reads" ADD CONSTRAINT "feature_view_reads_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feature_view_reads_day_idx" ON "feature_view_reads" USING btree ("day");