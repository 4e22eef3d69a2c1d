-- The kind, grade and state columns of 0025 accept only the values of
-- their Rust enums (supervision::major::UnitKind, MajorGrade,
-- supervision::inspections::InspectionState); the unit test in
-- src/db/migrations.rs compares them. A unit's grade is NULL when it is
-- not a major hazard source. Never edit this file.
--
-- PostgreSQL: CHECK constraints (the tables are new: no NOT VALID step).

ALTER TABLE hazard_units ADD CONSTRAINT hazard_units_unit_kind_check CHECK (unit_kind IN ('production', 'storage'));

ALTER TABLE hazard_units ADD CONSTRAINT hazard_units_grade_check CHECK (grade IN ('1', '2', '3', '4'));

ALTER TABLE inspections ADD CONSTRAINT inspections_state_check CHECK (state IN ('planned', 'in_progress', 'done'));
