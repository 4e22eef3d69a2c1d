//! SQL of supplies requests: the request (optimistic `version`,
//! `db::Versioned`), its lines and its accepted allocation.

use super::model::{AllocationRow, Request, RequestLine};
use super::ReqState;
use crate::db::{col, Db, DbError, Sql, Tx, Versioned};
use crate::supplies::Doc;

pub async fn insert(tx: &mut Tx, r: &Request, lines: &[RequestLine]) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO supply_requests (division, source, incident_id, shelter_id, place_kind, place_id, place_division, place_name, \
         lon, lat, needed_by, state, note, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, 1) RETURNING id",
    )
    .bind(&r.division)
    .bind(r.source)
    .bind(r.incident_id)
    .bind(r.shelter_id)
    .bind(r.place_kind)
    .bind(r.place_id)
    .bind(&r.place_division)
    .bind(&r.place_name)
    .bind(r.lon)
    .bind(r.lat)
    .bind(r.needed_by)
    .bind(r.state)
    .bind(&r.note)
    .bind(&r.created_by)
    .bind(r.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    let id: i64 = col(&row, "id")?;
    for (n, l) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO supply_request_lines (request_id, line_no, item_id, qty) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(n as i64 + 1)
        .bind(l.item_id)
        .bind(l.qty)
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(id)
}

impl Versioned for Request {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE supply_requests SET state = $1, submitted_at = $2, allocated_by = $3, allocated_at = $4, closed_at = $5, \
             updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(self.state)
        .bind(self.submitted_at)
        .bind(&self.allocated_by)
        .bind(self.allocated_at)
        .bind(self.closed_at)
        .bind(self.updated_at)
        .bind(self.id)
        .bind(read)
        .execute(&mut *tx.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Request>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn lines(db: &Db, id: i64) -> Result<Vec<RequestLine>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_request_lines WHERE request_id = $1 ORDER BY line_no")
            .bind(id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Filter of the request listing.
#[derive(Default)]
pub struct Filter {
    pub state: Option<ReqState>,
    pub incident_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

fn filter(q: &mut Sql, prefix: &str, f: &Filter) {
    q.bind(format!("{prefix}%"));
    if let Some(s) = f.state {
        q.push(" AND state = ").bind(s.as_str());
    }
    if let Some(i) = f.incident_id {
        q.push(" AND incident_id = ").bind(i);
    }
}

/// One page of the requests of divisions in `prefix` (newest first) and
/// how many match.
pub async fn list(db: &Db, prefix: &str, f: &Filter) -> Result<(Vec<Request>, i64), DbError> {
    crate::db::page(db, "supply_requests", "id DESC", (f.limit, f.offset), |q| {
        q.push("division LIKE ");
        filter(q, prefix, f)
    })
    .await
}

pub async fn insert_allocation(tx: &mut Tx, a: &AllocationRow) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO supply_request_allocations (request_id, doc_id, warehouse_id, item_id, batch_id, qty, time_s, method) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.request_id)
    .bind(a.doc_id)
    .bind(a.warehouse_id)
    .bind(a.item_id)
    .bind(a.batch_id)
    .bind(a.qty)
    .bind(a.time_s)
    .bind(&a.method)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

pub async fn allocations(db: &Db, id: i64) -> Result<Vec<AllocationRow>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM supply_request_allocations WHERE request_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?,
    )
}

/// The ledger documents drafted for a request (still existing).
pub async fn documents(db: &Db, id: i64) -> Result<Vec<Doc>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM supply_docs WHERE id IN (SELECT doc_id FROM supply_request_allocations WHERE request_id = $1) ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// The warehouses (registry records) whose division starts with `prefix`:
/// (id, name, [lon, lat]).
pub async fn warehouse_points(
    db: &Db,
    prefix: &str,
) -> Result<Vec<(i64, String, [f64; 2])>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, lon, lat FROM registry_items WHERE kind = 'warehouse' AND division LIKE $1 ORDER BY id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                col(r, "id")?,
                col(r, "name")?,
                [col(r, "lon")?, col(r, "lat")?],
            ))
        })
        .collect()
}
