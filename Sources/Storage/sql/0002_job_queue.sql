-- Durable job queue, schedules and the publication outbox.

ALTER TABLE jobs ADD COLUMN started_at timestamptz;
DROP INDEX jobs_claim_idx;
-- Claiming reads only pending rows, in priority then due order.
CREATE INDEX jobs_claim_idx ON jobs (queue, priority DESC, run_at, id) WHERE state = 'pending';
-- Rescuing reads only running rows whose lease ran out.
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE state = 'running';
-- Pruning reads only finished rows.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state IN ('completed', 'cancelled', 'dead');

CREATE TABLE schedules (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id      uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id       uuid REFERENCES campaigns (id) ON DELETE CASCADE,
    name              text NOT NULL,
    rule              text NOT NULL,
    tz                text NOT NULL DEFAULT 'UTC',
    active_from       timestamptz,
    active_until      timestamptz,
    missed            text NOT NULL DEFAULT 'fire_once' CHECK (missed IN ('skip', 'fire_once')),
    job_kind          text NOT NULL,
    job_queue         text NOT NULL DEFAULT 'default',
    job_payload       jsonb NOT NULL DEFAULT '{}',
    job_max_attempts  int NOT NULL DEFAULT 5 CHECK (job_max_attempts > 0),
    next_fire_at      timestamptz,
    last_fire_at      timestamptz,
    enabled           boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schedules_name_idx ON schedules (coalesce(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid), name);
CREATE INDEX schedules_due_idx ON schedules (next_fire_at) WHERE enabled AND next_fire_at IS NOT NULL;

-- One row per fire of a schedule: the primary key makes each fire happen once, whatever
-- number of schedulers run.
CREATE TABLE schedule_fires (
    schedule_id  uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    fire_at      timestamptz NOT NULL,
    job_id       bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_id, fire_at)
);

-- Outbox of the built-in channel adapter: one row per publication idempotency key, however
-- often a publish job is retried.
CREATE TABLE deliveries (
    idempotency_key  text PRIMARY KEY,
    workspace_id     uuid NOT NULL,
    publication_id   uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    channel          text NOT NULL,
    body             text NOT NULL,
    attempts         int NOT NULL DEFAULT 1,
    delivered_at     timestamptz NOT NULL DEFAULT now()
);

-- Executions of `probe` jobs: lets operators and tests see each run of a job.
CREATE TABLE job_probes (
    job_id    bigint NOT NULL,
    attempt   int NOT NULL,
    worker    text NOT NULL,
    ran_at    timestamptz NOT NULL
);
CREATE INDEX job_probes_job_idx ON job_probes (job_id);
