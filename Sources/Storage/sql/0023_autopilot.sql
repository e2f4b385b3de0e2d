-- Autopilot: per campaign off, suggest or auto within guard rails; every action it plans after an analysis, with its
-- reason, its state (pending for a person, applied, dismissed, undone) and what undoing it restores; and the
-- allocation periods a change of split opens, which the analysis treats as such.

ALTER TABLE campaigns
    ADD COLUMN autopilot_mode text NOT NULL DEFAULT 'off' CHECK (autopilot_mode IN ('off', 'suggest', 'auto')),
    -- Guard rails that differ from the defaults (minimum_sample, maximum_shift, minimum_period_hours, minimum_share,
    -- challenger_budget, posts_per_account_per_day).
    ADD COLUMN autopilot_rails jsonb NOT NULL DEFAULT '{}',
    -- The brief the campaign's variants were last generated from (an object, or YAML text as a JSON string), which
    -- challengers are written from.
    ADD COLUMN brief jsonb;

-- Each change of a campaign's split opens a period; the first one starts with the campaign.
CREATE TABLE allocation_periods (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    number        int NOT NULL CHECK (number >= 1),
    started_at    timestamptz NOT NULL,
    -- Variant key -> share of upcoming sends, summing to 1.
    weights       jsonb NOT NULL,
    reason        text NOT NULL,
    PRIMARY KEY (campaign_id, number)
);
CREATE INDEX allocation_periods_workspace_idx ON allocation_periods (workspace_id, campaign_id);

CREATE TABLE autopilot_actions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    -- The analysis that led to it, and its place in that analysis's plan: planned once per analysis.
    analysis_id   uuid NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    position      int NOT NULL,
    created_at    timestamptz NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('declare_winner', 'stop_arm', 'set_split', 'send_winner_to_rest',
                                                'queue_challenger', 'move_schedule')),
    action        jsonb NOT NULL,
    reason        text NOT NULL,
    state         text NOT NULL CHECK (state IN ('pending', 'applied', 'dismissed', 'undone')),
    -- Who or what decided: 'autopilot' in auto mode, or the person or token that applied, dismissed or undid it.
    decided_by    text,
    decided_at    timestamptz,
    -- What undoing restores (the split and schedule before), set when applied.
    undo          jsonb,
    undone_by     text,
    undone_at     timestamptz,
    UNIQUE (analysis_id, position)
);
CREATE INDEX autopilot_actions_campaign_idx ON autopilot_actions (workspace_id, campaign_id, created_at DESC);
