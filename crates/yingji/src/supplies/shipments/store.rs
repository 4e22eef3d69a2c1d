//! SQL of shipments: the shipment (optimistic `version`, `db::Versioned`),
//! its lines, its positions, and what an incident's requests asked for,
//! sent and received.

use super::model::{Position, ShipLine, Shipment};
use super::ShipState;
use crate::db::{col, Db, DbError, Sql, Tx, Versioned};

pub async fn insert(tx: &mut Tx, s: &Shipment, lines: &[ShipLine]) -> Result<i64, DbError> {
    // The destination point only when known: a NULL bound where a float is
    // bound on another call of the same statement is refused by PostgreSQL
    // through the `Any` driver's statement cache, so the statement differs.
    let point = s.dest_lon.zip(s.dest_lat);
    let (cols, vals) = if point.is_some() {
        (", dest_lon, dest_lat", ", $15, $16")
    } else {
        ("", "")
    };
    let sql = format!(
        "INSERT INTO supply_shipments (doc_id, request_id, division, to_division, from_warehouse_id, to_warehouse_id, destination, \
         vehicle, carrier, state, note, created_by, created_at, updated_at, version{cols}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14{vals}) RETURNING id"
    );
    let mut q = sqlx::query(&sql)
        .bind(s.doc_id)
        .bind(s.request_id)
        .bind(&s.division)
        .bind(&s.to_division)
        .bind(s.from_warehouse_id)
        .bind(s.to_warehouse_id)
        .bind(&s.destination)
        .bind(&s.vehicle)
        .bind(&s.carrier)
        .bind(s.state)
        .bind(&s.note)
        .bind(&s.created_by)
        .bind(s.created_at)
        .bind(1_i64);
    if let Some((lon, lat)) = point {
        q = q.bind(lon).bind(lat);
    }
    let row = q.fetch_one(&mut *tx.inner).await?;
    let id: i64 = col(&row, "id")?;
    for l in lines {
        sqlx::query(
            "INSERT INTO supply_shipment_lines (shipment_id, item_id, sent) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(l.item_id)
        .bind(l.sent)
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(id)
}

impl Versioned for Shipment {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE supply_shipments SET state = $1, position_at = $2, departed_at = $3, arrived_at = $4, \
             received_at = $5, received_by = $6, writeoff_doc_id = $7, updated_at = $8, version = version + 1 \
             WHERE id = $9 AND version = $10",
        )
        .bind(self.state)
        .bind(self.position_at)
        .bind(self.departed_at)
        .bind(self.arrived_at)
        .bind(self.received_at)
        .bind(&self.received_by)
        .bind(self.writeoff_doc_id)
        .bind(self.updated_at)
        .bind(self.id)
        .bind(read)
        .execute(&mut *tx.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Record what came of each line.
pub async fn set_received(tx: &mut Tx, lines: &[ShipLine]) -> Result<(), DbError> {
    for l in lines {
        sqlx::query(
            "UPDATE supply_shipment_lines SET received = $1, reason = $2, note = $3 WHERE id = $4",
        )
        .bind(l.received)
        .bind(&l.reason)
        .bind(&l.note)
        .bind(l.id)
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(())
}

/// Record a reported position: the shipment's last one and the track
/// (floats bound only when there is one; see [`insert`]).
pub async fn insert_position(tx: &mut Tx, p: &Position) -> Result<(), DbError> {
    sqlx::query("UPDATE supply_shipments SET lon = $1, lat = $2 WHERE id = $3")
        .bind(p.lon)
        .bind(p.lat)
        .bind(p.shipment_id)
        .execute(&mut *tx.inner)
        .await?;
    sqlx::query(
        "INSERT INTO supply_shipment_positions (shipment_id, lon, lat, at, reported_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(p.shipment_id)
    .bind(p.lon)
    .bind(p.lat)
    .bind(p.at)
    .bind(&p.reported_by)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Shipment>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_shipments WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn by_doc(db: &Db, doc_id: i64) -> Result<Option<Shipment>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_shipments WHERE doc_id = $1")
            .bind(doc_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn lines(db: &Db, id: i64) -> Result<Vec<ShipLine>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_shipment_lines WHERE shipment_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn positions(db: &Db, id: i64) -> Result<Vec<Position>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM supply_shipment_positions WHERE shipment_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?,
    )
}

/// Filter of the shipment listing.
#[derive(Default)]
pub struct Filter {
    pub state: Option<ShipState>,
    pub request_id: Option<i64>,
    pub doc_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

fn filter(q: &mut Sql, prefix: &str, f: &Filter) {
    q.push("(division LIKE ")
        .bind(format!("{prefix}%"))
        .push(" OR to_division LIKE ")
        .bind(format!("{prefix}%"))
        .push(")");
    if let Some(s) = f.state {
        q.push(" AND state = ").bind(s.as_str());
    }
    if let Some(r) = f.request_id {
        q.push(" AND request_id = ").bind(r);
    }
    if let Some(d) = f.doc_id {
        q.push(" AND doc_id = ").bind(d);
    }
}

/// One page of the shipments from or to divisions in `prefix` (newest
/// first) and how many match.
pub async fn list(db: &Db, prefix: &str, f: &Filter) -> Result<(Vec<Shipment>, i64), DbError> {
    crate::db::page(
        db,
        "supply_shipments",
        "id DESC",
        (f.limit, f.offset),
        |q| filter(q, prefix, f),
    )
    .await
}

/// The request a document was allocated for.
pub async fn request_of_doc(db: &Db, doc_id: i64) -> Result<Option<i64>, DbError> {
    let row = sqlx::query(
        "SELECT MIN(request_id) AS r FROM supply_request_allocations WHERE doc_id = $1",
    )
    .bind(doc_id)
    .fetch_one(db.pool())
    .await?;
    col(&row, "r")
}

/// What a posted document booked into warehouse `w`: (item, batch, qty)
/// in posting order.
pub async fn booked_into(
    tx: &mut Tx,
    doc_id: i64,
    w: i64,
) -> Result<Vec<(i64, i64, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT item_id, batch_id, delta FROM supply_postings WHERE doc_id = $1 AND warehouse_id = $2 AND delta > 0 ORDER BY id",
    )
    .bind(doc_id)
    .bind(w)
    .fetch_all(&mut *tx.inner)
    .await?;
    rows.iter()
        .map(|r| Ok((col(r, "item_id")?, col(r, "batch_id")?, col(r, "delta")?)))
        .collect()
}

/// Per item, what the non-cancelled requests of an incident (divisions in
/// `prefix`) asked for, what their posted documents sent and what their
/// received shipments brought: (item, requested, sent, received).
pub async fn incident_flow(
    db: &Db,
    incident_id: i64,
    prefix: &str,
) -> Result<Vec<(i64, i64, i64, i64)>, DbError> {
    let reqs = "SELECT id FROM supply_requests WHERE incident_id = $1 AND division LIKE $2 AND state <> 'cancelled'";
    let mut out: std::collections::BTreeMap<i64, (i64, i64, i64)> = Default::default();
    let requested = sqlx::query(&format!(
        "SELECT item_id, CAST(SUM(qty) AS BIGINT) AS n FROM supply_request_lines WHERE request_id IN ({reqs}) GROUP BY item_id"
    ))
    .bind(incident_id)
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    for r in requested {
        out.entry(col(&r, "item_id")?).or_default().0 = col(&r, "n")?;
    }
    let sent = sqlx::query(&format!(
        "SELECT a.item_id, CAST(SUM(a.qty) AS BIGINT) AS n FROM supply_request_allocations a JOIN supply_docs d ON d.id = a.doc_id \
         WHERE d.state = 'posted' AND a.request_id IN ({reqs}) GROUP BY a.item_id"
    ))
    .bind(incident_id)
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    for r in sent {
        out.entry(col(&r, "item_id")?).or_default().1 = col(&r, "n")?;
    }
    let received = sqlx::query(&format!(
        "SELECT l.item_id, CAST(SUM(l.received) AS BIGINT) AS n FROM supply_shipment_lines l JOIN supply_shipments s ON s.id = l.shipment_id \
         WHERE s.state = 'received' AND s.request_id IN ({reqs}) GROUP BY l.item_id"
    ))
    .bind(incident_id)
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    for r in received {
        out.entry(col(&r, "item_id")?).or_default().2 = col(&r, "n")?;
    }
    Ok(out.into_iter().map(|(i, (a, b, c))| (i, a, b, c)).collect())
}
