-- Money is whole 元 everywhere (accidents were already). A disaster
-- report's figures held 直接经济损失 and 其中农业损失 as decimal 万元
-- under `direct_loss` / `agri_loss`; they become `direct_loss_yuan` /
-- `agri_loss_yuan`, × 10000 and rounded half away from zero to whole 元
-- on both engines. (SQLite reads the old number as a double, PostgreSQL
-- as an exact decimal: they could differ by 1 元 only for a value that
-- lies within a rounding error of exactly half a 元.) A report without the
-- old keys is left as it is (its figures default to 0).

UPDATE disaster_reports
SET figures = json_remove(
    json_set(
        figures,
        '$.direct_loss_yuan', CAST(ROUND(COALESCE(json_extract(figures, '$.direct_loss'), 0) * 10000) AS INTEGER),
        '$.agri_loss_yuan', CAST(ROUND(COALESCE(json_extract(figures, '$.agri_loss'), 0) * 10000) AS INTEGER)
    ),
    '$.direct_loss',
    '$.agri_loss'
)
WHERE json_type(figures, '$.direct_loss') IS NOT NULL
   OR json_type(figures, '$.agri_loss') IS NOT NULL;
