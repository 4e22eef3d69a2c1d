-- The kind, grade and state columns of 0025 accept only the values of
-- their Rust enums (supervision::major::UnitKind, MajorGrade,
-- supervision::inspections::InspectionState); the unit test in
-- src/db/migrations.rs compares them. A unit's grade is NULL when it is
-- not a major hazard source. Never edit this file.
--
-- SQLite: a trigger before each insert and each update of the column, as
-- in 0014 and 0020.

CREATE TRIGGER hazard_units_unit_kind_check_insert BEFORE INSERT ON hazard_units
WHEN NEW.unit_kind NOT IN ('production', 'storage')
BEGIN SELECT RAISE(ABORT, 'hazard_units_unit_kind_check: hazard_units.unit_kind is not an allowed value'); END;
CREATE TRIGGER hazard_units_unit_kind_check_update BEFORE UPDATE OF unit_kind ON hazard_units
WHEN NEW.unit_kind NOT IN ('production', 'storage')
BEGIN SELECT RAISE(ABORT, 'hazard_units_unit_kind_check: hazard_units.unit_kind is not an allowed value'); END;

CREATE TRIGGER hazard_units_grade_check_insert BEFORE INSERT ON hazard_units
WHEN NEW.grade NOT IN ('1', '2', '3', '4')
BEGIN SELECT RAISE(ABORT, 'hazard_units_grade_check: hazard_units.grade is not an allowed value'); END;
CREATE TRIGGER hazard_units_grade_check_update BEFORE UPDATE OF grade ON hazard_units
WHEN NEW.grade NOT IN ('1', '2', '3', '4')
BEGIN SELECT RAISE(ABORT, 'hazard_units_grade_check: hazard_units.grade is not an allowed value'); END;

CREATE TRIGGER inspections_state_check_insert BEFORE INSERT ON inspections
WHEN NEW.state NOT IN ('planned', 'in_progress', 'done')
BEGIN SELECT RAISE(ABORT, 'inspections_state_check: inspections.state is not an allowed value'); END;
CREATE TRIGGER inspections_state_check_update BEFORE UPDATE OF state ON inspections
WHEN NEW.state NOT IN ('planned', 'in_progress', 'done')
BEGIN SELECT RAISE(ABORT, 'inspections_state_check: inspections.state is not an allowed value'); END;
