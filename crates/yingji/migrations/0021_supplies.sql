-- Relief supplies (物资): the item catalogue coded by GB/T 38565-2020,
-- batches, ledger documents with their lines, the postings each posted
-- document wrote (double entry: every document's postings of an item and
-- batch sum to zero over its accounts), the balance per warehouse, item and
-- batch kept with the postings (never below zero: the CHECK is the last
-- guard; posting decrements with `qty >= n` conditions first), and the
-- minimum stock per warehouse and item. Warehouses are registry records
-- (registry_items, kind 'warehouse').
CREATE TABLE supply_items (
    id {ID},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    specification TEXT NOT NULL DEFAULT '',
    shelf_life_days BIGINT,
    storage TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE supply_batches (
    id {ID},
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    batch_no TEXT NOT NULL,
    supplier TEXT NOT NULL DEFAULT '',
    produced_on TEXT,
    expires_on TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (item_id, batch_no)
);

CREATE TABLE supply_docs (
    id {ID},
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'issue', 'transfer', 'count', 'writeoff', 'reversal')),
    reason TEXT NOT NULL DEFAULT '',
    warehouse_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    to_warehouse_id BIGINT,
    to_division TEXT NOT NULL DEFAULT '',
    reverses BIGINT UNIQUE REFERENCES supply_docs (id),
    state TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'posted')),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    approved_by TEXT NOT NULL DEFAULT '',
    approved_at TEXT,
    posted_by TEXT NOT NULL DEFAULT '',
    posted_at TEXT,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX supply_docs_division ON supply_docs (division, state);
CREATE INDEX supply_docs_warehouse ON supply_docs (warehouse_id);

CREATE TABLE supply_doc_lines (
    id {ID},
    doc_id BIGINT NOT NULL REFERENCES supply_docs (id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    batch_id BIGINT REFERENCES supply_batches (id),
    batch_no TEXT NOT NULL DEFAULT '',
    supplier TEXT NOT NULL DEFAULT '',
    produced_on TEXT,
    expires_on TEXT,
    qty BIGINT NOT NULL CHECK (qty >= 0),
    UNIQUE (doc_id, line_no)
);

CREATE TABLE supply_postings (
    id {ID},
    doc_id BIGINT NOT NULL REFERENCES supply_docs (id),
    account TEXT NOT NULL,
    warehouse_id BIGINT,
    item_id BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    delta BIGINT NOT NULL,
    posted_at TEXT NOT NULL
);
CREATE INDEX supply_postings_doc ON supply_postings (doc_id);
CREATE INDEX supply_postings_stock ON supply_postings (warehouse_id, item_id, batch_id);

CREATE TABLE supply_balances (
    warehouse_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    qty BIGINT NOT NULL CHECK (qty >= 0),
    PRIMARY KEY (warehouse_id, item_id, batch_id)
);

CREATE TABLE supply_minimums (
    warehouse_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    min_qty BIGINT NOT NULL CHECK (min_qty >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (warehouse_id, item_id)
);
