-- Distribution of relief supplies to households (发放登记, 签收): a 出库单
-- (issue, reason relief) whose quantities are the sum of a signed list —
-- the households that receive (head's name, the last four characters of
-- the ID number only, members), what each receives, and when each signed
-- (签收). The document is approved and posted through the ledger like any
-- other; a household signs once the stock has left (the document posted).
-- `division` is the warehouse's (jurisdiction); `opening_id` the shelter
-- opening the households came from, if any.
CREATE TABLE supply_distributions (
    doc_id BIGINT PRIMARY KEY REFERENCES supply_docs (id) ON DELETE CASCADE,
    division TEXT NOT NULL,
    incident_id BIGINT,
    opening_id BIGINT REFERENCES shelter_openings (id),
    place TEXT NOT NULL DEFAULT ''
);
CREATE INDEX supply_distributions_incident ON supply_distributions (incident_id);
CREATE INDEX supply_distributions_opening ON supply_distributions (opening_id);

CREATE TABLE supply_distribution_households (
    id {ID},
    doc_id BIGINT NOT NULL REFERENCES supply_docs (id) ON DELETE CASCADE,
    row_no BIGINT NOT NULL,
    household_id BIGINT REFERENCES shelter_households (id),
    head_name TEXT NOT NULL,
    id_last4 TEXT NOT NULL CHECK (LENGTH(id_last4) = 4),
    members BIGINT NOT NULL CHECK (members > 0),
    signed_at TEXT,
    signed_by TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL,
    UNIQUE (doc_id, row_no)
);

CREATE TABLE supply_distribution_quantities (
    household_row BIGINT NOT NULL REFERENCES supply_distribution_households (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    qty BIGINT NOT NULL CHECK (qty > 0),
    PRIMARY KEY (household_row, item_id)
);
