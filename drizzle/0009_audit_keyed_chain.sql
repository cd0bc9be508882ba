-- Keyed audit chain: entries name the audit key their HMAC was made with (null: legacy SHA-256).
ALTER TABLE "audit_log" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "audit_chain_checks" ADD COLUMN "reason" text;--> statement-breakpoint
CREATE TABLE "audit_anchors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"day" date NOT NULL,
	"head_id" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"key_id" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
-- Anchors are append-only too (the application's role cannot change them anyway; see below).
CREATE FUNCTION audit_anchors_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_anchors is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_anchors_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_refuse_change();
--> statement-breakpoint
-- The application's group role: the web app, workers and gateway log in as a member of it.
-- It owns nothing, so it can neither alter audit_log's trigger nor rewrite the chain or anchors.
-- Roles are cluster-wide: many databases (tests, demo) run this, some at once, so it tolerates
-- the role existing already or being created concurrently; an operator may create it beforehand
-- when the migration owner lacks CREATEROLE.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consentry_app') THEN
    CREATE ROLE consentry_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END;
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO consentry_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO consentry_app;--> statement-breakpoint
REVOKE UPDATE, DELETE ON "audit_log", "audit_anchors" FROM consentry_app;--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO consentry_app;--> statement-breakpoint
-- Tables and sequences that later migrations create (as the same owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO consentry_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO consentry_app;
