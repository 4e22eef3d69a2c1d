-- One resource has at most one open dispatch order (requested, approved,
-- departed or arrived). Requesting checks this before inserting; on
-- PostgreSQL two requests at once could both pass that check, so the
-- index makes the second insert fail, and the request is refused as if the
-- check had seen the first order.
--
-- A database written before this index may already hold several open
-- orders of one resource. The one furthest along (arrived, departed,
-- approved, requested; the newest among equals) stays open; the others are
-- cancelled with a step that says why, dated when the last of them was
-- requested. The order kept is never changed, so the result does not
-- depend on the order in which the engine updates the rows.
UPDATE dispatch_orders
SET state = 'cancelled',
    version = version + 1,
    steps = CASE WHEN steps = '[]' THEN '[' ELSE substr(steps, 1, length(steps) - 1) || ',' END
        || '{"state":"cancelled","by":"system","at":"'
        || (SELECT MAX(n.requested_at) FROM dispatch_orders n
            WHERE n.resource_kind = dispatch_orders.resource_kind
              AND n.resource_id = dispatch_orders.resource_id
              AND n.state IN ('requested', 'approved', 'departed', 'arrived'))
        || '","reason":"同一资源另有未完成的调派（迁移 13）"}]'
WHERE state IN ('requested', 'approved', 'departed', 'arrived')
  AND EXISTS (
    SELECT 1 FROM dispatch_orders n
    WHERE n.resource_kind = dispatch_orders.resource_kind
      AND n.resource_id = dispatch_orders.resource_id
      AND n.id <> dispatch_orders.id
      AND n.state IN ('requested', 'approved', 'departed', 'arrived')
      AND (CASE n.state WHEN 'arrived' THEN 4 WHEN 'departed' THEN 3 WHEN 'approved' THEN 2 ELSE 1 END
             > CASE dispatch_orders.state WHEN 'arrived' THEN 4 WHEN 'departed' THEN 3 WHEN 'approved' THEN 2 ELSE 1 END
           OR (CASE n.state WHEN 'arrived' THEN 4 WHEN 'departed' THEN 3 WHEN 'approved' THEN 2 ELSE 1 END
                 = CASE dispatch_orders.state WHEN 'arrived' THEN 4 WHEN 'departed' THEN 3 WHEN 'approved' THEN 2 ELSE 1 END
               AND n.id > dispatch_orders.id)));

CREATE UNIQUE INDEX dispatch_orders_one_open ON dispatch_orders (resource_kind, resource_id)
    WHERE state IN ('requested', 'approved', 'departed', 'arrived');
