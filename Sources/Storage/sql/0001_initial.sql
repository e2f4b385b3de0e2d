-- Herald initial schema.
-- Every tenant table carries workspace_id so the schema can later be sharded by it.

CREATE TABLE workspaces (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name            text NOT NULL,
    primary_metric  text NOT NULL DEFAULT 'click'
                    CHECK (primary_metric IN ('click', 'like', 'share', 'comment', 'conversion')),
    destination     text,
    schedule        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, slug)
);

CREATE TABLE channels (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('x', 'instagram', 'linkedin', 'facebook', 'email', 'sms')),
    position      int  NOT NULL,
    PRIMARY KEY (campaign_id, kind)
);

CREATE TABLE variants (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    key           text NOT NULL,
    text          text NOT NULL,
    features      jsonb NOT NULL DEFAULT '{}',
    generator     text NOT NULL DEFAULT 'manual',
    parent_id     uuid REFERENCES variants (id) ON DELETE SET NULL,
    position      int  NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, key)
);
CREATE INDEX variants_workspace_idx ON variants (workspace_id);

CREATE TABLE publications (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id      uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    variant_id       uuid NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    channel          text NOT NULL,
    scheduled_at     timestamptz NOT NULL,
    published_at     timestamptz,
    tracking_code    text NOT NULL UNIQUE,
    idempotency_key  text NOT NULL UNIQUE,
    status           text NOT NULL DEFAULT 'scheduled'
                     CHECK (status IN ('scheduled', 'publishing', 'published', 'failed', 'cancelled')),
    external_id      text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX publications_campaign_idx ON publications (campaign_id, scheduled_at);

-- Engagement events, range-partitioned by month on occurred_at.
-- A unique index on a partitioned table must contain the partition key, so global
-- idempotency by event id is enforced by event_ids (one row per accepted id).
CREATE TABLE events (
    id            uuid NOT NULL,
    workspace_id  uuid NOT NULL,
    campaign_id   uuid NOT NULL,
    variant_id    uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('impression', 'click', 'like', 'share', 'comment', 'conversion')),
    occurred_at   timestamptz NOT NULL,
    value         double precision,
    is_bot        boolean NOT NULL DEFAULT false,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX events_variant_time_idx ON events (variant_id, occurred_at);

CREATE TABLE event_ids (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL
);

-- Creates the month partition of events that holds `at`, if it is missing.
-- Safe under concurrency: a partition created meanwhile by another session is fine.
CREATE FUNCTION herald_ensure_event_partition(at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end   timestamptz := (date_trunc('month', at AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    name        text := format('events_%s', to_char(at AT TIME ZONE 'UTC', 'YYYY"m"MM'));
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                       name, month_start, month_end);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;
    END;
END;
$$;

-- Hourly rollup per variant and event kind: what analysis reads.
CREATE TABLE variant_hourly (
    workspace_id  uuid NOT NULL,
    campaign_id   uuid NOT NULL,
    variant_id    uuid NOT NULL,
    hour          timestamptz NOT NULL,
    kind          text NOT NULL,
    count         bigint NOT NULL,
    value_sum     double precision NOT NULL DEFAULT 0,
    value_sum_sq  double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (variant_id, hour, kind)
);
CREATE INDEX variant_hourly_campaign_idx ON variant_hourly (campaign_id, hour);

CREATE TABLE jobs (
    id            bigserial PRIMARY KEY,
    workspace_id  uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    queue         text NOT NULL DEFAULT 'default',
    kind          text NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}',
    priority      int  NOT NULL DEFAULT 0,
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'running', 'completed', 'failed', 'dead', 'cancelled')),
    run_at        timestamptz NOT NULL DEFAULT now(),
    attempts      int  NOT NULL DEFAULT 0,
    max_attempts  int  NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    unique_key    text,
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX jobs_claim_idx ON jobs (queue, priority DESC, run_at) WHERE state = 'pending';
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('pending', 'running');

CREATE TABLE analyses (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    result        jsonb NOT NULL
);
CREATE INDEX analyses_campaign_idx ON analyses (campaign_id, created_at DESC);
