-- The campaign model: a lifecycle, variants written for channels (email with subject and preheader), a split,
-- publications that keep what went out, and results per publication and channel.

-- Channels Herald can publish to.
ALTER TABLE channels DROP CONSTRAINT channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check
    CHECK (kind IN ('x', 'instagram', 'linkedin', 'facebook', 'mastodon', 'bluesky', 'webhook', 'email', 'sms'));

-- Lifecycle: draft, scheduled, running, paused, ended, archived (transitions are checked by Herald; the
-- status changes in one conditional UPDATE, so two people pausing and ending at once cannot both win).
ALTER TABLE campaigns
    ADD COLUMN status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'ended', 'archived')),
    ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now();
-- Campaigns that existed before and have published are running.
UPDATE campaigns c SET status = 'running' WHERE EXISTS (SELECT 1 FROM publications p WHERE p.campaign_id = c.id);

-- The opt-out line every SMS of the workspace ends with.
ALTER TABLE workspaces ADD COLUMN sms_opt_out text NOT NULL DEFAULT 'Reply STOP to opt out';

-- A variant goes to the channels it was written for (NULL: every channel of its campaign); an email variant has a
-- subject, a preheader and a body (its text is the plain-text body); weight is its share of the split among the
-- variants of a channel (NULL: equal).
ALTER TABLE variants
    ADD COLUMN channels text[],
    ADD COLUMN subject text,
    ADD COLUMN preheader text,
    ADD COLUMN body text,
    ADD COLUMN weight double precision CHECK (weight IS NULL OR (weight >= 0 AND weight <= 1));

-- A schedule's end by a number of fires (its end by a date is active_until).
ALTER TABLE schedules
    ADD COLUMN max_fires int CHECK (max_fires IS NULL OR max_fires > 0),
    ADD COLUMN fire_count int NOT NULL DEFAULT 0;
UPDATE schedules s SET fire_count = (SELECT count(*) FROM schedule_fires f WHERE f.schedule_id = s.id);

-- What went out: the text as rendered for the channel (links replaced by the tracking link), an email's subject and
-- preheader, and for channels that split an audience the share of it this publication reaches.
ALTER TABLE publications
    ADD COLUMN body text,
    ADD COLUMN subject text,
    ADD COLUMN preheader text,
    ADD COLUMN audience_share double precision,
    ADD COLUMN error text;
UPDATE publications p SET body = v.text FROM variants v WHERE v.id = p.variant_id AND p.body IS NULL;
CREATE INDEX publications_campaign_status_idx ON publications (campaign_id, status);

-- Results per publication and channel. Events without a publication (older ones, or batch rows that name none)
-- still count for their variant, under the channel ''.
ALTER TABLE events
    ADD COLUMN publication_id uuid,
    ADD COLUMN channel text NOT NULL DEFAULT '';
ALTER TABLE variant_hourly ADD COLUMN channel text NOT NULL DEFAULT '';
ALTER TABLE variant_hourly DROP CONSTRAINT variant_hourly_pkey;
ALTER TABLE variant_hourly ADD PRIMARY KEY (variant_id, hour, kind, channel);
