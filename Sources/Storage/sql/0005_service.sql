-- The HTTP service: API tokens (stored hashed), bot-aware tracking.

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    -- SHA-256 of the whole token; the token itself is shown once and never stored.
    token_hash    bytea NOT NULL UNIQUE,
    -- The token's first characters, to tell tokens apart in listings.
    prefix        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_workspace_idx ON api_tokens (workspace_id);

-- Cursor pagination of campaigns (newest first).
CREATE INDEX campaigns_workspace_created_idx ON campaigns (workspace_id, created_at DESC, id DESC);

-- Tracking lookups by code are served by the unique index on publications.tracking_code.
-- Bot hits are kept for audit but never reach the rollups analysis reads.
CREATE INDEX events_bot_idx ON events (campaign_id, occurred_at) WHERE is_bot;

-- Analysis reads the hourly rollups, never events by variant and time: this index only slowed every
-- insert (a third index entry per event). Per-campaign deletes, which are rare, scan the partitions.
DROP INDEX events_variant_time_idx;
