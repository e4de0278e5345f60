CREATE TABLE "feature_view_schedules" (
	"feature_view_id" uuid PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"cron" text,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"every_minutes" integer,
	"paused" boolean DEFAULT false NOT NULL,
	"next_run_at" timestamp with time zone,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feature_view_schedules_kind_check" CHECK ("feature_view_schedules"."kind" in ('cron', 'every')),
	CONSTRAINT "feature_view_schedules_shape_check" CHECK (("feature_view_schedules"."kind" = 'cron' and "feature_view_schedules"."cron" is not null and "feature_view_schedules"."every_minutes" is null) or ("feature_view_schedules"."kind" = 'every' and "feature_view_schedules"."cron" is null and "feature_view_schedules"."every_minutes" between 1 and 1440))
);
--> statement-breakpoint
CREATE TABLE "schedule_ticks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"feature_view_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"tick_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"run_id" uuid,
	"reason" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedule_ticks_view_tick_unique" UNIQUE("feature_view_id","tick_at"),
	CONSTRAINT "schedule_ticks_outcome_check" CHECK ("schedule_ticks"."outcome" in ('started', 'skipped'))
);
--> statement-breakpoint
ALTER TABLE "feature_view_schedules" ADD CONSTRAINT "feature_view_schedules_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feature_view_schedules" ADD CONSTRAINT "feature_view_schedules_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_ticks" ADD CONSTRAINT "schedule_ticks_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_ticks" ADD CONSTRAINT "schedule_ticks_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_ticks" ADD CONSTRAINT "schedule_ticks_run_id_materialization_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."materialization_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feature_view_schedules_due_idx" ON "feature_view_schedules" USING btree ("next_run_at") WHERE not "feature_view_schedules"."paused";--> statement-breakpoint
CREATE INDEX "feature_view_schedules_project_idx" ON "feature_view_schedules" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "schedule_ticks_view_created_idx" ON "schedule_ticks" USING btree ("feature_view_id","created_at");