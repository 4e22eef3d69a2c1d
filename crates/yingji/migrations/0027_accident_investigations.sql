-- 事故调查 (issue #13): an accident's investigation, its approved
-- extensions and the government's reply, by 《生产安全事故报告和调查处理
-- 条例》(国务院令第493号) 第二十九条 and 第三十二条 (reports::investigation).
-- One investigation per accident. The days are what was approved; the
-- limits (60, 30) are configuration ([reports]), so only "more than 0" is a
-- CHECK here. Never edit this file.
CREATE TABLE accident_investigations (
    id {ID},
    accident_id BIGINT NOT NULL UNIQUE REFERENCES accidents (id),
    division TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    team_lead TEXT NOT NULL,
    -- 技术鉴定 (第二十七条第二款: its time does not count), JSON [{days, basis, at}].
    appraisals TEXT NOT NULL DEFAULT '[]',
    extension_days BIGINT CHECK (extension_days > 0),
    extension_basis TEXT NOT NULL DEFAULT '',
    extension_approved_at TEXT,
    submitted_at TEXT,
    reply_extension_days BIGINT CHECK (reply_extension_days > 0),
    reply_extension_basis TEXT NOT NULL DEFAULT '',
    replied_at TEXT,
    reply_document TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX accident_investigations_division ON accident_investigations (division);

-- Accidents whose investigation was extended or submitted before this
-- migration kept two columns: the extension was then always 60 days.
INSERT INTO accident_investigations (accident_id, division, opened_at, team_lead, extension_days, extension_basis, submitted_at, created_by, created_at, version)
SELECT id, division, created_at, '',
       CASE WHEN investigation_extended <> 0 THEN 60 ELSE NULL END,
       CASE WHEN investigation_extended <> 0 THEN '（迁移前记录的延期，按 60 日计）' ELSE '' END,
       investigation_at, created_by, created_at, 1
FROM accidents
WHERE investigation_extended <> 0 OR investigation_at IS NOT NULL;

ALTER TABLE accidents DROP COLUMN investigation_extended;
ALTER TABLE accidents DROP COLUMN investigation_at;
