-- Shipments of relief supplies, and shelters in operation (below).
-- Shipments (运输) of relief supplies: one per 出库 or 调拨 document that
-- moves a request's (or any) stock out of a warehouse: planned → departed
-- (the document posted: the stock has left) → arrived → received (the
-- destination counts what came; a difference names its reason and, for a
-- 调拨 whose stock was booked into the destination, is drafted as a 报损
-- document there), or cancelled before departure. `division` is the
-- source warehouse's (who dispatches), `to_division` the receiving side's.
CREATE TABLE supply_shipments (
    id {ID},
    doc_id BIGINT NOT NULL UNIQUE REFERENCES supply_docs (id),
    request_id BIGINT REFERENCES supply_requests (id),
    division TEXT NOT NULL,
    to_division TEXT NOT NULL,
    from_warehouse_id BIGINT NOT NULL,
    to_warehouse_id BIGINT,
    destination TEXT NOT NULL DEFAULT '',
    dest_lon DOUBLE PRECISION,
    dest_lat DOUBLE PRECISION,
    vehicle TEXT NOT NULL DEFAULT '',
    carrier TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('planned', 'departed', 'arrived', 'received', 'cancelled')),
    lon DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    position_at TEXT,
    departed_at TEXT,
    arrived_at TEXT,
    received_at TEXT,
    received_by TEXT NOT NULL DEFAULT '',
    writeoff_doc_id BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX supply_shipments_division ON supply_shipments (division, state);
CREATE INDEX supply_shipments_to_division ON supply_shipments (to_division, state);
CREATE INDEX supply_shipments_request ON supply_shipments (request_id);

-- What a shipment carries per item: sent (the document's quantity) and,
-- once received, what came and why not all of it.
CREATE TABLE supply_shipment_lines (
    id {ID},
    shipment_id BIGINT NOT NULL REFERENCES supply_shipments (id),
    item_id BIGINT NOT NULL REFERENCES supply_items (id),
    sent BIGINT NOT NULL CHECK (sent > 0),
    received BIGINT CHECK (received >= 0 AND received <= sent),
    reason TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'damaged', 'lost', 'short')),
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (shipment_id, item_id)
);

-- The positions reported on the way (位置更新).
CREATE TABLE supply_shipment_positions (
    id {ID},
    shipment_id BIGINT NOT NULL REFERENCES supply_shipments (id),
    lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    at TEXT NOT NULL,
    reported_by TEXT NOT NULL
);
CREATE INDEX supply_shipment_positions_shipment ON supply_shipment_positions (shipment_id, id);

-- Shelters in operation (避难场所启用): a registry shelter opened (启用) and
-- closed with times — one opening at a time — with the households
-- registered in and out. A household's head is named with the last four
-- characters of the ID number only (the full number is never stored); the
-- name and phone are personal data (masked for readers without the right,
-- by reference in the journal).
CREATE TABLE shelter_openings (
    id {ID},
    shelter_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    incident_id BIGINT,
    opened_at TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    closed_at TEXT,
    closed_by TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX shelter_openings_open ON shelter_openings (shelter_id) WHERE closed_at IS NULL;
CREATE INDEX shelter_openings_division ON shelter_openings (division);

CREATE TABLE shelter_households (
    id {ID},
    opening_id BIGINT NOT NULL REFERENCES shelter_openings (id),
    shelter_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    head_name TEXT NOT NULL,
    id_last4 TEXT NOT NULL CHECK (LENGTH(id_last4) = 4),
    phone TEXT NOT NULL DEFAULT '',
    members BIGINT NOT NULL CHECK (members >= 1),
    origin_village TEXT NOT NULL DEFAULT '',
    special_needs TEXT NOT NULL DEFAULT '',
    checked_in_at TEXT NOT NULL,
    checked_in_by TEXT NOT NULL,
    checked_out_at TEXT,
    checked_out_by TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL
);
CREATE INDEX shelter_households_opening ON shelter_households (opening_id, checked_out_at);
