-- Modify "room_members" table
ALTER TABLE "room_members" DROP CONSTRAINT "chk_room_members_role", ADD CONSTRAINT "chk_room_members_role" CHECK (role = ANY (ARRAY['owner'::text, 'member'::text, 'viewer'::text]));
