-- GET /api/rooms/{id}: the token's user lookup, then Store.Board's six
-- statements in one read-only REPEATABLE READ transaction, as GORM sends them.
SELECT * FROM "users" WHERE id = :user LIMIT 1;
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT rooms.*, room_members.role AS role FROM "rooms" JOIN room_members ON room_members.room_id = rooms.id AND room_members.user_id = :user WHERE rooms.id = :room LIMIT 1;
SELECT * FROM "rooms" WHERE "rooms"."id" = :room LIMIT 1;
SELECT * FROM "room_members" WHERE "room_members"."room_id" = :room ORDER BY joined_at, id;
SELECT * FROM "users" WHERE "users"."id" = :user;
SELECT * FROM "columns" WHERE "columns"."room_id" = :room ORDER BY position, id;
SELECT * FROM "cards" WHERE "cards"."column_id" IN (:cols) ORDER BY position, id;
COMMIT;
