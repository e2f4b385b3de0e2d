-- Nothing silent: lifecycle webhooks (a workspace's URLs told when a publication is published or failed, or an account
-- needs reconnecting), and the retries of a publication a person asked for.

-- A URL subscribed to some lifecycle events of its workspace. Each event is sent to it as a signed POST (the report
-- webhooks' scheme: HMAC-SHA256 in `Herald-Signature`) by a durable `notify` job.
--
-- The signing secret never enters the database as text: `secret_env` names an environment variable of the workers
-- (HERALD_WEBHOOK_<NAME>, as for report webhooks). `secret_sealed`/`secret_key_id` are for the secret sealed by
-- Herald's SecretBox (AES-GCM, as account credentials), once webhooks store it that way.
CREATE TABLE lifecycle_webhooks (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url            text NOT NULL CHECK (url ~ '^https?://'),
    events         text[] NOT NULL
                   CHECK (cardinality(events) > 0
                          AND events <@ ARRAY['publication.published', 'publication.failed', 'account.needs_reconnect']::text[]),
    secret_env     text CHECK (secret_env ~ '^HERALD_WEBHOOK_[A-Z0-9_]+$'),
    secret_sealed  bytea,
    secret_key_id  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (secret_env IS NOT NULL OR (secret_sealed IS NOT NULL AND secret_key_id IS NOT NULL))
);
CREATE INDEX lifecycle_webhooks_workspace_idx ON lifecycle_webhooks (workspace_id);

-- How many times a person sent a failed or cancelled publication again (`herald publications retry`): each retry's
-- outcome is a new lifecycle event, so its id includes this count.
ALTER TABLE publications ADD COLUMN retries int NOT NULL DEFAULT 0;

-- Listing a workspace's publications by state (`GET /v1/publications?state=failed`).
CREATE INDEX publications_workspace_status_idx ON publications (workspace_id, status, scheduled_at DESC);
