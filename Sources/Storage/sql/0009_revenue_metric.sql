-- A campaign can optimise revenue (conversion value per impression) as well as a success event kind.
ALTER TABLE campaigns DROP CONSTRAINT IF EXISTS campaigns_primary_metric_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_primary_metric_check
    CHECK (primary_metric IN ('click', 'like', 'share', 'comment', 'conversion', 'revenue'));
