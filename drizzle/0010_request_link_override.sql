ALTER TABLE "dsr_requests" ADD COLUMN "linked_by" text;--> statement-breakpoint
ALTER TABLE "dsr_requests" ADD COLUMN "linked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dsr_requests" ADD COLUMN "link_override_reason" text;
