-- POST /api/cards/{id}/move: the token's user lookup, then Store.MoveCard's
-- statements in one transaction: authorization reads, the room row lock,
-- the column locks in ID order, the card lock, the count, the set-based
-- shifts (here a shift and its inverse, so the data stays as it was), the
-- card's update and the version bump.
\set pos random(0, 40)
SELECT * FROM "users" WHERE id = :user LIMIT 1;
BEGIN;
SELECT cards.*, columns.room_id AS room_id FROM "cards" JOIN columns ON columns.id = cards.column_id JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = :user WHERE cards.id = :card LIMIT 1;
SELECT columns.* FROM "columns" JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = :user WHERE columns.id = :col2 LIMIT 1;
SELECT cards.*, columns.room_id AS room_id FROM "cards" JOIN columns ON columns.id = cards.column_id JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = :user WHERE cards.id = :card LIMIT 1;
SELECT rooms.*, room_members.role AS role FROM "rooms" JOIN room_members ON room_members.room_id = rooms.id AND room_members.user_id = :user WHERE rooms.id = :room LIMIT 1 FOR UPDATE OF "rooms";
SELECT * FROM "cards" WHERE id = :card LIMIT 1;
SELECT * FROM "columns" WHERE id IN (:col1, :col2) ORDER BY id FOR UPDATE;
SELECT * FROM "cards" WHERE id = :card LIMIT 1 FOR UPDATE;
SELECT count(*) FROM "cards" WHERE column_id = :col2;
UPDATE "cards" SET "position" = position + 1 WHERE column_id = :col2 AND position >= :pos;
UPDATE "cards" SET "position" = position - 1 WHERE column_id = :col2 AND position > :pos;
UPDATE "cards" SET "updated_at" = now() WHERE id = :card;
UPDATE "rooms" SET "updated_at" = now(), "version" = version + 1 WHERE id = :room;
COMMIT;
