-- A campaign's planned test: the total of impressions (all variants together) at which it ends. With it, each stored
-- analysis is a look of a group-sequential test; without it (NULL), analyses use an always-valid test.

ALTER TABLE campaigns ADD COLUMN design_horizon bigint CHECK (design_horizon IS NULL OR design_horizon >= 100);
