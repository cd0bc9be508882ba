CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "cameras_org_id_name_index";--> statement-breakpoint
DROP INDEX "cameras_org_id_status_index";--> statement-breakpoint
CREATE INDEX "cameras_org_id_name_id_index" ON "cameras" USING btree ("org_id","name","id");--> statement-breakpoint
CREATE INDEX "cameras_org_id_status_id_index" ON "cameras" USING btree ("org_id","status","id");--> statement-breakpoint
CREATE INDEX "cameras_name_trgm_index" ON "cameras" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "sites_org_id_name_id_index" ON "sites" USING btree ("org_id","name","id");