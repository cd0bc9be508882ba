CREATE TABLE "camera_networks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"cidr" text NOT NULL,
	"port_from" integer,
	"port_to" integer,
	"note" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "camera_networks_port_range" CHECK (("camera_networks"."port_from" is null and "camera_networks"."port_to" is null) or ("camera_networks"."port_from" between 1 and 65535 and "camera_networks"."port_to" between "camera_networks"."port_from" and 65535))
);
--> statement-breakpoint
CREATE TABLE "installation_network_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cidr" text NOT NULL,
	"port_from" integer,
	"port_to" integer,
	"reason" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_network_exceptions_port_range" CHECK (("installation_network_exceptions"."port_from" is null and "installation_network_exceptions"."port_to" is null) or ("installation_network_exceptions"."port_from" between 1 and 65535 and "installation_network_exceptions"."port_to" between "installation_network_exceptions"."port_from" and 65535))
);
--> statement-breakpoint
-- Nullable and not backfilled: the fingerprint is of the decrypted URL, which only the app can read.
ALTER TABLE "cameras" ADD COLUMN "rtsp_url_fingerprint" text;--> statement-breakpoint
ALTER TABLE "camera_networks" ADD CONSTRAINT "camera_networks_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "camera_networks" ADD CONSTRAINT "camera_networks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "installation_network_exceptions" ADD CONSTRAINT "installation_network_exceptions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "camera_networks_org_id_index" ON "camera_networks" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "camera_networks_org_cidr_ports_unique" ON "camera_networks" USING btree ("org_id","cidr",coalesce("port_from", 0),coalesce("port_to", 0));--> statement-breakpoint
CREATE UNIQUE INDEX "installation_network_exceptions_cidr_ports_unique" ON "installation_network_exceptions" USING btree ("cidr",coalesce("port_from", 0),coalesce("port_to", 0));--> statement-breakpoint
CREATE UNIQUE INDEX "cameras_rtsp_url_fingerprint_unique" ON "cameras" USING btree ("rtsp_url_fingerprint");
