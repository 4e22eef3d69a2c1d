-- Issue #13: the yearly statistics carry the deaths counted outside yingji
-- (生产安全事故死亡人数, 其中煤矿, 因自然灾害死亡失踪人数) — the 2019
-- baseline, and years whose accidents and disasters were not all recorded
-- here. Where a year's row gives one, it is the year's figure instead of the
-- sum of the records (docs/rules.md "Indicators").
ALTER TABLE statistics ADD COLUMN safety_deaths DOUBLE PRECISION;
ALTER TABLE statistics ADD COLUMN coal_deaths DOUBLE PRECISION;
ALTER TABLE statistics ADD COLUMN disaster_dead_missing DOUBLE PRECISION;

-- 预案备案 (issue #13): to whom a published plan version was filed, on
-- which day, the receipt; records are added, never changed.
CREATE TABLE plan_filings (
    id {ID},
    code TEXT NOT NULL,
    revision BIGINT NOT NULL,
    filed_with TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    receipt TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX plan_filings_code ON plan_filings (code, revision);
