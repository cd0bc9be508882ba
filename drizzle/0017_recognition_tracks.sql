ALTER TABLE "sites" ADD COLUMN "event_snapshots" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD COLUMN "sightings" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD COLUMN "snapshot_path" text;