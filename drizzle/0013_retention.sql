CREATE TYPE "public"."retention_kind" AS ENUM('recognition_events', 'unknown_face_counts', 'enrolment_photos', 'camera_status_history', 'portal_requests', 'portal_contact', 'unverified_requests');--> statement-breakpoint
CREATE TYPE "public"."retention_run_status" AS ENUM('running', 'completed', 'failed', 'interrupted');--> statement-breakpoint
ALTER TYPE "public"."entry_purpose" ADD VALUE 'public_security';--> statement-breakpoint
CREATE TABLE "retention_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"subject_id" uuid,
	"certificate" jsonb NOT NULL,
	"certificate_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "retention_policies" (
	"site_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" "retention_kind" NOT NULL,
	"days" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "retention_policies_site_id_kind_pk" PRIMARY KEY("site_id","kind"),
	CONSTRAINT "retention_policies_days" CHECK ("retention_policies"."days" >= 0 and "retention_policies"."days" <= 3650)
);
--> statement-breakpoint
CREATE TABLE "retention_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"status" "retention_run_status" DEFAULT 'running' NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "dsr_requests" ALTER COLUMN "contact_enc" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "dsr_requests" ADD COLUMN "contact_pseudonymised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "entry_points" ADD COLUMN "capture_area_note" text;--> statement-breakpoint
ALTER TABLE "consents" ADD COLUMN "withdrawal_certificate" jsonb;--> statement-breakpoint
ALTER TABLE "consents" ADD COLUMN "withdrawal_certificate_sha256" text;--> statement-breakpoint
ALTER TABLE "enrolments" ADD COLUMN "photo_outcomes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "enrolments" ADD COLUMN "stopped_because" text;--> statement-breakpoint
ALTER TABLE "retention_certificates" ADD CONSTRAINT "retention_certificates_run_id_retention_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."retention_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_certificates" ADD CONSTRAINT "retention_certificates_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_certificates" ADD CONSTRAINT "retention_certificates_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_certificates" ADD CONSTRAINT "retention_certificates_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "retention_certificates_site_id_created_at_index" ON "retention_certificates" USING btree ("site_id","created_at");--> statement-breakpoint
CREATE INDEX "retention_certificates_subject_id_index" ON "retention_certificates" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "retention_policies_org_id_index" ON "retention_policies" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "retention_runs_started_at_index" ON "retention_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "enrolment_photos_template_id_index" ON "enrolment_photos" USING btree ("template_id");--> statement-breakpoint
CREATE INDEX "enrolment_photos_storage_key_index" ON "enrolment_photos" USING btree ("storage_key");--> statement-breakpoint
-- The lawful defaults (CN-FR-07): the one place they are written. Every site gets a row per kind
-- when it is created, however it is created, so nothing personal is kept without a policy.
CREATE FUNCTION "retention_default_days"(kind "retention_kind") RETURNS integer LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE kind
		WHEN 'recognition_events' THEN 30
		WHEN 'unknown_face_counts' THEN 90
		WHEN 'enrolment_photos' THEN 0
		WHEN 'camera_status_history' THEN 180
		WHEN 'portal_requests' THEN 1095
		WHEN 'portal_contact' THEN 30
		WHEN 'unverified_requests' THEN 7
	END
$$;--> statement-breakpoint
CREATE FUNCTION "sites_add_retention_policies"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "retention_policies" ("site_id", "org_id", "kind", "days")
	SELECT NEW."id", NEW."org_id", d."policy_kind", "retention_default_days"(d."policy_kind")
	FROM unnest(enum_range(NULL::"retention_kind")) AS d("policy_kind")
	ON CONFLICT DO NOTHING;
	RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "sites_retention_policies" AFTER INSERT ON "sites" FOR EACH ROW EXECUTE FUNCTION "sites_add_retention_policies"();--> statement-breakpoint
INSERT INTO "retention_policies" ("site_id", "org_id", "kind", "days")
SELECT s."id", s."org_id", d."policy_kind", "retention_default_days"(d."policy_kind")
FROM "sites" s CROSS JOIN unnest(enum_range(NULL::"retention_kind")) AS d("policy_kind")
ON CONFLICT DO NOTHING;
