-- The allowed values of the state columns, checked by the database as well
-- as by the rules (a disaster report's state is its kind). The lists are
-- those of the Rust enums: a unit test in src/db/migrations.rs compares
-- them. To change a list, add a migration that drops the check and creates
-- it again under the same name; never edit this file.
--
-- PostgreSQL: CHECK constraints, added NOT VALID and then validated; a row
-- already stored with another value fails the start, naming the
-- constraint. (In the one migration transaction this holds the same lock
-- as a plain ADD CONSTRAINT; the two steps are kept so a later migration on
-- a large table can split them.)

ALTER TABLE incidents ADD CONSTRAINT incidents_state_check CHECK (state IN ('reported', 'verified', 'graded', 'responding', 'ended', 'reviewed', 'dismissed')) NOT VALID;
ALTER TABLE incidents VALIDATE CONSTRAINT incidents_state_check;

ALTER TABLE instructions ADD CONSTRAINT instructions_state_check CHECK (state IN ('issued', 'received', 'in_progress', 'feedback_given', 'accepted', 'returned')) NOT VALID;
ALTER TABLE instructions VALIDATE CONSTRAINT instructions_state_check;

ALTER TABLE dispatch_orders ADD CONSTRAINT dispatch_orders_state_check CHECK (state IN ('requested', 'approved', 'departed', 'arrived', 'returned', 'cancelled')) NOT VALID;
ALTER TABLE dispatch_orders VALIDATE CONSTRAINT dispatch_orders_state_check;

ALTER TABLE warnings ADD CONSTRAINT warnings_state_check CHECK (state IN ('draft', 'submitted', 'approved', 'published', 'superseded', 'cancelled', 'expired')) NOT VALID;
ALTER TABLE warnings VALIDATE CONSTRAINT warnings_state_check;

ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check CHECK (state IN ('pending', 'delivered', 'dead')) NOT VALID;
ALTER TABLE deliveries VALIDATE CONSTRAINT deliveries_state_check;

ALTER TABLE disaster_reports ADD CONSTRAINT disaster_reports_kind_check CHECK (kind IN ('initial', 'followup', 'final', 'direct', 'forward')) NOT VALID;
ALTER TABLE disaster_reports VALIDATE CONSTRAINT disaster_reports_kind_check;

ALTER TABLE plan_versions ADD CONSTRAINT plan_versions_status_check CHECK (status IN ('draft', 'published')) NOT VALID;
ALTER TABLE plan_versions VALIDATE CONSTRAINT plan_versions_status_check;

ALTER TABLE drills ADD CONSTRAINT drills_state_check CHECK (state IN ('planned', 'held', 'evaluated', 'cancelled')) NOT VALID;
ALTER TABLE drills VALIDATE CONSTRAINT drills_state_check;

ALTER TABLE improvements ADD CONSTRAINT improvements_state_check CHECK (state IN ('open', 'in_progress', 'done', 'verified')) NOT VALID;
ALTER TABLE improvements VALIDATE CONSTRAINT improvements_state_check;

ALTER TABLE duty_shifts ADD CONSTRAINT duty_shifts_state_check CHECK (state IN ('scheduled', 'on_duty', 'handed_over', 'acknowledged')) NOT VALID;
ALTER TABLE duty_shifts VALIDATE CONSTRAINT duty_shifts_state_check;
