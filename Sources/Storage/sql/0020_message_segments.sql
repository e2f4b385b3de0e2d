-- A text message's segments, as the gateway billed them (or as Herald counts them when the gateway does not say):
-- the cost of an SMS audience send. NULL for email.
ALTER TABLE messages ADD COLUMN segments int CHECK (segments IS NULL OR segments > 0);
