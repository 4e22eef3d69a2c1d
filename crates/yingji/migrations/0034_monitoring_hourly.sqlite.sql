-- Monitoring: 1-hour roll-ups of sensor readings next to the 1-minute ones
-- (kept longer: `[monitoring] hourly_retention_days`), read by the chart
-- for ranges over two days. `hour` is the UTC hour as stored text
-- (`2026-12-07T03:00:00.000Z`); filled from the 1-minute roll-ups already
-- there, so the hours before this migration are complete too. And the
-- combination rule: alarms.rule allows `combination` (the check of 0023
-- dropped and added again with the enum's values).

CREATE TABLE sensor_readings_1h (
    sensor_id BIGINT NOT NULL,
    hour TEXT NOT NULL,
    min_value DOUBLE PRECISION NOT NULL,
    max_value DOUBLE PRECISION NOT NULL,
    sum_value DOUBLE PRECISION NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (sensor_id, hour)
);
CREATE INDEX sensor_readings_1h_hour ON sensor_readings_1h (hour);

INSERT INTO sensor_readings_1h (sensor_id, hour, min_value, max_value, sum_value, n)
SELECT sensor_id, substr(minute, 1, 13) || ':00:00.000Z', MIN(min_value), MAX(max_value), SUM(sum_value), SUM(n)
FROM sensor_readings_1m
GROUP BY sensor_id, substr(minute, 1, 13);

-- SQLite: the triggers of 0023 replaced.
DROP TRIGGER alarms_rule_check_insert;
DROP TRIGGER alarms_rule_check_update;
CREATE TRIGGER alarms_rule_check_insert BEFORE INSERT ON alarms
WHEN NEW.rule NOT IN ('threshold', 'rate', 'silence', 'combination')
BEGIN SELECT RAISE(ABORT, 'alarms_rule_check: alarms.rule is not an allowed value'); END;
CREATE TRIGGER alarms_rule_check_update BEFORE UPDATE OF rule ON alarms
WHEN NEW.rule NOT IN ('threshold', 'rate', 'silence', 'combination')
BEGIN SELECT RAISE(ABORT, 'alarms_rule_check: alarms.rule is not an allowed value'); END;
