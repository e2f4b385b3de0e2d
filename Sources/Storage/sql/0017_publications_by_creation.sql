-- Servers load the tracking links of new publications ahead, every few seconds, so that a link clicked for the first
-- time during a database outage still redirects: that read goes by creation time.
CREATE INDEX publications_created_idx ON publications (created_at);
