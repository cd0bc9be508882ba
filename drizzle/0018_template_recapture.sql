ALTER TYPE "public"."notification_kind" ADD VALUE 'recapture_needed';--> statement-breakpoint
ALTER TABLE "face_templates" ADD COLUMN "recapture_needed_at" timestamp with time zone;