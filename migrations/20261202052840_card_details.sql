-- Modify "cards" table
ALTER TABLE "cards" ADD COLUMN "due_at" timestamptz NULL, ADD COLUMN "due_complete" boolean NOT NULL DEFAULT false, ADD COLUMN "archived_at" timestamptz NULL, ADD COLUMN "comment_count" integer NOT NULL DEFAULT 0;
-- Create "card_assignees" table
CREATE TABLE "card_assignees" ("card_id" uuid NOT NULL, "user_id" uuid NOT NULL, "assigned_at" timestamptz NOT NULL DEFAULT now(), PRIMARY KEY ("card_id", "user_id"), CONSTRAINT "fk_card_assignees_card" FOREIGN KEY ("card_id") REFERENCES "cards" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_card_assignees_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "idx_card_assignees_user_id" to table: "card_assignees"
CREATE INDEX "idx_card_assignees_user_id" ON "card_assignees" ("user_id");
-- Create "labels" table
CREATE TABLE "labels" ("id" uuid NOT NULL, "room_id" uuid NOT NULL, "name" character varying(50) NOT NULL, "color" text NOT NULL, "created_at" timestamptz NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_rooms_labels" FOREIGN KEY ("room_id") REFERENCES "rooms" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "chk_labels_color" CHECK (color ~ '^(green|yellow|orange|red|purple|blue|sky|lime|pink|black)$'::text));
-- Create index "uq_labels_room_name" to table: "labels"
CREATE UNIQUE INDEX "uq_labels_room_name" ON "labels" ("room_id", (lower((name)::text)));
-- Create "card_labels" table
CREATE TABLE "card_labels" ("card_id" uuid NOT NULL, "label_id" uuid NOT NULL, PRIMARY KEY ("card_id", "label_id"), CONSTRAINT "fk_card_labels_card" FOREIGN KEY ("card_id") REFERENCES "cards" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_card_labels_label" FOREIGN KEY ("label_id") REFERENCES "labels" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "idx_card_labels_label_id" to table: "card_labels"
CREATE INDEX "idx_card_labels_label_id" ON "card_labels" ("label_id");
-- Create "comments" table
CREATE TABLE "comments" ("id" uuid NOT NULL, "card_id" uuid NOT NULL, "author_id" uuid NOT NULL, "body" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_cards_comments" FOREIGN KEY ("card_id") REFERENCES "cards" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "fk_users_comments" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "idx_comments_author_id" to table: "comments"
CREATE INDEX "idx_comments_author_id" ON "comments" ("author_id");
-- Create index "idx_comments_card_created" to table: "comments"
CREATE INDEX "idx_comments_card_created" ON "comments" ("card_id", "created_at");
