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
