-- Supervision (监督管理): risk points of enterprises assessed by LEC or a
-- 5×5 risk matrix, and hidden hazards (隐患) with their closed loop. Both
-- reference an enterprise of the registry by id (registry_items, kind
-- 'enterprise') and carry its division and org for scoping.
CREATE TABLE risk_points (
    id {ID},
    enterprise_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    hazard_factors TEXT NOT NULL DEFAULT '',
    assessment TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    level TEXT NOT NULL,
    measures TEXT NOT NULL DEFAULT '',
    assessed_on TEXT NOT NULL,
    next_assessment_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX risk_points_enterprise ON risk_points (enterprise_id);
CREATE INDEX risk_points_division_level ON risk_points (division, level);

CREATE TABLE hazards (
    id {ID},
    enterprise_id BIGINT NOT NULL,
    division TEXT NOT NULL,
    org TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    grade TEXT,
    state TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    confirmed_by TEXT NOT NULL DEFAULT '',
    confirmed_at TEXT,
    measures TEXT NOT NULL DEFAULT '',
    funds_yuan BIGINT,
    responsible TEXT NOT NULL DEFAULT '',
    contingency TEXT NOT NULL DEFAULT '',
    deadline TEXT,
    due_at TEXT,
    listed_division TEXT NOT NULL DEFAULT '',
    listed_by TEXT NOT NULL DEFAULT '',
    listed_at TEXT,
    listing_note TEXT NOT NULL DEFAULT '',
    rectification_report TEXT NOT NULL DEFAULT '',
    rectified_by TEXT NOT NULL DEFAULT '',
    rectified_at TEXT,
    verified_by TEXT NOT NULL DEFAULT '',
    verified_at TEXT,
    verification_note TEXT NOT NULL DEFAULT '',
    returned_count BIGINT NOT NULL DEFAULT 0,
    return_reason TEXT NOT NULL DEFAULT '',
    closed_by TEXT NOT NULL DEFAULT '',
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX hazards_division_state ON hazards (division, state);
CREATE INDEX hazards_enterprise ON hazards (enterprise_id);
CREATE INDEX hazards_state_due ON hazards (state, due_at);
