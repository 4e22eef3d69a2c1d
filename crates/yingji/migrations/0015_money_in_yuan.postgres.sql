-- Money is whole 元 everywhere (accidents were already). A disaster
-- report's figures held 直接经济损失 and 其中农业损失 as decimal 万元
-- under `direct_loss` / `agri_loss`; they become `direct_loss_yuan` /
-- `agri_loss_yuan`, × 10000 and rounded half away from zero to whole 元
-- on both engines. (SQLite reads the old number as a double, PostgreSQL
-- as an exact decimal: they could differ by 1 元 only for a value that
-- lies within a rounding error of exactly half a 元.) A report without the
-- old keys is left as it is (its figures default to 0).

UPDATE disaster_reports
SET figures = (
    (figures::jsonb - 'direct_loss' - 'agri_loss')
    || jsonb_build_object(
        'direct_loss_yuan', round(COALESCE((figures::jsonb ->> 'direct_loss')::numeric, 0) * 10000)::bigint,
        'agri_loss_yuan', round(COALESCE((figures::jsonb ->> 'agri_loss')::numeric, 0) * 10000)::bigint
    )
)::text
WHERE (figures::jsonb -> 'direct_loss') IS NOT NULL
   OR (figures::jsonb -> 'agri_loss') IS NOT NULL;
