-- The alarm state, rule and sensor kind columns of monitoring (0023)
-- accept only the values of their Rust enums (monitoring::AlarmState,
-- RuleKind, SensorKind); the unit test in src/db/migrations.rs compares
-- them. Never edit this file: a changed list is a new migration that drops
-- the check and adds it again.
--
-- PostgreSQL: CHECK constraints, added NOT VALID and then validated.

ALTER TABLE alarms ADD CONSTRAINT alarms_state_check CHECK (state IN ('raised', 'acknowledged', 'resolved', 'false_alarm')) NOT VALID;
ALTER TABLE alarms VALIDATE CONSTRAINT alarms_state_check;

ALTER TABLE alarms ADD CONSTRAINT alarms_rule_check CHECK (rule IN ('threshold', 'rate', 'silence')) NOT VALID;
ALTER TABLE alarms VALIDATE CONSTRAINT alarms_rule_check;

ALTER TABLE sensors ADD CONSTRAINT sensors_kind_check CHECK (kind IN ('gas', 'water_level', 'rainfall', 'tailings_level', 'displacement', 'temperature')) NOT VALID;
ALTER TABLE sensors VALIDATE CONSTRAINT sensors_kind_check;
