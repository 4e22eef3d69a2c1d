-- The state columns 0014 left without a check: an upstream alert's state,
-- a registry record's status and a recorded deadline event's status (only
-- 迟报 and 漏报 are recorded). As in 0014, the lists are those of the Rust
-- values (upstream::UpstreamState, registry::STATUS, and the two
-- reports::deadlines::Status values the deadline job records); the unit
-- test in src/db/migrations.rs compares them. Never edit this file: a
-- changed list is a new migration that drops the check and adds it again.
--
-- PostgreSQL: CHECK constraints, added NOT VALID and then validated (a row
-- already stored with another value fails the start, naming the
-- constraint).

ALTER TABLE upstream_alerts ADD CONSTRAINT upstream_alerts_state_check CHECK (state IN ('active', 'superseded', 'cancelled', 'rejected')) NOT VALID;
ALTER TABLE upstream_alerts VALIDATE CONSTRAINT upstream_alerts_state_check;

ALTER TABLE registry_items ADD CONSTRAINT registry_items_status_check CHECK (status IN ('available', 'dispatched', 'maintenance', 'inactive')) NOT VALID;
ALTER TABLE registry_items VALIDATE CONSTRAINT registry_items_status_check;

ALTER TABLE deadline_events ADD CONSTRAINT deadline_events_status_check CHECK (status IN ('late', 'missing')) NOT VALID;
ALTER TABLE deadline_events VALIDATE CONSTRAINT deadline_events_status_check;
