-- Create "users" table
CREATE TABLE "users" ("id" uuid NOT NULL, "email" character varying(254) NOT NULL, "password_hash" character varying(100) NOT NULL, "display_name" character varying(100) NOT NULL, "tokens_valid_after" timestamptz NOT NULL DEFAULT now(), "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "uq_users_email_lower" to table: "users"
CREATE UNIQUE INDEX "uq_users_email_lower" ON "users" ((lower((email)::text)));
-- Create "rooms" table
CREATE TABLE "rooms" ("id" uuid NOT NULL, "name" character varying(200) NOT NULL, "created_by" uuid NOT NULL, "version" bigint NOT NULL DEFAULT 1, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_users_created_rooms" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT, CONSTRAINT "chk_rooms_version" CHECK (version >= 1));
-- Create index "idx_rooms_created_by" to table: "rooms"
CREATE INDEX "idx_rooms_created_by" ON "rooms" ("created_by");
-- Create "columns" table
CREATE TABLE "columns" ("id" uuid NOT NULL, "room_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "position" integer NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_rooms_columns" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "chk_columns_position" CHECK ("position" >= 0));
-- Create index "idx_columns_room_position" to table: "columns"
CREATE INDEX "idx_columns_room_position" ON "columns" ("room_id", "position");
-- Create "cards" table
CREATE TABLE "cards" ("id" uuid NOT NULL, "column_id" uuid NOT NULL, "title" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "position" integer NOT NULL, "created_by" uuid NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_columns_cards" FOREIGN KEY ("column_id") REFERENCES "columns" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_users_created_cards" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "chk_cards_position" CHECK ("position" >= 0));
-- Create index "idx_cards_column_position" to table: "cards"
CREATE INDEX "idx_cards_column_position" ON "cards" ("column_id", "position");
-- Create index "idx_cards_created_by" to table: "cards"
CREATE INDEX "idx_cards_created_by" ON "cards" ("created_by");
-- Create "room_members" table
CREATE TABLE "room_members" ("id" uuid NOT NULL, "room_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL, "joined_at" timestamptz NOT NULL DEFAULT now(), PRIMARY KEY ("id"), CONSTRAINT "fk_rooms_members" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_users_memberships" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "chk_room_members_role" CHECK (role = ANY (ARRAY['owner'::text, 'member'::text])));
-- Create index "idx_room_members_user_id" to table: "room_members"
CREATE INDEX "idx_room_members_user_id" ON "room_members" ("user_id");
-- Create index "uq_room_user" to table: "room_members"
CREATE UNIQUE INDEX "uq_room_user" ON "room_members" ("room_id", "user_id");
