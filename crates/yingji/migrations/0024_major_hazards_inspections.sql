-- Supervision, second slice (issue #16).
--
-- hazard_units: installation units (生产单元 / 储存单元) of an enterprise
-- with the hazardous chemicals they can hold, identified and graded by
-- GB 18218-2018 (supervision::major). The worksheet (S, α, R, grade) is
-- derived from holdings and exposed_people on every save and stored for
-- listing and statistics. hazard_source_id optionally links a registry
-- record of kind 'hazard_source' whose level the grade then sets.
CREATE TABLE hazard_units (
    id {ID},
    enterprise_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_kind TEXT NOT NULL,
    hazard_source_id BIGINT,
    holdings TEXT NOT NULL,
    exposed_people BIGINT NOT NULL,
    s_value DOUBLE PRECISION NOT NULL,
    r_value DOUBLE PRECISION NOT NULL,
    grade TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX hazard_units_division ON hazard_units (division, grade);
CREATE INDEX hazard_units_enterprise ON hazard_units (enterprise_id);

-- inspection_draws: one 双随机 draw, with everything needed to reproduce
-- it (seed, both pools, n, per, the exclusions) and its result.
CREATE TABLE inspection_draws (
    id {ID},
    division TEXT NOT NULL,
    title TEXT NOT NULL,
    industry TEXT NOT NULL DEFAULT '',
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at TEXT NOT NULL
);
CREATE INDEX inspection_draws_division ON inspection_draws (division);

CREATE TABLE inspections (
    id {ID},
    draw_id BIGINT,
    enterprise_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    state TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    summary TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX inspections_division_state ON inspections (division, state);
CREATE INDEX inspections_enterprise ON inspections (enterprise_id);
CREATE INDEX inspections_draw ON inspections (draw_id);

CREATE TABLE inspection_findings (
    id {ID},
    inspection_id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    basis TEXT NOT NULL DEFAULT '',
    hazard_id BIGINT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX inspection_findings_inspection ON inspection_findings (inspection_id);
