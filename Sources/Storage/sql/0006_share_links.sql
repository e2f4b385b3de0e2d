-- Signed, expiring share links to a workspace's reports: the key they are signed with.
-- Set on first use by Herald (32 random bytes); replacing it revokes every link shared so far.
ALTER TABLE workspaces ADD COLUMN share_secret bytea;
