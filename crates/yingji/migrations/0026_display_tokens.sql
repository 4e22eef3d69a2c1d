-- 大屏 display tokens (issue #19): a read-only credential of a wall display,
-- bound to a jurisdiction, issued and revoked by an administrator. Only the
-- SHA-256 of the secret is stored.
CREATE TABLE display_tokens (
    id {ID},
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    division TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked BIGINT NOT NULL DEFAULT 0,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX display_tokens_division ON display_tokens (division);
