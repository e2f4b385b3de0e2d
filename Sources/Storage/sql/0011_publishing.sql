-- Publishing for real: connected accounts with encrypted credentials, the delivery state machine's states and
-- attempts, and the accounts a campaign's channels publish through.

-- A platform account a workspace connected. Credentials are sealed by Herald (AES-GCM, see SecretBox) before they
-- reach the database: `credentials` is the sealed box, `key_id` names the key that sealed it (for rotation).
CREATE TABLE accounts (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id        uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('mastodon', 'bluesky', 'x', 'linkedin', 'webhook')),
    base_url            text NOT NULL,
    handle              text,
    credentials         bytea NOT NULL,
    key_id              text NOT NULL,
    health              text NOT NULL DEFAULT 'ok' CHECK (health IN ('ok', 'rate_limited', 'needs_reconnect')),
    health_reason       text,
    rate_limited_until  timestamptz,
    followers           int,
    -- Pacing: one sender at a time (a lease that expires if its worker dies) and a token bucket of posts.
    send_lease_by       text,
    send_lease_until    timestamptz,
    pace_per_hour       double precision NOT NULL CHECK (pace_per_hour > 0),
    pace_burst          double precision NOT NULL CHECK (pace_burst >= 1),
    bucket_tokens       double precision NOT NULL,
    bucket_at           timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
);

-- Publication states (the contract's names): scheduled → sending → published | failed; cancelled; dry_run.
ALTER TABLE publications DROP CONSTRAINT publications_status_check;
UPDATE publications SET status = 'sending' WHERE status = 'publishing';
-- Before this migration nothing left Herald: what was marked published went to the table-only sink.
UPDATE publications SET status = 'dry_run' WHERE status = 'published';
ALTER TABLE publications ADD CONSTRAINT publications_status_check
    CHECK (status IN ('scheduled', 'sending', 'published', 'failed', 'cancelled', 'dry_run'));
ALTER TABLE publications RENAME COLUMN external_id TO provider_id;
ALTER TABLE publications
    ADD COLUMN account_id    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    ADD COLUMN provider_url  text,
    ADD COLUMN provider_cid  text,
    ADD COLUMN failure_class text CHECK (failure_class IN ('transient', 'rate_limited', 'auth', 'rejected_content', 'unknown_outcome', 'rules', 'no_account'));
CREATE INDEX publications_account_status_idx ON publications (account_id, status) WHERE account_id IS NOT NULL;

-- Every request that may have posted a publication, written before the request goes out: an attempt without an
-- outcome (its worker was killed) or with unknown_outcome is reconciled before anything is posted again.
CREATE TABLE delivery_attempts (
    publication_id  uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    number          int NOT NULL,
    account_id      uuid REFERENCES accounts (id) ON DELETE SET NULL,
    worker          text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    outcome         text CHECK (outcome IN ('published', 'transient', 'rate_limited', 'auth', 'rejected_content', 'unknown_outcome',
                                            'found', 'absent')),
    http_status     int,
    message         text,
    PRIMARY KEY (publication_id, number)
);

-- A campaign's channel publishes through an account (NULL: the workspace's only account of that kind, if one);
-- a dry-run campaign publishes nowhere (its posts go to the table-only sink and show as dry_run).
ALTER TABLE channels ADD COLUMN account_id uuid REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE campaigns ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
-- Campaigns made before connectors existed never published anywhere: they stay rehearsals.
UPDATE campaigns SET dry_run = true;
