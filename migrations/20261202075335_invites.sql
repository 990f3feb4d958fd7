-- Create "invites" table
CREATE TABLE "invites" ("id" uuid NOT NULL, "room_id" uuid NOT NULL, "token_hash" bytea NOT NULL, "role" text NOT NULL, "created_by" uuid NOT NULL, "created_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, "revoked_at" timestamptz NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_rooms_invites" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_users_invites" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "chk_invites_role" CHECK (role = ANY (ARRAY['member'::text, 'viewer'::text])));
-- Create index "idx_invites_created_by" to table: "invites"
CREATE INDEX "idx_invites_created_by" ON "invites" ("created_by");
-- Create index "idx_invites_expires_at" to table: "invites"
CREATE INDEX "idx_invites_expires_at" ON "invites" ("expires_at");
-- Create index "idx_invites_room_created" to table: "invites"
CREATE INDEX "idx_invites_room_created" ON "invites" ("room_id", "created_at");
-- Create index "uq_invites_token_hash" to table: "invites"
CREATE UNIQUE INDEX "uq_invites_token_hash" ON "invites" ("token_hash");
