-- Engagement pulled back from the platforms: each collect_metrics job stores the post's counts as the platform gave
-- them (decreases such as an unlike included), and the totals its events brought the publication to. Events are made
-- only for the running maximum of each count, numbered with ids derived from the numbers (see docs/architecture.md),
-- so collecting again never counts twice.
CREATE TABLE engagement_snapshots (
    publication_id    uuid NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    taken_at          timestamptz NOT NULL,
    round             int NOT NULL CHECK (round >= 1),
    likes             int NOT NULL CHECK (likes >= 0),
    shares            int NOT NULL CHECK (shares >= 0),
    comments          int NOT NULL CHECK (comments >= 0),
    -- NULL where the platform gives no impressions (Mastodon, Bluesky).
    impressions       int CHECK (impressions >= 0),
    -- The account's followers when the counts were read, when known.
    followers         int CHECK (followers >= 0),
    -- What the publication's events stood for once this snapshot was counted (running maxima; exposure is the
    -- impression events: impressions, or the follower reach at posting time where the platform gives none).
    counted_likes     int NOT NULL DEFAULT 0 CHECK (counted_likes >= 0),
    counted_shares    int NOT NULL DEFAULT 0 CHECK (counted_shares >= 0),
    counted_comments  int NOT NULL DEFAULT 0 CHECK (counted_comments >= 0),
    counted_exposure  int NOT NULL DEFAULT 0 CHECK (counted_exposure >= 0),
    PRIMARY KEY (publication_id, taken_at)
);
CREATE INDEX engagement_snapshots_workspace_idx ON engagement_snapshots (workspace_id, taken_at);

-- The account's followers when the publication was published: its exposure where the platform gives no impressions.
ALTER TABLE publications ADD COLUMN reach int CHECK (reach >= 0);
