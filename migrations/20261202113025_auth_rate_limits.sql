-- Create "auth_rate_limits" table
CREATE TABLE "auth_rate_limits" ("key" bytea NOT NULL, "full_at" timestamptz NOT NULL, PRIMARY KEY ("key"));
