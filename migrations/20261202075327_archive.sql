-- Modify "columns" table
ALTER TABLE "columns" ADD COLUMN "archived_at" timestamptz NULL;
