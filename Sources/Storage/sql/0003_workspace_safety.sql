-- Per-workspace content safety: words no generated variant may contain, and disclosures
-- (e.g. #ad) every variant must carry, enforced for every generator.
ALTER TABLE workspaces
    ADD COLUMN banned_words text[] NOT NULL DEFAULT '{}',
    ADD COLUMN required_disclosures text[] NOT NULL DEFAULT '{}';
