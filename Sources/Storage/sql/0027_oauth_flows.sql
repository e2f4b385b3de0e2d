-- OAuth 2.0 authorizations started from the back office (connect or reconnect an X or LinkedIn account): one row per
-- sign-in in progress, bound to the session and workspace that started it, used once, expiring after 10 minutes.
-- The state is kept as its SHA-256 only; the PKCE code verifier is sealed under the server's secret key.

CREATE TABLE oauth_flows (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    session_id    uuid NOT NULL REFERENCES web_sessions (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state_hash    bytea NOT NULL UNIQUE CHECK (length(state_hash) = 32),
    kind          text NOT NULL CHECK (kind IN ('x', 'linkedin')),
    account_name  text NOT NULL,
    redirect_uri  text NOT NULL,
    verifier      bytea NOT NULL,
    key_id        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);

CREATE INDEX oauth_flows_by_expiry ON oauth_flows (expires_at);
