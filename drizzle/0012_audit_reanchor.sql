-- Re-anchors: a platform administrator closes broken links of the audit chain with a signed,
-- audited statement (the breaks stay visible). Checks keep every break, not only the first.
ALTER TABLE "audit_chain_checks" ADD COLUMN "break_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_chain_checks" ADD COLUMN "open_breaks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_chain_checks" ADD COLUMN "breaks" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE TABLE "audit_reanchors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" text,
	"actor_label" text NOT NULL,
	"reason" text NOT NULL,
	"covers" jsonb NOT NULL,
	"key_id" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
-- Append-only, like audit_log and audit_anchors (the same refusal function as the anchors).
CREATE TRIGGER audit_reanchors_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_reanchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_refuse_change();
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "audit_reanchors" FROM consentry_app;
