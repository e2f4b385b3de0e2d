-- Whether challengers that autopilot has the rule generator write may go out without review (issue 18): when true,
-- such a challenger is approved as it is written, audited as `system:autopilot`; variants an LLM writes still wait
-- for a person.
ALTER TABLE workspaces ADD COLUMN rule_challengers_without_review boolean NOT NULL DEFAULT false;
