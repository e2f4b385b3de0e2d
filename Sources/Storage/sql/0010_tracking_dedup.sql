-- Repeated tracking hits (GET /r/{code}, GET /p/{code}.gif) from one client within a short window count once.
-- No IP address is stored: a hit is known only by HMAC-SHA256(salt of the day, client address + User-Agent + link),
-- and the salt of each UTC day is random, kept here and deleted once the day is over, so no stored hash can be
-- recomputed from an address afterwards.
CREATE TABLE tracking_salts (
    day   date PRIMARY KEY,
    salt  bytea NOT NULL CHECK (length(salt) = 32)
);

-- The counted hits still inside their window: a hit is new when no row with its hash exists or the row has expired;
-- INSERT ... ON CONFLICT (workspace_id, hash) DO UPDATE ... WHERE expired decides that atomically. Expired rows are
-- pruned by Herald as it goes.
CREATE TABLE tracking_hits (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    hash          bytea NOT NULL CHECK (length(hash) = 32),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, hash)
);
CREATE INDEX tracking_hits_expires_at ON tracking_hits (expires_at);
