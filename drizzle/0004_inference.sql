CREATE TYPE "public"."enrolment_photo_status" AS ENUM('pending', 'accepted', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."enrolment_status" AS ENUM('queued', 'processing', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "enrolment_photos" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"storage_key" text NOT NULL,
	"status" "enrolment_photo_status" DEFAULT 'pending' NOT NULL,
	"rejection_reason" text,
	"template_id" uuid
);
--> statement-breakpoint
CREATE TABLE "enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"consent_id" uuid,
	"status" "enrolment_status" DEFAULT 'queued' NOT NULL,
	"failure_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "recognition_events" ADD COLUMN "site_id" uuid;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD COLUMN "template_id" uuid;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD COLUMN "model_id" text;--> statement-breakpoint
ALTER TABLE "enrolment_photos" ADD CONSTRAINT "enrolment_photos_enrolment_id_enrolments_id_fk" FOREIGN KEY ("enrolment_id") REFERENCES "public"."enrolments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_photos" ADD CONSTRAINT "enrolment_photos_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolment_photos" ADD CONSTRAINT "enrolment_photos_template_id_face_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."face_templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_consent_id_consents_id_fk" FOREIGN KEY ("consent_id") REFERENCES "public"."consents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "enrolment_photos_enrolment_id_index" ON "enrolment_photos" USING btree ("enrolment_id");--> statement-breakpoint
CREATE INDEX "enrolment_photos_subject_id_index" ON "enrolment_photos" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "enrolments_subject_id_index" ON "enrolments" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "enrolments_org_id_created_at_index" ON "enrolments" USING btree ("org_id","created_at");--> statement-breakpoint
ALTER TABLE "recognition_events" ADD CONSTRAINT "recognition_events_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD CONSTRAINT "recognition_events_template_id_face_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."face_templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recognition_events_site_id_at_index" ON "recognition_events" USING btree ("site_id","at");