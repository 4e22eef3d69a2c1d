-- Supplies requests (需求申请) and their accepted allocations. A request
-- comes from an incident, a county or a shelter and belongs to the
-- requesting division (jurisdiction); it names the items and quantities,
-- the delivery place (a point, a shelter, a division or a warehouse, always
-- with the point allocation measures road time to) and when it is needed;
-- drafted → submitted → allocated → fulfilled / cancelled. Accepting the
-- proposed allocation drafts one ledger document per source warehouse
-- (出库, or 调拨 to a warehouse); `supply_request_allocations` keeps what was
-- accepted, line by line, with the document it went into.
CREATE TABLE supply_requests (
    id {ID},
    division TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('incident', 'county', 'shelter')),
    incident_id BIGINT,
    shelter_id BIGINT,
    place_kind TEXT NOT NULL CHECK (place_kind IN ('point', 'shelter', 'division', 'warehouse')),
    place_id BIGINT,
    place_division TEXT NOT NULL DEFAULT '',
    place_name TEXT NOT NULL DEFAULT '',
    lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    needed_by TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('drafted', 'submitted', 'allocated', 'fulfilled', 'cancelled')),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    allocated_by TEXT NOT NULL DEFAULT '',
    allocated_at TEXT,
    closed_at TEXT,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX supply_requests_division ON supply_requests (division, state);
CREATE INDEX supply_requests_incident ON supply_requests (incident_id);

CREATE TABLE supply_request_lines (
    id {ID},
    request_id BIGINT NOT NULL REFERENCES supply_requests (id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    qty BIGINT NOT NULL CHECK (qty > 0),
    UNIQUE (request_id, line_no)
);

CREATE TABLE supply_request_allocations (
    id {ID},
    request_id BIGINT NOT NULL REFERENCES supply_requests (id),
    doc_id BIGINT,
    warehouse_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    batch_id BIGINT,
    qty BIGINT NOT NULL CHECK (qty > 0),
    time_s DOUBLE PRECISION,
    method TEXT NOT NULL DEFAULT ''
);
CREATE INDEX supply_request_allocations_request ON supply_request_allocations (request_id);
CREATE INDEX supply_request_allocations_doc ON supply_request_allocations (doc_id);
