-- Hand edit: the comments' text is copied onto the cards before the generated
-- column is added, so the table is rewritten (and every vector computed) once.
-- Modify "cards" table
ALTER TABLE "cards" ADD COLUMN "comments_text" text NOT NULL DEFAULT '';
-- Backfill: each card's comments, oldest first, one per line, as the comment writes keep them.
UPDATE "cards" SET "comments_text" = c."body" FROM (SELECT "card_id", string_agg("body", E'\n' ORDER BY "created_at", "id") AS "body" FROM "comments" GROUP BY "card_id") AS c WHERE c."card_id" = "cards"."id";
-- Modify "cards" table
ALTER TABLE "cards" ADD COLUMN "search_vector" tsvector NULL GENERATED ALWAYS AS ((setweight(to_tsvector('english'::regconfig, (title)::text), 'A'::"char") || setweight(to_tsvector('english'::regconfig, description), 'B'::"char")) || setweight(to_tsvector('english'::regconfig, comments_text), 'C'::"char")) STORED;
-- Reviewed: CONCURRENTLY cannot run in the file's transaction; the ADD COLUMN above already holds cards exclusively while it rewrites the table.
-- atlas:nolint PG101
CREATE INDEX "idx_cards_search" ON "cards" USING gin ("search_vector");
