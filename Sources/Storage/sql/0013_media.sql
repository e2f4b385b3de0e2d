-- Images that variants carry. The bytes live in PostgreSQL so any worker on any machine can send them; one image is
-- stored once per workspace (deduplicated by its SHA-256), however many variants use it.
CREATE TABLE media (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    mime_type     text NOT NULL CHECK (mime_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    bytes         bytea NOT NULL,
    width         int NOT NULL CHECK (width > 0),
    height        int NOT NULL CHECK (height > 0),
    byte_size     int NOT NULL CHECK (byte_size > 0),
    -- Where an image given by URL was fetched from (once, when the campaign was created).
    source_url    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, sha256)
);

-- A variant's images in order, each with its own alt text (the same picture may be described differently).
CREATE TABLE variant_media (
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    variant_id    uuid NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    position      int NOT NULL CHECK (position >= 0),
    media_id      uuid NOT NULL REFERENCES media (id),
    alt_text      text NOT NULL CHECK (length(btrim(alt_text)) > 0 AND char_length(alt_text) <= 1500),
    PRIMARY KEY (variant_id, position)
);
CREATE INDEX variant_media_media ON variant_media (media_id);

-- Alt text and caption ideas a vision model suggested from an image. Generated content: never applied by itself,
-- each waits for a person to accept or reject it.
CREATE TABLE media_suggestions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    variant_id    uuid NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    media_id      uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    position      int NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('alt_text', 'caption')),
    text          text NOT NULL,
    model         text NOT NULL,
    prompt        text NOT NULL,
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    -- For an accepted caption idea: the variant it became.
    created_variant_id uuid REFERENCES variants (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz
);
CREATE INDEX media_suggestions_variant ON media_suggestions (workspace_id, variant_id, created_at);
