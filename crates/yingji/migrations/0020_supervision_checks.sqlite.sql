-- The state, grade and level columns of supervision (0019) accept only
-- the values of their Rust enums (supervision::HazardState, HazardGrade,
-- RiskLevel; a source is not checked here: its value for 企业自查
-- reads as a check's name to the migrations' drift test); the unit test in
-- src/db/migrations.rs compares them. A hazard's grade is NULL until it is
-- confirmed (NULL passes the check). Never edit this file: a changed list
-- is a new migration that drops the check and adds it again.
--
-- SQLite: a trigger before each insert and each update of the column, as
-- in 0014; the UPDATE after each pair makes a row already stored with
-- another value fail the start, naming the check.

CREATE TRIGGER hazards_state_check_insert BEFORE INSERT ON hazards
WHEN NEW.state NOT IN ('reported', 'confirmed', 'rectifying', 'rectified', 'verified', 'closed')
BEGIN SELECT RAISE(ABORT, 'hazards_state_check: hazards.state is not an allowed value'); END;
CREATE TRIGGER hazards_state_check_update BEFORE UPDATE OF state ON hazards
WHEN NEW.state NOT IN ('reported', 'confirmed', 'rectifying', 'rectified', 'verified', 'closed')
BEGIN SELECT RAISE(ABORT, 'hazards_state_check: hazards.state is not an allowed value'); END;
UPDATE hazards SET state = state WHERE state NOT IN ('reported', 'confirmed', 'rectifying', 'rectified', 'verified', 'closed');

CREATE TRIGGER hazards_grade_check_insert BEFORE INSERT ON hazards
WHEN NEW.grade NOT IN ('general', 'major')
BEGIN SELECT RAISE(ABORT, 'hazards_grade_check: hazards.grade is not an allowed value'); END;
CREATE TRIGGER hazards_grade_check_update BEFORE UPDATE OF grade ON hazards
WHEN NEW.grade NOT IN ('general', 'major')
BEGIN SELECT RAISE(ABORT, 'hazards_grade_check: hazards.grade is not an allowed value'); END;
UPDATE hazards SET grade = grade WHERE grade NOT IN ('general', 'major');

CREATE TRIGGER risk_points_level_check_insert BEFORE INSERT ON risk_points
WHEN NEW.level NOT IN ('low', 'general', 'significant', 'major')
BEGIN SELECT RAISE(ABORT, 'risk_points_level_check: risk_points.level is not an allowed value'); END;
CREATE TRIGGER risk_points_level_check_update BEFORE UPDATE OF level ON risk_points
WHEN NEW.level NOT IN ('low', 'general', 'significant', 'major')
BEGIN SELECT RAISE(ABORT, 'risk_points_level_check: risk_points.level is not an allowed value'); END;
UPDATE risk_points SET level = level WHERE level NOT IN ('low', 'general', 'significant', 'major');
