ALTER TABLE "assessments" ADD COLUMN "document_path" text;--> statement-breakpoint
ALTER TABLE "assessments" ADD COLUMN "document_name" text;