-- Create "ws_tickets" table
CREATE TABLE "ws_tickets" ("hash" bytea NOT NULL, "user_id" uuid NOT NULL, "room_id" uuid NOT NULL, "issued_at" timestamptz NOT NULL, "expires_at" timestamptz NOT NULL, PRIMARY KEY ("hash"), CONSTRAINT "fk_rooms_tickets" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_users_tickets" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "idx_ws_tickets_expires_at" to table: "ws_tickets"
CREATE INDEX "idx_ws_tickets_expires_at" ON "ws_tickets" ("expires_at");
