-- Job queue throughput: completed jobs leave the polled table.
--
-- `jobs` keeps the jobs that can still change: pending, running, and the dead or cancelled
-- ones an operator may retry. A completion deletes the row from `jobs` and appends a slim
-- copy to `jobs_done` in the same statement, instead of updating it to 'completed': the
-- polled table and its indexes stay small, a completion writes one index entry (the
-- history's primary key) instead of a new row version in every index of `jobs`, and the
-- unique key is free again at once. `herald jobs list|stats` and pruning read both tables.

CREATE TABLE jobs_done (
    id            bigint PRIMARY KEY,
    workspace_id  uuid,
    queue         text NOT NULL,
    kind          text NOT NULL,
    priority      int  NOT NULL,
    attempts      int  NOT NULL,
    max_attempts  int  NOT NULL,
    unique_key    text,
    last_error    text,
    run_at        timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz NOT NULL
);
-- Pruning reads old rows by finish time; rows arrive in finish order, so a block-range
-- index is enough and costs almost nothing to keep up.
CREATE INDEX jobs_done_finished_idx ON jobs_done USING brin (finished_at);

-- Jobs completed before this migration move to the history.
WITH moved AS (
    DELETE FROM jobs WHERE state = 'completed'
    RETURNING id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
              run_at, created_at, started_at, finished_at
)
INSERT INTO jobs_done (id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
                       run_at, created_at, started_at, finished_at)
SELECT id, workspace_id, queue, kind, priority, attempts, max_attempts, unique_key, last_error,
       run_at, created_at, started_at, coalesce(finished_at, now())
FROM moved;

-- From now on a completed job is never a row of `jobs`.
ALTER TABLE jobs ADD CONSTRAINT jobs_not_completed CHECK (state <> 'completed');
