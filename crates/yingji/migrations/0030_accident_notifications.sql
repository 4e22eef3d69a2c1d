-- 第十条 notifications and 越级上报 of an accident (issue #13): which level
-- notified its government, police, labour, union and procuratorate, when
-- (《生产安全事故报告和调查处理条例》 第十条, reports::notify), and the levels
-- reached by 越级上报 (第十条第三款) with why. JSON arrays, appended to only.
-- Never edit this file.
ALTER TABLE accidents ADD COLUMN notifications TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accidents ADD COLUMN skips TEXT NOT NULL DEFAULT '[]';
