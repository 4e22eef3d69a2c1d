//! SQL of distribution lists: the list beside its 出库单 (`supply_docs`),
//! the households and their quantities; a signature is a versioned write
//! that only an unsigned row takes.

use super::{Checked, Distribution, Recipient};
use crate::db::{col, Db, DbError, Tx, UtcText};

/// Save a list for document `doc_id` (inserted in the same change).
pub async fn insert(tx: &mut Tx, d: &Distribution, households: &[Checked]) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO supply_distributions (doc_id, division, incident_id, opening_id, place) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(d.doc_id)
    .bind(&d.division)
    .bind(d.incident_id)
    .bind(d.opening_id)
    .bind(&d.place)
    .execute(&mut *tx.inner)
    .await?;
    for (n, h) in households.iter().enumerate() {
        let row = sqlx::query(
            "INSERT INTO supply_distribution_households (doc_id, row_no, household_id, head_name, id_last4, members, signed_by, version) \
             VALUES ($1, $2, $3, $4, $5, $6, '', 1) RETURNING id",
        )
        .bind(d.doc_id)
        .bind(n as i64 + 1)
        .bind(h.household_id)
        .bind(&h.head_name)
        .bind(&h.id_last4)
        .bind(h.members)
        .fetch_one(&mut *tx.inner)
        .await?;
        let id: i64 = col(&row, "id")?;
        for q in &h.items {
            sqlx::query(
                "INSERT INTO supply_distribution_quantities (household_row, item_id, qty) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(q.item_id)
            .bind(q.qty)
            .execute(&mut *tx.inner)
            .await?;
        }
    }
    Ok(())
}

pub async fn get(db: &Db, doc_id: i64) -> Result<Option<Distribution>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_distributions WHERE doc_id = $1")
            .bind(doc_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The households of a list, in list order.
pub async fn recipients(db: &Db, doc_id: i64) -> Result<Vec<Recipient>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM supply_distribution_households WHERE doc_id = $1 ORDER BY row_no",
    )
    .bind(doc_id)
    .fetch_all(db.pool())
    .await?)
}

/// What each household of a list receives: (household row id, item, qty).
pub async fn quantities(db: &Db, doc_id: i64) -> Result<Vec<(i64, i64, i64)>, DbError> {
    sqlx::query(
        "SELECT q.household_row, q.item_id, q.qty FROM supply_distribution_quantities q \
         JOIN supply_distribution_households h ON h.id = q.household_row WHERE h.doc_id = $1 ORDER BY h.row_no, q.item_id",
    )
    .bind(doc_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| Ok((col(r, "household_row")?, col(r, "item_id")?, col(r, "qty")?)))
    .collect()
}

/// Record a household's signature at the version read; false when stale
/// or already signed.
pub async fn sign(tx: &mut Tx, id: i64, read: i64, by: &str, at: UtcText) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE supply_distribution_households SET signed_at = $1, signed_by = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND signed_at IS NULL",
    )
    .bind(at)
    .bind(by)
    .bind(id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(done.rows_affected() == 1)
}
