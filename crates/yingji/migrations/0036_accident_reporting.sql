-- The accident report chain after the first report (issue #13,
-- 《生产安全事故信息报告和处置办法》 原安监总局令第21号, reports::cadence):
-- when the unit's head learned of it (493号令 第九条: the unit's hour runs
-- from then), the 较大涉险事故 facts (第二十六条: 涉险, 被困, 紧急疏散,
-- pollution, key sites), the sector department's parallel chain, every
-- 续报 filed (第十一条), when the handling ended (ends daily 续报) and the
-- reports to the city's duty offices. JSON arrays are appended to only.
-- regime_facts: what a railway (国务院令第501号) or special-equipment
-- (《特种设备安全监察条例》) accident is graded on besides casualties and
-- loss (493号令 第四十五条, reports::regimes).
-- incident_id: the incident whose intake opened the accident (one intake:
-- an incident of a production-safety type opens its accident record).
-- bulletin: the 生产安全事故快报's fields (unit, credit code, ownership,
-- GB 6441 class, place, possible casualties, measures, reporter and phone);
-- enterprise_id: the enterprise whose user filed it (双报告).
-- Never edit this file once released.
ALTER TABLE accidents ADD COLUMN unit_learned_at TEXT;
ALTER TABLE accidents ADD COLUMN danger TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accidents ADD COLUMN sector_received TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accidents ADD COLUMN followups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accidents ADD COLUMN settled_at TEXT;
ALTER TABLE accidents ADD COLUMN duty_reports TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accidents ADD COLUMN regime_facts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accidents ADD COLUMN incident_id BIGINT;
ALTER TABLE accidents ADD COLUMN bulletin TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accidents ADD COLUMN enterprise_id BIGINT;
CREATE UNIQUE INDEX accidents_incident ON accidents (incident_id);
