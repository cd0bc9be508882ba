CREATE TABLE "site_region_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"from_region" text NOT NULL,
	"to_region" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_by_user_id" text,
	"changed_by_label" text NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "site_region_changes" ADD CONSTRAINT "site_region_changes_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_region_changes" ADD CONSTRAINT "site_region_changes_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "site_region_changes_site_id_changed_at_index" ON "site_region_changes" USING btree ("site_id","changed_at");--> statement-breakpoint
CREATE INDEX "site_region_changes_from_region_index" ON "site_region_changes" USING btree ("from_region");--> statement-breakpoint
CREATE INDEX "site_region_changes_to_region_index" ON "site_region_changes" USING btree ("to_region");--> statement-breakpoint
-- Snapshots carry the region they were taken in. There was no history of moves before this, so
-- every earlier snapshot belongs to its site's region as it is now.
ALTER TABLE "compliance_snapshots" ADD COLUMN "region_code" text;--> statement-breakpoint
UPDATE "compliance_snapshots" cs SET "region_code" = s."region_code" FROM "sites" s WHERE s."id" = cs."site_id";--> statement-breakpoint
ALTER TABLE "compliance_snapshots" ALTER COLUMN "region_code" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "compliance_snapshots_region_code_at_index" ON "compliance_snapshots" USING btree ("region_code","at");
--> statement-breakpoint
-- A region change is regulated history: rows are added, never changed or removed (as audit_log).
CREATE FUNCTION site_region_changes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'site_region_changes is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER site_region_changes_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON site_region_changes
  FOR EACH STATEMENT EXECUTE FUNCTION site_region_changes_refuse_change();
