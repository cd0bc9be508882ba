CREATE TABLE "audit_chain_checks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"ok" boolean NOT NULL,
	"checked" integer NOT NULL,
	"broken_at_id" bigint
);
--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ADD COLUMN "audit_log_id" bigint;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "last_material_change_at" timestamp with time zone;