CREATE TABLE "compliance_daily_regions" (
	"region_code" text NOT NULL,
	"day" date NOT NULL,
	"snapshots" integer NOT NULL,
	"score_sum" real NOT NULL,
	"signage_sum" real DEFAULT 0 NOT NULL,
	"signage_count" integer DEFAULT 0 NOT NULL,
	"consent_sum" real DEFAULT 0 NOT NULL,
	"consent_count" integer DEFAULT 0 NOT NULL,
	"alternatives_sum" real DEFAULT 0 NOT NULL,
	"alternatives_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "compliance_daily_regions_region_code_day_pk" PRIMARY KEY("region_code","day")
);
--> statement-breakpoint
-- Backfill from the snapshots taken before the table existed.
INSERT INTO "compliance_daily_regions" ("region_code", "day", "snapshots", "score_sum", "signage_sum", "signage_count",
  "consent_sum", "consent_count", "alternatives_sum", "alternatives_count")
SELECT s.region_code, (cs.at AT TIME ZONE 'Asia/Shanghai')::date, count(*), sum(cs.score),
  coalesce(sum((cs.coverage->>'signage')::real), 0), count(cs.coverage->>'signage'),
  coalesce(sum((cs.coverage->>'consent')::real), 0), count(cs.coverage->>'consent'),
  coalesce(sum((cs.coverage->>'alternatives')::real), 0), count(cs.coverage->>'alternatives')
FROM "compliance_snapshots" cs JOIN "sites" s ON s.id = cs.site_id
GROUP BY 1, 2;
