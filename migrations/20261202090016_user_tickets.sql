-- Modify "ws_tickets" table
ALTER TABLE "ws_tickets" ALTER COLUMN "room_id" DROP NOT NULL;
