-- Publishing answers at once; the deliveries of a published message are
-- planned in the background, in batches (warnings::jobs::plan_due). One row
-- per message being planned: the subscribers are walked in id order and
-- `after_id` is the last one planned, advanced in the same transaction as
-- the batch's deliveries, so a node killed mid-planning resumes where it
-- stopped (and `ON CONFLICT (idempotency_key) DO NOTHING` makes a repeated
-- batch harmless). Leased like deliveries, by node.
CREATE TABLE delivery_plans (
    warning_id BIGINT PRIMARY KEY,
    identifier TEXT NOT NULL,
    after_id BIGINT NOT NULL DEFAULT 0,
    areas_done BIGINT NOT NULL DEFAULT 0,
    planned BIGINT NOT NULL DEFAULT 0,
    lease_until TEXT,
    lease_node TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX delivery_plans_open ON delivery_plans (done_at);
-- The planner walks one kind's records in id order, a page at a time.
CREATE INDEX registry_items_kind_id ON registry_items (kind, id);
