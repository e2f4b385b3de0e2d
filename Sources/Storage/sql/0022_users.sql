-- People of the web back office (/app): users per workspace with a role and a bcrypt password hash, their sessions
-- and invitations, and failed sign-in attempts for rate limiting. Secrets are never stored: a session or invitation
-- token is kept as its SHA-256 only, a password as its bcrypt hash.

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id   uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email          text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 320),
    role           text NOT NULL CHECK (role IN ('viewer', 'editor', 'approver', 'admin')),
    -- NULL until the person sets a password through an invitation.
    password_hash  text CHECK (password_hash IS NULL OR password_hash LIKE '$2%'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz,
    UNIQUE (workspace_id, email)
);

-- Sign-in finds a person by email across workspaces.
CREATE INDEX users_by_email ON users (email);

CREATE TABLE web_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    -- The secret every form of this session carries in its hidden csrf field.
    csrf_secret   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    -- The absolute end; the idle end is last_seen_at plus the server's idle timeout.
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz
);

CREATE INDEX web_sessions_by_user ON web_sessions (user_id);

CREATE TABLE user_invitations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);

-- Failed sign-ins, per account (subject 'account:<email>') and per client address (subject 'address:<ip>'); rows
-- older than the longest window are deleted as new ones are written.
CREATE TABLE sign_in_failures (
    subject    text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sign_in_failures_by_subject ON sign_in_failures (subject, failed_at);
