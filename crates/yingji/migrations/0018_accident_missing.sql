-- 下落不明人数 of a production-safety accident: 《生产安全事故报告和调查处理条例》
-- (国务院令第493号) 第十二条 counts the casualties of an accident "包括下落不明
-- 的人数", and the grade compares the dead and the missing together
-- (reports::grading). Accidents stored before this migration had no missing
-- count: 0. The CHECK is unnamed (it is not a state list) and holds on both
-- engines: SQLite tests the added CHECK against the rows already stored
-- (since 3.37), PostgreSQL too.
ALTER TABLE accidents ADD COLUMN missing BIGINT NOT NULL DEFAULT 0 CHECK (missing >= 0);
