-- Rescue in seconds: a worker holds a session advisory lock for as long as it lives, and writes the lock's key into
-- every job it claims. A running job whose key is no longer held by any session belongs to a worker that is gone
-- (killed, crashed, its connection lost): the next rescue check frees it, long before its lease would run out.
-- Jobs claimed without a key (by tools and tests) are rescued by their lease only, as before.
ALTER TABLE jobs ADD COLUMN owner_lock bigint;
