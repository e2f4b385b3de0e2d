-- Audiences: contacts with consent, named lists, suppression that outlives erasure, campaigns that send to a list
-- (with a test share and a winner), one message per contact and campaign, and engagement per recipient.

-- A person a workspace may write to. The email is normalised (domain in lower case and ASCII, as Punycode), the phone
-- is E.164; at least one of them is present, and each is unique within the workspace (duplicates merge on import).
-- No IP address and no tracking identifier is stored here.
CREATE TABLE contacts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         text,
    phone         text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
    name          text,
    time_zone     text,
    attributes    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
    consent       text NOT NULL DEFAULT 'subscribed'
                  CHECK (consent IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
    consent_at    timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE UNIQUE INDEX contacts_email_idx ON contacts (workspace_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone_idx ON contacts (workspace_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX contacts_workspace_id_idx ON contacts (workspace_id, id);

-- Every change of consent, with where it came from (import, api, cli, unsubscribe_page, one_click, bounce,
-- complaint): the proof a sender needs. Erasing the contact erases its history.
CREATE TABLE consent_changes (
    contact_id  uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    state       text NOT NULL CHECK (state IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
    source      text NOT NULL,
    detail      text
);
CREATE INDEX consent_changes_contact_idx ON consent_changes (contact_id, at);

CREATE TABLE contact_lists (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
);

CREATE TABLE contact_list_members (
    list_id     uuid NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
    contact_id  uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX contact_list_members_contact_idx ON contact_list_members (contact_id);

-- Addresses that must never be written to again, kept as HMAC-SHA256 under a key of the workspace (so the table
-- holds no address): an unsubscribed or bounced person who is erased and later imported again stays suppressed.
CREATE TABLE suppressed_addresses (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    digest        bytea NOT NULL CHECK (length(digest) = 32),
    reason        text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'complained')),
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, digest)
);

-- A campaign that sends to an audience: its list (and segment, test share, deadline and send-time window, as the
-- campaign file gave them), and the winner once chosen, with when, by whom (analysis or a person) and why.
ALTER TABLE campaigns
    ADD COLUMN audience_list_id  uuid REFERENCES contact_lists (id) ON DELETE SET NULL,
    ADD COLUMN audience          jsonb,
    ADD COLUMN winner_variant_id uuid REFERENCES variants (id) ON DELETE SET NULL,
    ADD COLUMN winner_chosen_at  timestamptz,
    ADD COLUMN winner_chosen_by  text,
    ADD COLUMN winner_reason     text;

-- SMS goes out through an HTTP gateway account (the Twilio-style messages API).
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check
    CHECK (kind IN ('mastodon', 'bluesky', 'x', 'linkedin', 'webhook', 'sms'));

-- One message per campaign and contact, ever: the unique key is what makes a retry, a rescued job or a second run
-- unable to write to a person twice. `phase` says whether it went to the test share or, with the winner, to the rest.
-- The idempotency key names the message at the provider (the email's Message-ID is derived from it). An erased
-- contact's messages stay as anonymous counts (contact_id becomes NULL, nothing else names the person).
CREATE TABLE messages (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    campaign_id      uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    variant_id       uuid REFERENCES variants (id) ON DELETE SET NULL,
    contact_id       uuid REFERENCES contacts (id) ON DELETE SET NULL,
    channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
    phase            text NOT NULL CHECK (phase IN ('test', 'rest', 'all')),
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'suppressed', 'cancelled')),
    send_at          timestamptz NOT NULL,
    idempotency_key  text NOT NULL UNIQUE,
    provider_id      text,
    attempts         int NOT NULL DEFAULT 0,
    failure_class    text,
    error            text,
    claimed_by       text,
    claimed_until    timestamptz,
    sent_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, contact_id)
);
CREATE INDEX messages_due_idx ON messages (state, send_at) WHERE state IN ('queued', 'sending');
CREATE INDEX messages_campaign_idx ON messages (campaign_id, state);
CREATE INDEX messages_contact_idx ON messages (contact_id) WHERE contact_id IS NOT NULL;

-- Engagement per recipient: events name the message they came from; opens, unsubscribes and bounces are kinds.
-- A message accepted by the server is the email's impression (its trial).
ALTER TABLE events ADD COLUMN message_id uuid;
CREATE INDEX events_message_idx ON events (message_id) WHERE message_id IS NOT NULL;
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check
    CHECK (kind IN ('impression', 'click', 'like', 'share', 'comment', 'conversion', 'open', 'unsubscribe', 'bounce'));
