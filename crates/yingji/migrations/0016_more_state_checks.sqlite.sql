-- The state columns 0014 left without a check: an upstream alert's state,
-- a registry record's status and a recorded deadline event's status (only
-- 迟报 and 漏报 are recorded). As in 0014, the lists are those of the Rust
-- values (upstream::UpstreamState, registry::STATUS, and the two
-- reports::deadlines::Status values the deadline job records); the unit
-- test in src/db/migrations.rs compares them. Never edit this file: a
-- changed list is a new migration that drops the check and adds it again.
--
-- SQLite: a trigger before each insert and each update of the column, as
-- in 0014; the UPDATE after each pair makes a row already stored with
-- another value fail the start, naming the check.

CREATE TRIGGER upstream_alerts_state_check_insert BEFORE INSERT ON upstream_alerts
WHEN NEW.state NOT IN ('active', 'superseded', 'cancelled', 'rejected')
BEGIN SELECT RAISE(ABORT, 'upstream_alerts_state_check: upstream_alerts.state is not an allowed value'); END;
CREATE TRIGGER upstream_alerts_state_check_update BEFORE UPDATE OF state ON upstream_alerts
WHEN NEW.state NOT IN ('active', 'superseded', 'cancelled', 'rejected')
BEGIN SELECT RAISE(ABORT, 'upstream_alerts_state_check: upstream_alerts.state is not an allowed value'); END;
UPDATE upstream_alerts SET state = state WHERE state NOT IN ('active', 'superseded', 'cancelled', 'rejected');

CREATE TRIGGER registry_items_status_check_insert BEFORE INSERT ON registry_items
WHEN NEW.status NOT IN ('available', 'dispatched', 'maintenance', 'inactive')
BEGIN SELECT RAISE(ABORT, 'registry_items_status_check: registry_items.status is not an allowed value'); END;
CREATE TRIGGER registry_items_status_check_update BEFORE UPDATE OF status ON registry_items
WHEN NEW.status NOT IN ('available', 'dispatched', 'maintenance', 'inactive')
BEGIN SELECT RAISE(ABORT, 'registry_items_status_check: registry_items.status is not an allowed value'); END;
UPDATE registry_items SET status = status WHERE status NOT IN ('available', 'dispatched', 'maintenance', 'inactive');

CREATE TRIGGER deadline_events_status_check_insert BEFORE INSERT ON deadline_events
WHEN NEW.status NOT IN ('late', 'missing')
BEGIN SELECT RAISE(ABORT, 'deadline_events_status_check: deadline_events.status is not an allowed value'); END;
CREATE TRIGGER deadline_events_status_check_update BEFORE UPDATE OF status ON deadline_events
WHEN NEW.status NOT IN ('late', 'missing')
BEGIN SELECT RAISE(ABORT, 'deadline_events_status_check: deadline_events.status is not an allowed value'); END;
UPDATE deadline_events SET status = status WHERE status NOT IN ('late', 'missing');
