-- POST /api/cards/{id}/move: the token's session lookup, then Store.MoveCard's
-- statements in one transaction, as the server sends them (LOG_LEVEL=debug
-- prints them): the authorization reads, the room lock with the caller's
-- membership, the card read again, the column locks in ID order, the card
-- lock, the shift out of the old place, the count and the shift into the
-- new one (here the same column: a shift and its inverse, so the data
-- stays as it was), the card's update, its labels and assignees for the
-- event, the version bump, the event and its notification (on a channel of
-- its own, so that the server under test does not read these events).
\set pos random(0, 40)
SELECT users.id, users.email, users.password_hash, users.display_name, users.created_at, users.updated_at FROM users JOIN sessions ON sessions.user_id = users.id WHERE users.id = :user AND sessions.expires_at > now() LIMIT 1;
BEGIN;
SELECT cards.*, columns.room_id AS room_id FROM "cards" JOIN columns ON columns.id = cards.column_id JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = :user WHERE cards.id = :card LIMIT 1;
SELECT columns.* FROM "columns" JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = :user WHERE columns.id = :col2 LIMIT 1;
SELECT rooms.*, room_members.role AS role FROM "rooms" JOIN room_members ON room_members.room_id = rooms.id AND room_members.user_id = :user WHERE rooms.id = :room LIMIT 1 FOR UPDATE OF "rooms" FOR SHARE OF room_members;
SELECT * FROM "cards" WHERE id = :card LIMIT 1;
SELECT * FROM "columns" WHERE id IN (:col1, :col2) ORDER BY id FOR UPDATE;
SELECT * FROM "cards" WHERE id = :card AND "cards"."id" = :card LIMIT 1 FOR UPDATE;
UPDATE "cards" SET "position" = position + 1, "updated_at" = now() WHERE column_id = :col2 AND archived_at IS NULL AND position > :pos;
SELECT count(*) FROM "cards" WHERE column_id = :col2 AND archived_at IS NULL;
UPDATE "cards" SET "position" = position - 1, "updated_at" = now() WHERE column_id = :col2 AND archived_at IS NULL AND position > :pos;
UPDATE "cards" SET "updated_at" = now() WHERE id = :card;
SELECT card_labels.card_id, card_labels.label_id FROM "card_labels" JOIN labels ON labels.id = card_labels.label_id WHERE card_labels.card_id IN (:card) ORDER BY labels.created_at, labels.id;
SELECT card_id, user_id FROM "card_assignees" WHERE card_id IN (:card) ORDER BY assigned_at, user_id;
UPDATE "rooms" SET "updated_at" = now(), "version" = version + 1 WHERE id = :room;
INSERT INTO "room_events" ("id", "room_id", "version", "type", "actor_id", "at", "data") SELECT gen_random_uuid(), :room, version, 'card.moved', :user, now(), '{"card": {}, "from": {}}' FROM rooms WHERE id = :room;
SELECT pg_notify('pgbench_move', 'x');
COMMIT;
