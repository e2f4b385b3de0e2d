-- Each contact carries the digests of its addresses (HMAC-SHA256 of the normalised email and of the E.164 phone under
-- the workspace's address key, as in suppressed_addresses), so an audience can leave out suppressed addresses with
-- an index lookup, and a suppression outlives the contact's erasure: a person erased and imported again is matched
-- by digest, never by a kept address.
ALTER TABLE contacts
    ADD COLUMN email_digest bytea CHECK (email_digest IS NULL OR length(email_digest) = 32),
    ADD COLUMN phone_digest bytea CHECK (phone_digest IS NULL OR length(phone_digest) = 32);
