-- Supervision: overdue 重大事故隐患 escalated one level (提级督办), and
-- inspection check lists (检查表) per industry.
-- `escalations` counts the escalations of a hazard (`supervision::escalation`),
-- `escalated_at` the last; `listed_division` holds the level now supervising.
ALTER TABLE hazards ADD COLUMN escalations BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hazards ADD COLUMN escalated_at TEXT;
-- Check lists (检查表): a template of check items with their legal basis,
-- for one industry ('' = any), owned by the division that made it (its
-- subtree and the levels below use it).
CREATE TABLE check_templates (
    id {ID},
    division TEXT NOT NULL,
    industry TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    items TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX check_templates_division ON check_templates (division);
-- An inspection filled against a template: the items as they were, each
-- passed, failed or not applicable, a failed one linked to its hazard.
ALTER TABLE inspections ADD COLUMN template_id BIGINT;
ALTER TABLE inspections ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
