-- Personal data of journal entries, kept beside them by reference so
-- that it can be erased without breaking the hash chain.
CREATE TABLE journal_personal (
    seq BIGINT PRIMARY KEY,
    module TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    salt TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX journal_personal_record ON journal_personal (module, entity, entity_id);
