-- A campaign's planned test: the total of impressions (all variants together) at which it ends. With it, each stored
-- analysis is a look of a group-sequential test; without it (NULL), analyses use an always-valid test.
ALTER TABLE campaigns ADD COLUMN design_horizon bigint CHECK (design_horizon IS NULL OR design_horizon >= 100);

-- Each analysis's total of trials (all arms), kept beside its result so the earlier looks of a planned test are read
-- without opening every stored result (hourly looks over six weeks are 1,000 results with their report models).
ALTER TABLE analyses ADD COLUMN trials bigint;
UPDATE analyses SET trials = (SELECT sum((arm->>'trials')::bigint) FROM jsonb_array_elements(result->'score'->'arms') AS arm);
