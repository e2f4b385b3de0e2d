-- Month partitions are made without waiting for the transactions writing events.
--
-- `CREATE TABLE ... PARTITION OF events` takes an ACCESS EXCLUSIVE lock on `events`: it waits for every
-- transaction writing events, and every writer queues behind it. A new table attached with
-- `ALTER TABLE events ATTACH PARTITION` needs only SHARE UPDATE EXCLUSIVE on `events`, which writers do
-- not conflict with (the empty table's constraint check is instant; its indexes are made on attach).
-- Creating and attaching happen in one transaction, so a half-made partition is never seen.
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
    BEGIN
        EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
        EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       name, month_start, month_end);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;  -- another session made it meanwhile
    END;
END;
$$;
