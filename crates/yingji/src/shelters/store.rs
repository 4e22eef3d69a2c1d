//! SQL of shelters in operation: openings and households (optimistic
//! `version`), and the occupancy of the shelters of a jurisdiction.

use std::collections::HashMap;

use super::model::{Household, Opening};
use crate::db::{col, Db, DbError, Tx, Versioned};

pub async fn insert_opening(tx: &mut Tx, o: &Opening) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO shelter_openings (shelter_id, division, incident_id, opened_at, opened_by, note, version) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
    )
    .bind(o.shelter_id)
    .bind(&o.division)
    .bind(o.incident_id)
    .bind(o.opened_at)
    .bind(&o.opened_by)
    .bind(&o.note)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

impl Versioned for Opening {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE shelter_openings SET closed_at = $1, closed_by = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(self.closed_at)
        .bind(&self.closed_by)
        .bind(self.id)
        .bind(read)
        .execute(&mut *tx.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

pub async fn insert_household(tx: &mut Tx, h: &Household) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO shelter_households (opening_id, shelter_id, division, head_name, id_last4, phone, members, origin_village, \
         special_needs, checked_in_at, checked_in_by, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING id",
    )
    .bind(h.opening_id)
    .bind(h.shelter_id)
    .bind(&h.division)
    .bind(&h.head_name)
    .bind(&h.id_last4)
    .bind(&h.phone)
    .bind(h.members)
    .bind(&h.origin_village)
    .bind(&h.special_needs)
    .bind(h.checked_in_at)
    .bind(&h.checked_in_by)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

impl Versioned for Household {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE shelter_households SET checked_out_at = $1, checked_out_by = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(self.checked_out_at)
        .bind(&self.checked_out_by)
        .bind(self.id)
        .bind(read)
        .execute(&mut *tx.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// The shelter's opening now (not closed).
pub async fn open_of(db: &Db, shelter_id: i64) -> Result<Option<Opening>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT * FROM shelter_openings WHERE shelter_id = $1 AND closed_at IS NULL",
        )
        .bind(shelter_id)
        .fetch_optional(db.pool())
        .await?,
    )
}

/// The shelter's openings, newest first.
pub async fn openings(db: &Db, shelter_id: i64) -> Result<Vec<Opening>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM shelter_openings WHERE shelter_id = $1 ORDER BY id DESC LIMIT 50",
    )
    .bind(shelter_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn household(db: &Db, id: i64) -> Result<Option<Household>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM shelter_households WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The households of an opening (those still in first, then newest).
pub async fn households(db: &Db, opening_id: i64) -> Result<Vec<Household>, DbError> {
    Ok(sqlx::query_as(
        "SELECT * FROM shelter_households WHERE opening_id = $1 \
         ORDER BY CASE WHEN checked_out_at IS NULL THEN 0 ELSE 1 END, id DESC",
    )
    .bind(opening_id)
    .fetch_all(db.pool())
    .await?)
}

/// Households and people in, per open shelter of divisions in `prefix`:
/// shelter → (opening, households, people).
pub async fn open_counts(
    db: &Db,
    prefix: &str,
) -> Result<HashMap<i64, (Opening, i64, i64)>, DbError> {
    let opens: Vec<Opening> = sqlx::query_as(
        "SELECT * FROM shelter_openings WHERE closed_at IS NULL AND division LIKE $1",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    let rows = sqlx::query(
        "SELECT h.opening_id, COUNT(*) AS n, CAST(SUM(h.members) AS BIGINT) AS people FROM shelter_households h \
         JOIN shelter_openings o ON o.id = h.opening_id \
         WHERE o.closed_at IS NULL AND o.division LIKE $1 AND h.checked_out_at IS NULL GROUP BY h.opening_id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    let mut by_opening: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in rows {
        by_opening.insert(col(&r, "opening_id")?, (col(&r, "n")?, col(&r, "people")?));
    }
    Ok(opens
        .into_iter()
        .map(|o| {
            let (n, people) = by_opening.get(&o.id).copied().unwrap_or((0, 0));
            (o.shelter_id, (o, n, people))
        })
        .collect())
}

/// The registry shelters of divisions in `prefix`.
pub async fn shelters(
    db: &Db,
    tree: &crate::divisions::Tree,
    prefix: &str,
) -> Result<Vec<crate::registry::Item>, DbError> {
    let rows: Vec<crate::registry::Item> = sqlx::query_as(
        "SELECT * FROM registry_items WHERE kind = 'shelter' AND division LIKE $1 ORDER BY division, id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|mut i| {
            i.division_name = tree.name(&i.division);
            i
        })
        .collect())
}
