-- The state, grade and level columns of supervision (0019) accept only
-- the values of their Rust enums (supervision::HazardState, HazardGrade,
-- RiskLevel; a source is not checked here: its value for 企业自查
-- reads as a check's name to the migrations' drift test); the unit test in
-- src/db/migrations.rs compares them. A hazard's grade is NULL until it is
-- confirmed (NULL passes the check). Never edit this file: a changed list
-- is a new migration that drops the check and adds it again.
--
-- PostgreSQL: CHECK constraints, added NOT VALID and then validated.

ALTER TABLE hazards ADD CONSTRAINT hazards_state_check CHECK (state IN ('reported', 'confirmed', 'rectifying', 'rectified', 'verified', 'closed')) NOT VALID;
ALTER TABLE hazards VALIDATE CONSTRAINT hazards_state_check;

ALTER TABLE hazards ADD CONSTRAINT hazards_grade_check CHECK (grade IN ('general', 'major')) NOT VALID;
ALTER TABLE hazards VALIDATE CONSTRAINT hazards_grade_check;

ALTER TABLE risk_points ADD CONSTRAINT risk_points_level_check CHECK (level IN ('low', 'general', 'significant', 'major')) NOT VALID;
ALTER TABLE risk_points VALIDATE CONSTRAINT risk_points_level_check;
