-- Review and approval of variants: every variant has a review state, people decide (approve or reject, with a
-- comment), and nothing pending or rejected is published (the publish job and the audience send check it).

-- review: pending, approved or rejected. revision counts content changes: a decision is about one revision, and an
-- edit of the content starts a new one (see the trigger below). written_by is who wrote the current content
-- ('token:<id>', 'user:<id>', 'cli:<login>'; NULL for a generator), so no one approves what they wrote.
ALTER TABLE variants
    ADD COLUMN review text NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'approved', 'rejected')),
    ADD COLUMN revision int NOT NULL DEFAULT 1,
    ADD COLUMN written_by text;

-- Variants that exist before the gate: those written by hand (generator 'manual') were published without review
-- until now and stay publishable, so running campaigns keep running: they become approved. Generated ones (rules,
-- LLM, challengers, vision captions) were never looked at by a person: they stay pending until someone approves them.
UPDATE variants SET review = 'approved' WHERE generator = 'manual';

-- The workspace's review rules: how many different people must approve a variant (1 or 2), and whether variants
-- written by hand need review too (when false, a hand-written variant is approved as it is created).
ALTER TABLE workspaces
    ADD COLUMN approvals_required int NOT NULL DEFAULT 1 CHECK (approvals_required IN (1, 2)),
    ADD COLUMN review_hand_written boolean NOT NULL DEFAULT false;

-- Every decision, kept: the variant's state is decided from the decisions on its current revision.
CREATE TABLE review_decisions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    variant_id    uuid NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    revision      int NOT NULL,
    decision      text NOT NULL CHECK (decision IN ('approve', 'reject')),
    comment       text NOT NULL DEFAULT '',
    -- 'token:<id>', 'user:<id>', 'cli:<login>'; actor_name is how to show it (a token's or a person's name).
    actor         text NOT NULL,
    actor_name    text NOT NULL DEFAULT '',
    decided_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (decision = 'approve' OR length(btrim(comment)) > 0)
);
CREATE INDEX review_decisions_variant_idx ON review_decisions (variant_id, revision, decided_at);

-- What people and machines did in a workspace: review decisions, edits, and later the autopilot's actions and the
-- back office's changes. actor as in review_decisions (or 'system:<part>', e.g. 'system:autopilot'); action a dotted
-- verb ('variant.approve', 'variant.reject', 'variant.edit'); subject the kind and id of what it was done to (text, no
-- foreign key: the log outlives what it describes); details any JSON object.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,
    actor_name    text NOT NULL DEFAULT '',
    action        text NOT NULL,
    subject_kind  text NOT NULL,
    subject_id    text NOT NULL,
    details       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_log_time_idx ON audit_log (workspace_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_subject_idx ON audit_log (workspace_id, subject_kind, subject_id, occurred_at);

-- An edit of a variant's content (text, email subject, preheader or body), by whatever path, starts a new revision
-- and sends it back to pending: an approval is for the content that was approved.
CREATE FUNCTION variants_review_on_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.text, NEW.subject, NEW.preheader, NEW.body) IS DISTINCT FROM (OLD.text, OLD.subject, OLD.preheader, OLD.body) THEN
        NEW.revision := OLD.revision + 1;
        NEW.review := 'pending';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER variants_review_on_edit BEFORE UPDATE OF text, subject, preheader, body ON variants
    FOR EACH ROW EXECUTE FUNCTION variants_review_on_edit();

-- So does a change of an image's alt text (it is published with the image).
CREATE FUNCTION variant_media_review_on_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.alt_text IS DISTINCT FROM OLD.alt_text THEN
        UPDATE variants SET review = 'pending', revision = revision + 1 WHERE id = NEW.variant_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER variant_media_review_on_edit AFTER UPDATE OF alt_text ON variant_media
    FOR EACH ROW EXECUTE FUNCTION variant_media_review_on_edit();

-- API tokens may be approvers: they approve and reject variants, and write like editors.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'approver', 'editor', 'viewer'));

-- A publication refused by the review gate fails with the class not_approved. The class list is extended where it
-- stands (whatever classes earlier migrations allow), not rewritten.
DO $$
DECLARE
    definition text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO definition FROM pg_constraint
    WHERE conrelid = 'publications'::regclass AND conname = 'publications_failure_class_check';
    IF definition IS NOT NULL AND position('ARRAY[' IN definition) > 0 AND position('not_approved' IN definition) = 0 THEN
        EXECUTE 'ALTER TABLE publications DROP CONSTRAINT publications_failure_class_check';
        EXECUTE 'ALTER TABLE publications ADD CONSTRAINT publications_failure_class_check '
            || replace(definition, 'ARRAY[', 'ARRAY[''not_approved''::text, ');
    END IF;
END
$$;
