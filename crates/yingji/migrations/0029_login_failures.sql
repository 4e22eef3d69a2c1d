-- Login back-off shared by every node (issue #12): the failure count of
-- each account name and client address, so N nodes behind one load
-- balancer throttle as one. Bookkeeping, not a record: not journaled;
-- counts older than the forget time are pruned.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    count BIGINT NOT NULL CHECK (count > 0),
    last_at TEXT NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last_at);
