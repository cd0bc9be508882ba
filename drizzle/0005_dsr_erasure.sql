CREATE TABLE "dsr_erasures" (
	"request_id" uuid PRIMARY KEY NOT NULL,
	"subject_id" uuid NOT NULL,
	"subject_already_erased" boolean NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"templates" integer DEFAULT 0 NOT NULL,
	"enrolment_photos" integer DEFAULT 0 NOT NULL,
	"photo_files" integer DEFAULT 0 NOT NULL,
	"enrolments" integer DEFAULT 0 NOT NULL,
	"recognition_events" integer DEFAULT 0 NOT NULL,
	"consents_withdrawn" integer DEFAULT 0 NOT NULL,
	"site_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"model_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"photo_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "dsr_erasures" ADD CONSTRAINT "dsr_erasures_request_id_dsr_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."dsr_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dsr_erasures" ADD CONSTRAINT "dsr_erasures_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recognition_events_template_id_index" ON "recognition_events" USING btree ("template_id");