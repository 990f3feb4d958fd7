-- Create "instances" table
CREATE TABLE "instances" ("id" uuid NOT NULL, "started_at" timestamptz NOT NULL, "heartbeat_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "idx_instances_heartbeat_at" to table: "instances"
CREATE INDEX "idx_instances_heartbeat_at" ON "instances" ("heartbeat_at");
-- Create "presence" table
CREATE TABLE "presence" ("room_id" uuid NOT NULL, "user_id" uuid NOT NULL, "instance_id" uuid NOT NULL, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("room_id", "user_id", "instance_id"), CONSTRAINT "fk_instances_presence" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_presence_room" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_presence_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "idx_presence_instance_id" to table: "presence"
CREATE INDEX "idx_presence_instance_id" ON "presence" ("instance_id");
-- Create index "idx_presence_user_id" to table: "presence"
CREATE INDEX "idx_presence_user_id" ON "presence" ("user_id");
