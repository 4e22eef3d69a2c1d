-- The allowed values of the state columns, checked by the database as well
-- as by the rules (a disaster report's state is its kind). The lists are
-- those of the Rust enums: a unit test in src/db/migrations.rs compares
-- them. To change a list, add a migration that drops the check and creates
-- it again under the same name; never edit this file.
--
-- SQLite cannot add a constraint to an existing table: a trigger before
-- each insert and before each update of the column aborts the write. The
-- UPDATE after each pair rewrites only rows stored with another value, so
-- such a row fails the start here too, naming the check.

CREATE TRIGGER incidents_state_check_insert BEFORE INSERT ON incidents
WHEN NEW.state NOT IN ('reported', 'verified', 'graded', 'responding', 'ended', 'reviewed', 'dismissed')
BEGIN SELECT RAISE(ABORT, 'incidents_state_check: incidents.state is not an allowed value'); END;
CREATE TRIGGER incidents_state_check_update BEFORE UPDATE OF state ON incidents
WHEN NEW.state NOT IN ('reported', 'verified', 'graded', 'responding', 'ended', 'reviewed', 'dismissed')
BEGIN SELECT RAISE(ABORT, 'incidents_state_check: incidents.state is not an allowed value'); END;
UPDATE incidents SET state = state WHERE state NOT IN ('reported', 'verified', 'graded', 'responding', 'ended', 'reviewed', 'dismissed');

CREATE TRIGGER instructions_state_check_insert BEFORE INSERT ON instructions
WHEN NEW.state NOT IN ('issued', 'received', 'in_progress', 'feedback_given', 'accepted', 'returned')
BEGIN SELECT RAISE(ABORT, 'instructions_state_check: instructions.state is not an allowed value'); END;
CREATE TRIGGER instructions_state_check_update BEFORE UPDATE OF state ON instructions
WHEN NEW.state NOT IN ('issued', 'received', 'in_progress', 'feedback_given', 'accepted', 'returned')
BEGIN SELECT RAISE(ABORT, 'instructions_state_check: instructions.state is not an allowed value'); END;
UPDATE instructions SET state = state WHERE state NOT IN ('issued', 'received', 'in_progress', 'feedback_given', 'accepted', 'returned');

CREATE TRIGGER dispatch_orders_state_check_insert BEFORE INSERT ON dispatch_orders
WHEN NEW.state NOT IN ('requested', 'approved', 'departed', 'arrived', 'returned', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'dispatch_orders_state_check: dispatch_orders.state is not an allowed value'); END;
CREATE TRIGGER dispatch_orders_state_check_update BEFORE UPDATE OF state ON dispatch_orders
WHEN NEW.state NOT IN ('requested', 'approved', 'departed', 'arrived', 'returned', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'dispatch_orders_state_check: dispatch_orders.state is not an allowed value'); END;
UPDATE dispatch_orders SET state = state WHERE state NOT IN ('requested', 'approved', 'departed', 'arrived', 'returned', 'cancelled');

CREATE TRIGGER warnings_state_check_insert BEFORE INSERT ON warnings
WHEN NEW.state NOT IN ('draft', 'submitted', 'approved', 'published', 'superseded', 'cancelled', 'expired')
BEGIN SELECT RAISE(ABORT, 'warnings_state_check: warnings.state is not an allowed value'); END;
CREATE TRIGGER warnings_state_check_update BEFORE UPDATE OF state ON warnings
WHEN NEW.state NOT IN ('draft', 'submitted', 'approved', 'published', 'superseded', 'cancelled', 'expired')
BEGIN SELECT RAISE(ABORT, 'warnings_state_check: warnings.state is not an allowed value'); END;
UPDATE warnings SET state = state WHERE state NOT IN ('draft', 'submitted', 'approved', 'published', 'superseded', 'cancelled', 'expired');

CREATE TRIGGER deliveries_state_check_insert BEFORE INSERT ON deliveries
WHEN NEW.state NOT IN ('pending', 'delivered', 'dead')
BEGIN SELECT RAISE(ABORT, 'deliveries_state_check: deliveries.state is not an allowed value'); END;
CREATE TRIGGER deliveries_state_check_update BEFORE UPDATE OF state ON deliveries
WHEN NEW.state NOT IN ('pending', 'delivered', 'dead')
BEGIN SELECT RAISE(ABORT, 'deliveries_state_check: deliveries.state is not an allowed value'); END;
UPDATE deliveries SET state = state WHERE state NOT IN ('pending', 'delivered', 'dead');

CREATE TRIGGER disaster_reports_kind_check_insert BEFORE INSERT ON disaster_reports
WHEN NEW.kind NOT IN ('initial', 'followup', 'final', 'direct', 'forward')
BEGIN SELECT RAISE(ABORT, 'disaster_reports_kind_check: disaster_reports.kind is not an allowed value'); END;
CREATE TRIGGER disaster_reports_kind_check_update BEFORE UPDATE OF kind ON disaster_reports
WHEN NEW.kind NOT IN ('initial', 'followup', 'final', 'direct', 'forward')
BEGIN SELECT RAISE(ABORT, 'disaster_reports_kind_check: disaster_reports.kind is not an allowed value'); END;
UPDATE disaster_reports SET kind = kind WHERE kind NOT IN ('initial', 'followup', 'final', 'direct', 'forward');

CREATE TRIGGER plan_versions_status_check_insert BEFORE INSERT ON plan_versions
WHEN NEW.status NOT IN ('draft', 'published')
BEGIN SELECT RAISE(ABORT, 'plan_versions_status_check: plan_versions.status is not an allowed value'); END;
CREATE TRIGGER plan_versions_status_check_update BEFORE UPDATE OF status ON plan_versions
WHEN NEW.status NOT IN ('draft', 'published')
BEGIN SELECT RAISE(ABORT, 'plan_versions_status_check: plan_versions.status is not an allowed value'); END;
UPDATE plan_versions SET status = status WHERE status NOT IN ('draft', 'published');

CREATE TRIGGER drills_state_check_insert BEFORE INSERT ON drills
WHEN NEW.state NOT IN ('planned', 'held', 'evaluated', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'drills_state_check: drills.state is not an allowed value'); END;
CREATE TRIGGER drills_state_check_update BEFORE UPDATE OF state ON drills
WHEN NEW.state NOT IN ('planned', 'held', 'evaluated', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'drills_state_check: drills.state is not an allowed value'); END;
UPDATE drills SET state = state WHERE state NOT IN ('planned', 'held', 'evaluated', 'cancelled');

CREATE TRIGGER improvements_state_check_insert BEFORE INSERT ON improvements
WHEN NEW.state NOT IN ('open', 'in_progress', 'done', 'verified')
BEGIN SELECT RAISE(ABORT, 'improvements_state_check: improvements.state is not an allowed value'); END;
CREATE TRIGGER improvements_state_check_update BEFORE UPDATE OF state ON improvements
WHEN NEW.state NOT IN ('open', 'in_progress', 'done', 'verified')
BEGIN SELECT RAISE(ABORT, 'improvements_state_check: improvements.state is not an allowed value'); END;
UPDATE improvements SET state = state WHERE state NOT IN ('open', 'in_progress', 'done', 'verified');

CREATE TRIGGER duty_shifts_state_check_insert BEFORE INSERT ON duty_shifts
WHEN NEW.state NOT IN ('scheduled', 'on_duty', 'handed_over', 'acknowledged')
BEGIN SELECT RAISE(ABORT, 'duty_shifts_state_check: duty_shifts.state is not an allowed value'); END;
CREATE TRIGGER duty_shifts_state_check_update BEFORE UPDATE OF state ON duty_shifts
WHEN NEW.state NOT IN ('scheduled', 'on_duty', 'handed_over', 'acknowledged')
BEGIN SELECT RAISE(ABORT, 'duty_shifts_state_check: duty_shifts.state is not an allowed value'); END;
UPDATE duty_shifts SET state = state WHERE state NOT IN ('scheduled', 'on_duty', 'handed_over', 'acknowledged');
