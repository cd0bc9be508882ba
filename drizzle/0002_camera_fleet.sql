CREATE TABLE "camera_status_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"camera_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" "camera_status" NOT NULL,
	"detail" text,
	"probe_latency_ms" integer
);
--> statement-breakpoint
ALTER TABLE "cameras" ADD COLUMN "rtsp_key_id" text;--> statement-breakpoint
ALTER TABLE "camera_status_events" ADD CONSTRAINT "camera_status_events_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "public"."cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "camera_status_events_camera_id_at_index" ON "camera_status_events" USING btree ("camera_id","at");--> statement-breakpoint
CREATE INDEX "cameras_org_id_name_index" ON "cameras" USING btree ("org_id","name");