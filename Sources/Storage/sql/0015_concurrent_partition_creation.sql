-- Two sessions making the same month's partition at once both succeed.
--
-- Both pass the `to_regclass` check; one creates the table, and the other's CREATE TABLE meets the first one's
-- row type in `pg_type` and fails with duplicate_object (42710, "type ... already exists"), which 0007 did not
-- catch: an event ingest or tracking hit that happened to be the second at the turn of a month failed with 500.
-- The loser now waits for the winner on a transaction-scoped advisory lock keyed by the partition's name, then
-- finds the table made and attached; the duplicate errors stay caught for sessions made before this one.
CREATE OR REPLACE FUNCTION herald_ensure_event_partition(at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end   timestamptz := (date_trunc('month', at AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    name        text := format('events_%s', to_char(at AT TIME ZONE 'UTC', 'YYYY"m"MM'));
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('herald_ensure_event_partition'), hashtext(name));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
        EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       name, month_start, month_end);
    EXCEPTION WHEN duplicate_table OR duplicate_object OR unique_violation THEN
        NULL;  -- another session made it meanwhile
    END;
END;
$$;
