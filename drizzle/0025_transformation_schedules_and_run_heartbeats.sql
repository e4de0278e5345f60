CREATE TABLE "transformation_schedule_ticks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"transformation_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"tick_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"run_id" uuid,
	"reason" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transformation_schedule_ticks_tick_unique" UNIQUE("transformation_id","tick_at"),
	CONSTRAINT "transformation_schedule_ticks_outcome_check" CHECK ("transformation_schedule_ticks"."outcome" in ('started', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "transformation_schedules" (
	"transformation_id" uuid PRIMARY KEY NOT NULL,
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
	CONSTRAINT "transformation_schedules_kind_check" CHECK ("transformation_schedules"."kind" in ('cron', 'every')),
	CONSTRAINT "transformation_schedules_shape_check" CHECK (("transformation_schedules"."kind" = 'cron' and "transformation_schedules"."cron" is not null and "transformation_schedules"."every_minutes" is null) or ("transformation_schedules"."kind" = 'every' and "transformation_schedules"."cron" is null and "transformation_schedules"."every_minutes" between 1 and 1440))
);
--> statement-breakpoint
ALTER TABLE "transformation_runs" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "transformation_schedule_ticks" ADD CONSTRAINT "transformation_schedule_ticks_transformation_id_transformations_id_fk" FOREIGN KEY ("transformation_id") REFERENCES "public"."transformations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformation_schedule_ticks" ADD CONSTRAINT "transformation_schedule_ticks_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformation_schedule_ticks" ADD CONSTRAINT "transformation_schedule_ticks_run_id_transformation_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."transformation_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformation_schedules" ADD CONSTRAINT "transformation_schedules_transformation_id_transformations_id_fk" FOREIGN KEY ("transformation_id") REFERENCES "public"."transformations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transformation_schedules" ADD CONSTRAINT "transformation_schedules_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transformation_schedule_ticks_created_idx" ON "transformation_schedule_ticks" USING btree ("transformation_id","created_at");--> statement-breakpoint
CREATE INDEX "transformation_schedules_due_idx" ON "transformation_schedules" USING btree ("next_run_at") WHERE not "transformation_schedules"."paused";--> statement-breakpoint
CREATE INDEX "transformation_schedules_project_idx" ON "transformation_schedules" USING btree ("project_id");