-- The alarm state, rule and sensor kind columns of monitoring (0023)
-- accept only the values of their Rust enums (monitoring::AlarmState,
-- RuleKind, SensorKind); the unit test in src/db/migrations.rs compares
-- them. Never edit this file: a changed list is a new migration that drops
-- the check and adds it again.
--
-- SQLite: a trigger before each insert and each update of the column, as
-- in 0014.

CREATE TRIGGER alarms_state_check_insert BEFORE INSERT ON alarms
WHEN NEW.state NOT IN ('raised', 'acknowledged', 'resolved', 'false_alarm')
BEGIN SELECT RAISE(ABORT, 'alarms_state_check: alarms.state is not an allowed value'); END;
CREATE TRIGGER alarms_state_check_update BEFORE UPDATE OF state ON alarms
WHEN NEW.state NOT IN ('raised', 'acknowledged', 'resolved', 'false_alarm')
BEGIN SELECT RAISE(ABORT, 'alarms_state_check: alarms.state is not an allowed value'); END;

CREATE TRIGGER alarms_rule_check_insert BEFORE INSERT ON alarms
WHEN NEW.rule NOT IN ('threshold', 'rate', 'silence')
BEGIN SELECT RAISE(ABORT, 'alarms_rule_check: alarms.rule is not an allowed value'); END;
CREATE TRIGGER alarms_rule_check_update BEFORE UPDATE OF rule ON alarms
WHEN NEW.rule NOT IN ('threshold', 'rate', 'silence')
BEGIN SELECT RAISE(ABORT, 'alarms_rule_check: alarms.rule is not an allowed value'); END;

CREATE TRIGGER sensors_kind_check_insert BEFORE INSERT ON sensors
WHEN NEW.kind NOT IN ('gas', 'water_level', 'rainfall', 'tailings_level', 'displacement', 'temperature')
BEGIN SELECT RAISE(ABORT, 'sensors_kind_check: sensors.kind is not an allowed value'); END;
CREATE TRIGGER sensors_kind_check_update BEFORE UPDATE OF kind ON sensors
WHEN NEW.kind NOT IN ('gas', 'water_level', 'rainfall', 'tailings_level', 'displacement', 'temperature')
BEGIN SELECT RAISE(ABORT, 'sensors_kind_check: sensors.kind is not an allowed value'); END;
