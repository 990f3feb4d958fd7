-- Create "room_events" table
CREATE TABLE "room_events" ("id" uuid NOT NULL, "room_id" uuid NOT NULL, "version" bigint NOT NULL, "type" text NOT NULL, "actor_id" uuid NULL, "at" timestamptz NOT NULL, "data" jsonb NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_rooms_events" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_users_events" FOREIGN KEY ("actor_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "idx_room_events_at" to table: "room_events"
CREATE INDEX "idx_room_events_at" ON "room_events" ("at");
-- Create index "uq_room_events_room_version" to table: "room_events"
CREATE UNIQUE INDEX "uq_room_events_room_version" ON "room_events" ("room_id", "version");
