CREATE TABLE "job_outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"job_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "job_outbox_kind" CHECK ("job_outbox"."kind" in ('erase', 'deleteTemplates', 'enrol'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "job_outbox_pending_job_unique" ON "job_outbox" USING btree ("job_id") WHERE "job_outbox"."enqueued_at" is null;--> statement-breakpoint
CREATE INDEX "job_outbox_created_at_idx" ON "job_outbox" USING btree ("created_at");
