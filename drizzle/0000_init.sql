CREATE TYPE "public"."alternative_method" AS ENUM('key_card', 'pin', 'qr', 'staff_check', 'id_document', 'other');--> statement-breakpoint
CREATE TYPE "public"."assessment_kind" AS ENUM('pipia');--> statement-breakpoint
CREATE TYPE "public"."camera_location_type" AS ENUM('entrance', 'lobby', 'corridor', 'parking', 'elevator', 'perimeter', 'reception', 'checkout', 'public_area', 'hotel_room', 'public_bath', 'changing_room', 'public_toilet', 'fitting_room', 'nursing_room', 'dormitory_room', 'staff_rest_room');--> statement-breakpoint
CREATE TYPE "public"."camera_status" AS ENUM('unknown', 'online', 'degraded', 'offline', 'auth_failed', 'unreachable');--> statement-breakpoint
CREATE TYPE "public"."consent_method" AS ENUM('written', 'electronic');--> statement-breakpoint
CREATE TYPE "public"."consent_scope" AS ENUM('recognition', 'central_storage', 'transfer');--> statement-breakpoint
CREATE TYPE "public"."entry_purpose" AS ENUM('entry_verification', 'check_in', 'payment', 'monitoring');--> statement-breakpoint
CREATE TYPE "public"."jurisdiction_profile" AS ENUM('CN', 'EU', 'US-IL');--> statement-breakpoint
CREATE TYPE "public"."membership_role" AS ENUM('owner', 'manager', 'operator', 'auditor');--> statement-breakpoint
CREATE TYPE "public"."request_status" AS ENUM('pending_verification', 'open', 'in_progress', 'approved', 'refused', 'completed');--> statement-breakpoint
CREATE TYPE "public"."request_type" AS ENUM('deletion', 'access', 'withdrawal', 'correction');--> statement-breakpoint
CREATE TYPE "public"."site_kind" AS ENUM('residential', 'hotel', 'office', 'retail', 'other');--> statement-breakpoint
CREATE TYPE "public"."template_storage" AS ENUM('device', 'central');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" text,
	"actor_label" text NOT NULL,
	"org_id" uuid,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"locale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"kind" "assessment_kind" DEFAULT 'pipia' NOT NULL,
	"scope" text NOT NULL,
	"approver" text NOT NULL,
	"document_sha256" text NOT NULL,
	"completed_at" timestamp with time zone NOT NULL,
	"next_review_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "compliance_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"score" real NOT NULL,
	"coverage" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dsr_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"subject_id" uuid,
	"type" "request_type" NOT NULL,
	"reference_code" text NOT NULL,
	"contact_enc" text NOT NULL,
	"contact_hash" text NOT NULL,
	"verification_code_hash" text,
	"verification_expires_at" timestamp with time zone,
	"verification_attempts" integer DEFAULT 0 NOT NULL,
	"verified_at" timestamp with time zone,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"due_at" timestamp with time zone,
	"status" "request_status" DEFAULT 'pending_verification' NOT NULL,
	"assigned_user_id" text,
	"refusal_reason" text,
	"outcome" text,
	"certificate" jsonb,
	"certificate_sha256" text,
	"closed_at" timestamp with time zone,
	CONSTRAINT "dsr_requests_referenceCode_unique" UNIQUE("reference_code")
);
--> statement-breakpoint
CREATE TABLE "filings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"threshold_reached_at" timestamp with time zone,
	"filed_at" timestamp with time zone,
	"authority" text,
	"reference" text,
	"deregistered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"role" "membership_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"jurisdiction_profile" "jurisdiction_profile" DEFAULT 'CN' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "organizations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "platform_admins" (
	"user_id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "regulators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"authority" text NOT NULL,
	"jurisdiction_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "regulators_userId_unique" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "cameras" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"entry_point_id" uuid,
	"name" text NOT NULL,
	"rtsp_url_enc" text NOT NULL,
	"rtsp_url_masked" text NOT NULL,
	"location_type" "camera_location_type" NOT NULL,
	"fr_enabled" boolean DEFAULT false NOT NULL,
	"analysis_fps" real DEFAULT 5 NOT NULL,
	"status" "camera_status" DEFAULT 'unknown' NOT NULL,
	"last_seen_at" timestamp with time zone,
	"last_probed_at" timestamp with time zone,
	"probe_codec" text,
	"probe_width" integer,
	"probe_height" integer,
	"probe_fps" real,
	"probe_latency_ms" integer,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entry_points" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"name" text NOT NULL,
	"purpose" "entry_purpose",
	"necessity_note" text,
	"face_recognition" boolean DEFAULT false NOT NULL,
	"face_is_default" boolean DEFAULT false NOT NULL,
	"is_public_place" boolean DEFAULT false NOT NULL,
	"alternatives" "alternative_method"[] DEFAULT '{}'::alternative_method[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_cameras" (
	"sign_id" uuid NOT NULL,
	"camera_id" uuid NOT NULL,
	CONSTRAINT "sign_cameras_sign_id_camera_id_pk" PRIMARY KEY("sign_id","camera_id")
);
--> statement-breakpoint
CREATE TABLE "sign_entry_points" (
	"sign_id" uuid NOT NULL,
	"entry_point_id" uuid NOT NULL,
	CONSTRAINT "sign_entry_points_sign_id_entry_point_id_pk" PRIMARY KEY("sign_id","entry_point_id")
);
--> statement-breakpoint
CREATE TABLE "signs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"location" text NOT NULL,
	"text" text NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"evidence_photo_path" text,
	"evidence_sha256" text,
	"installed_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"region_code" text NOT NULL,
	"kind" "site_kind" NOT NULL,
	"template_retention_days" integer DEFAULT 365 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "sites_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"purpose" "entry_purpose" NOT NULL,
	"scopes" "consent_scope"[] DEFAULT '{recognition}'::consent_scope[] NOT NULL,
	"method" "consent_method" NOT NULL,
	"is_separate" boolean DEFAULT true NOT NULL,
	"is_bundled" boolean DEFAULT false NOT NULL,
	"notice_id" uuid,
	"evidence_sha256" text,
	"guardian_name_enc" text,
	"guardian_relation" text,
	"guardian_consent_at" timestamp with time zone,
	"given_at" timestamp with time zone NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"withdrawal_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "face_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"consent_id" uuid,
	"model_id" text NOT NULL,
	"model_version" text NOT NULL,
	"embedding_enc" text NOT NULL,
	"storage" "template_storage" DEFAULT 'central' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"deletion_queued_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"controller" text NOT NULL,
	"purpose" text NOT NULL,
	"method" text NOT NULL,
	"retention" text NOT NULL,
	"rights" text NOT NULL,
	"contact" text NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recognition_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"camera_id" uuid NOT NULL,
	"subject_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"score" real NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subjects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"pseudonym" text NOT NULL,
	"display_name_enc" text,
	"contact_enc" text,
	"is_minor" boolean DEFAULT false NOT NULL,
	"birth_year" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "unknown_face_counts" (
	"camera_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "unknown_face_counts_camera_id_minute_pk" PRIMARY KEY("camera_id","minute")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD CONSTRAINT "compliance_snapshots_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD CONSTRAINT "compliance_snapshots_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dsr_requests" ADD CONSTRAINT "dsr_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dsr_requests" ADD CONSTRAINT "dsr_requests_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dsr_requests" ADD CONSTRAINT "dsr_requests_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "filings" ADD CONSTRAINT "filings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_admins" ADD CONSTRAINT "platform_admins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "regulators" ADD CONSTRAINT "regulators_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cameras" ADD CONSTRAINT "cameras_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cameras" ADD CONSTRAINT "cameras_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cameras" ADD CONSTRAINT "cameras_entry_point_id_entry_points_id_fk" FOREIGN KEY ("entry_point_id") REFERENCES "public"."entry_points"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_points" ADD CONSTRAINT "entry_points_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_points" ADD CONSTRAINT "entry_points_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_cameras" ADD CONSTRAINT "sign_cameras_sign_id_signs_id_fk" FOREIGN KEY ("sign_id") REFERENCES "public"."signs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_cameras" ADD CONSTRAINT "sign_cameras_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "public"."cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_entry_points" ADD CONSTRAINT "sign_entry_points_sign_id_signs_id_fk" FOREIGN KEY ("sign_id") REFERENCES "public"."signs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sign_entry_points" ADD CONSTRAINT "sign_entry_points_entry_point_id_entry_points_id_fk" FOREIGN KEY ("entry_point_id") REFERENCES "public"."entry_points"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signs" ADD CONSTRAINT "signs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signs" ADD CONSTRAINT "signs_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_notice_id_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."notices"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "face_templates" ADD CONSTRAINT "face_templates_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "face_templates" ADD CONSTRAINT "face_templates_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "face_templates" ADD CONSTRAINT "face_templates_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "face_templates" ADD CONSTRAINT "face_templates_consent_id_consents_id_fk" FOREIGN KEY ("consent_id") REFERENCES "public"."consents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD CONSTRAINT "recognition_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD CONSTRAINT "recognition_events_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "public"."cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recognition_events" ADD CONSTRAINT "recognition_events_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subjects" ADD CONSTRAINT "subjects_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unknown_face_counts" ADD CONSTRAINT "unknown_face_counts_camera_id_cameras_id_fk" FOREIGN KEY ("camera_id") REFERENCES "public"."cameras"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_org_id_id_index" ON "audit_log" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_target_type_target_id_index" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "accounts_user_id_index" ON "accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_index" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "verifications_identifier_index" ON "verifications" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "assessments_site_id_completed_at_index" ON "assessments" USING btree ("site_id","completed_at");--> statement-breakpoint
CREATE INDEX "compliance_snapshots_site_id_at_index" ON "compliance_snapshots" USING btree ("site_id","at");--> statement-breakpoint
CREATE INDEX "compliance_snapshots_org_id_at_index" ON "compliance_snapshots" USING btree ("org_id","at");--> statement-breakpoint
CREATE INDEX "dsr_requests_org_id_status_due_at_index" ON "dsr_requests" USING btree ("org_id","status","due_at");--> statement-breakpoint
CREATE INDEX "dsr_requests_contact_hash_index" ON "dsr_requests" USING btree ("contact_hash");--> statement-breakpoint
CREATE INDEX "filings_org_id_index" ON "filings" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_org_id_user_id_index" ON "memberships" USING btree ("org_id","user_id");--> statement-breakpoint
CREATE INDEX "memberships_user_id_index" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "regulators_jurisdiction_codes_index" ON "regulators" USING gin ("jurisdiction_codes");--> statement-breakpoint
CREATE INDEX "cameras_org_id_site_id_index" ON "cameras" USING btree ("org_id","site_id");--> statement-breakpoint
CREATE INDEX "cameras_org_id_status_index" ON "cameras" USING btree ("org_id","status");--> statement-breakpoint
CREATE INDEX "cameras_entry_point_id_index" ON "cameras" USING btree ("entry_point_id");--> statement-breakpoint
CREATE INDEX "entry_points_site_id_index" ON "entry_points" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "entry_points_org_id_index" ON "entry_points" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "sign_cameras_camera_id_index" ON "sign_cameras" USING btree ("camera_id");--> statement-breakpoint
CREATE INDEX "sign_entry_points_entry_point_id_index" ON "sign_entry_points" USING btree ("entry_point_id");--> statement-breakpoint
CREATE INDEX "signs_site_id_index" ON "signs" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "sites_org_id_archived_at_name_index" ON "sites" USING btree ("org_id","archived_at","name");--> statement-breakpoint
CREATE INDEX "sites_region_code_index" ON "sites" USING btree ("region_code");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_org_active_name_unique" ON "sites" USING btree ("org_id",lower("name")) WHERE "sites"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "consents_subject_id_index" ON "consents" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "consents_site_id_withdrawn_at_index" ON "consents" USING btree ("site_id","withdrawn_at");--> statement-breakpoint
CREATE INDEX "consents_org_id_index" ON "consents" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "face_templates_subject_id_index" ON "face_templates" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "face_templates_site_id_index" ON "face_templates" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "face_templates_org_id_index" ON "face_templates" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_site_id_version_index" ON "notices" USING btree ("site_id","version");--> statement-breakpoint
CREATE INDEX "recognition_events_camera_id_at_index" ON "recognition_events" USING btree ("camera_id","at");--> statement-breakpoint
CREATE INDEX "recognition_events_subject_id_index" ON "recognition_events" USING btree ("subject_id");--> statement-breakpoint
CREATE UNIQUE INDEX "subjects_org_id_pseudonym_index" ON "subjects" USING btree ("org_id","pseudonym");