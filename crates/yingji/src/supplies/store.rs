//! SQL of supplies: the catalogue, batches, documents (optimistic
//! `version`, `db::Versioned`), postings and the balance table.
//!
//! Posting never oversells, on either engine, under any concurrency:
//! - the document's state change is a versioned write (a second poster of
//!   the same document matches no row: `Stale`);
//! - on PostgreSQL every (warehouse, item) the document touches is locked
//!   first, in key order (`pg_advisory_xact_lock(warehouse, item)`), then
//!   its balance rows (`SELECT … ORDER BY … FOR UPDATE`), so the
//!   first-expiry pick reads what no one else can change before the commit
//!   and two postings never wait on each other in a cycle (a deadlock the
//!   database still reports is retried by the API); SQLite has one writer
//!   at a time (`Db::begin` queues them);
//! - every decrement is `UPDATE … SET qty = qty - n WHERE … AND qty >= n`
//!   and must hit its row, else the whole change is dropped;
//! - the column itself is `CHECK (qty >= 0)`.

use std::collections::BTreeMap;

pub use super::model::{Batch, Doc, Item, Line, Posting};
use super::{
    doc_number, plan, reverse, Account, Category, DocKind, DocState, Held, Movement, NewItem,
    PlanLine, RuleError, Stock,
};
use crate::db::{col, Backend, Db, DbError, Sql, Tx, UtcText, Versioned};
use crate::error::FieldError;

/// Why posting failed: a rule (not enough stock, a batch that does not
/// match) or the database.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Db(#[from] DbError),
}

// ── items ──────────────────────────────────────────────────────────────

pub async fn insert_item(
    tx: &mut Tx,
    i: &NewItem,
    cat: Category,
    at: UtcText,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO supply_items (code, name, category, unit, specification, shelf_life_days, storage, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id",
    )
    .bind(&i.code)
    .bind(&i.name)
    .bind(cat.as_str())
    .bind(&i.unit)
    .bind(&i.specification)
    .bind(i.shelf_life_days)
    .bind(&i.storage)
    .bind(at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

pub async fn items(db: &Db) -> Result<Vec<Item>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM supply_items ORDER BY code")
        .fetch_all(db.pool())
        .await?)
}

pub async fn item_by_code(db: &Db, code: &str) -> Result<Option<Item>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM supply_items WHERE code = $1")
        .bind(code)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn batch(db: &Db, id: i64) -> Result<Option<Batch>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM supply_batches WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

// ── documents ──────────────────────────────────────────────────────────

pub async fn insert_doc(tx: &mut Tx, d: &Doc, lines: &[Line]) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO supply_docs (kind, reason, warehouse_id, division, to_warehouse_id, to_division, reverses, state, note, \
         created_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1) RETURNING id",
    )
    .bind(d.kind)
    .bind(&d.reason)
    .bind(d.warehouse_id)
    .bind(&d.division)
    .bind(d.to_warehouse_id)
    .bind(&d.to_division)
    .bind(d.reverses)
    .bind(d.state)
    .bind(&d.note)
    .bind(&d.created_by)
    .bind(d.created_at)
    .fetch_one(&mut *tx.inner)
    .await?;
    let id: i64 = col(&row, "id")?;
    for (n, l) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO supply_doc_lines (doc_id, line_no, item_id, batch_id, batch_no, supplier, produced_on, expires_on, qty) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(n as i64 + 1)
        .bind(l.item_id)
        .bind(l.batch_id)
        .bind(&l.batch_no)
        .bind(&l.supplier)
        .bind(&l.produced_on)
        .bind(&l.expires_on)
        .bind(l.qty)
        .execute(&mut *tx.inner)
        .await?;
    }
    Ok(id)
}

/// Write the state columns if `read` is current (then version + 1). A
/// posted document's row is never written again: the WHERE refuses it.
pub async fn update_doc(tx: &mut Tx, d: &Doc, read: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE supply_docs SET state = $1, approved_by = $2, approved_at = $3, posted_by = $4, posted_at = $5, updated_at = $6, \
         version = version + 1 WHERE id = $7 AND version = $8 AND state <> 'posted'",
    )
    .bind(d.state)
    .bind(&d.approved_by)
    .bind(d.approved_at)
    .bind(&d.posted_by)
    .bind(d.posted_at)
    .bind(d.updated_at)
    .bind(d.id)
    .bind(read)
    .execute(&mut *tx.inner)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Versioned for Doc {
    fn version(&self) -> i64 {
        self.version
    }
    async fn write(&self, tx: &mut Tx, read: i64) -> Result<bool, DbError> {
        update_doc(tx, self, read).await
    }
}

/// Delete an unposted document at the version read (its lines go with it).
pub async fn delete_doc(tx: &mut Tx, id: i64, read: i64) -> Result<bool, DbError> {
    let done =
        sqlx::query("DELETE FROM supply_docs WHERE id = $1 AND version = $2 AND state <> 'posted'")
            .bind(id)
            .bind(read)
            .execute(&mut *tx.inner)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get_doc(db: &Db, id: i64) -> Result<Option<Doc>, DbError> {
    Ok(sqlx::query_as("SELECT * FROM supply_docs WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn lines(db: &Db, doc_id: i64) -> Result<Vec<Line>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_doc_lines WHERE doc_id = $1 ORDER BY line_no")
            .bind(doc_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// A document's lines, read inside a change.
pub async fn lines_tx(tx: &mut Tx, doc_id: i64) -> Result<Vec<Line>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_doc_lines WHERE doc_id = $1 ORDER BY line_no")
            .bind(doc_id)
            .fetch_all(&mut *tx.inner)
            .await?,
    )
}

pub async fn postings(db: &Db, doc_id: i64) -> Result<Vec<Posting>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_postings WHERE doc_id = $1 ORDER BY id")
            .bind(doc_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// The reversal of a document, if one was drafted.
pub async fn reversal_of(db: &Db, id: i64) -> Result<Option<Doc>, DbError> {
    Ok(
        sqlx::query_as("SELECT * FROM supply_docs WHERE reverses = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Filter of the document listing.
#[derive(Default)]
pub struct DocFilter {
    pub kind: Option<DocKind>,
    pub state: Option<DocState>,
    pub warehouse_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

fn doc_where(q: &mut Sql, prefix: &str, f: &DocFilter) {
    q.bind(format!("{prefix}%"));
    if let Some(k) = f.kind {
        q.push(" AND kind = ").bind(k.as_str());
    }
    if let Some(s) = f.state {
        q.push(" AND state = ").bind(s.as_str());
    }
    if let Some(w) = f.warehouse_id {
        q.push(" AND warehouse_id = ").bind(w);
    }
}

/// One page of the documents of warehouses in `prefix` (newest first) and
/// how many match.
pub async fn docs(db: &Db, prefix: &str, f: &DocFilter) -> Result<(Vec<Doc>, i64), DbError> {
    crate::db::page(db, "supply_docs", "id DESC", (f.limit, f.offset), |q| {
        q.push("division LIKE ");
        doc_where(q, prefix, f)
    })
    .await
}

// ── posting ────────────────────────────────────────────────────────────

/// Find a receipt line's batch (by item and number) or make it. A batch
/// number already used for the item with another expiry is refused.
async fn batch_for(tx: &mut Tx, l: &Line, number: &str, at: UtcText) -> Result<i64, PostError> {
    let batch_no = if l.batch_no.is_empty() {
        number.to_string()
    } else {
        l.batch_no.clone()
    };
    let found: Option<Batch> =
        sqlx::query_as("SELECT * FROM supply_batches WHERE item_id = $1 AND batch_no = $2")
            .bind(l.item_id)
            .bind(&batch_no)
            .fetch_optional(&mut *tx.inner)
            .await
            .map_err(DbError::from)?;
    if let Some(b) = found {
        if b.expires_on != l.expires_on {
            return Err(PostError::Rule(RuleError::Field(
                FieldError::new(
                    format!("lines[{}].batch_no", l.line_no - 1),
                    "该批次号已登记，有效期不同",
                )
                .code("batch_mismatch")
                .param("batch_no", batch_no),
            )));
        }
        return Ok(b.id);
    }
    let new = NewBatch {
        item_id: l.item_id,
        batch_no,
        supplier: l.supplier.clone(),
        produced_on: l.produced_on.clone(),
        expires_on: l.expires_on.clone(),
    };
    Ok(insert_batch(tx, &new, at).await?)
}

/// A batch to register.
pub struct NewBatch {
    pub item_id: i64,
    pub batch_no: String,
    pub supplier: String,
    pub produced_on: Option<String>,
    pub expires_on: Option<String>,
}

/// Register a new batch of an item (its number not yet used for the item).
pub async fn insert_batch(tx: &mut Tx, b: &NewBatch, at: UtcText) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO supply_batches (item_id, batch_no, supplier, produced_on, expires_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(b.item_id)
    .bind(&b.batch_no)
    .bind(&b.supplier)
    .bind(&b.produced_on)
    .bind(&b.expires_on)
    .bind(at)
    .fetch_one(&mut *tx.inner)
    .await?;
    col(&row, "id")
}

/// The batches of some items.
pub async fn batches_of(db: &Db, item_ids: &[i64]) -> Result<Vec<Batch>, DbError> {
    if item_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT * FROM supply_batches WHERE item_id IN (");
    q.bind_list(item_ids.iter().copied()).push(")");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

/// The batches (warehouse, item, batch) some warehouses hold (qty > 0).
pub async fn held(db: &Db, warehouse_ids: &[i64]) -> Result<Vec<(i64, i64, i64)>, DbError> {
    if warehouse_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT warehouse_id, item_id, batch_id FROM supply_balances WHERE qty > 0 AND warehouse_id IN (",
    );
    q.bind_list(warehouse_ids.iter().copied())
        .push(") ORDER BY warehouse_id, item_id, batch_id");
    q.query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                col(r, "warehouse_id")?,
                col(r, "item_id")?,
                col(r, "batch_id")?,
            ))
        })
        .collect()
}

/// Read (and on PostgreSQL lock, in key order) the balances of every
/// (warehouse, item) pair, with each batch's expiry.
async fn lock_stock(tx: &mut Tx, backend: Backend, pairs: &[(i64, i64)]) -> Result<Stock, DbError> {
    let mut stock: Stock = BTreeMap::new();
    if pairs.is_empty() {
        return Ok(stock);
    }
    if backend == Backend::Postgres {
        // A lock per (warehouse, item), taken in key order before any row:
        // a row another posting inserted after this statement's snapshot is
        // not locked by the SELECT below, and two postings upserting each
        // other's new rows could otherwise wait on each other (the
        // two-integer advisory keys are a space of their own).
        for (w, i) in pairs {
            sqlx::query("SELECT pg_advisory_xact_lock(CAST($1 AS INTEGER), CAST($2 AS INTEGER))")
                .bind(*w)
                .bind(*i)
                .execute(&mut *tx.inner)
                .await?;
        }
    }
    let mut q = Sql::new(
        "SELECT b.warehouse_id, b.item_id, b.batch_id, b.qty, s.expires_on FROM supply_balances b \
         JOIN supply_batches s ON s.id = b.batch_id WHERE ",
    );
    for (n, (w, i)) in pairs.iter().enumerate() {
        if n > 0 {
            q.push(" OR ");
        }
        q.push("(b.warehouse_id = ")
            .bind(*w)
            .push(" AND b.item_id = ")
            .bind(*i)
            .push(")");
    }
    q.push(" ORDER BY b.warehouse_id, b.item_id, b.batch_id");
    if backend == Backend::Postgres {
        q.push(" FOR UPDATE OF b");
    }
    for r in q.query().fetch_all(&mut *tx.inner).await? {
        let w: i64 = col(&r, "warehouse_id")?;
        let i: i64 = col(&r, "item_id")?;
        stock.entry((w, i)).or_default().push(Held {
            batch_id: col(&r, "batch_id")?,
            expires_on: col(&r, "expires_on")?,
            qty: col(&r, "qty")?,
        });
    }
    Ok(stock)
}

/// Apply movements to the balance table and write them as postings:
/// decrements conditional on the stock being there (`qty >= n`), in key
/// order.
pub async fn apply_movements(
    tx: &mut Tx,
    doc_id: i64,
    moves: &[Movement],
    at: UtcText,
) -> Result<(), PostError> {
    let mut net: BTreeMap<(i64, i64, i64), i64> = BTreeMap::new();
    for m in moves {
        if let Some(w) = m.account.warehouse() {
            *net.entry((w, m.item_id, m.batch_id)).or_default() += m.delta;
        }
    }
    for ((w, i, b), d) in net {
        if d < 0 {
            let done = sqlx::query(
                "UPDATE supply_balances SET qty = qty - $1 WHERE warehouse_id = $2 AND item_id = $3 AND batch_id = $4 AND qty >= $1",
            )
            .bind(-d)
            .bind(w)
            .bind(i)
            .bind(b)
            .execute(&mut *tx.inner)
            .await
            .map_err(DbError::from)?;
            if done.rows_affected() != 1 {
                return Err(PostError::Rule(RuleError::State(
                    crate::error::Refusal::new("insufficient_stock", "库存不足，不能记账")
                        .param("item_id", i)
                        .param("warehouse_id", w)
                        .param("need", -d),
                )));
            }
        } else if d > 0 {
            sqlx::query(
                "INSERT INTO supply_balances (warehouse_id, item_id, batch_id, qty) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (warehouse_id, item_id, batch_id) DO UPDATE SET qty = supply_balances.qty + excluded.qty",
            )
            .bind(w)
            .bind(i)
            .bind(b)
            .bind(d)
            .execute(&mut *tx.inner)
            .await
            .map_err(DbError::from)?;
        }
    }
    for m in moves {
        sqlx::query(
            "INSERT INTO supply_postings (doc_id, account, warehouse_id, item_id, batch_id, delta, posted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(doc_id)
        .bind(m.account.key())
        .bind(m.account.warehouse())
        .bind(m.item_id)
        .bind(m.batch_id)
        .bind(m.delta)
        .bind(at)
        .execute(&mut *tx.inner)
        .await
        .map_err(DbError::from)?;
    }
    Ok(())
}

/// The movements of a posted document, from its postings.
pub async fn movements_tx(tx: &mut Tx, doc_id: i64) -> Result<Vec<Movement>, DbError> {
    let rows: Vec<Posting> =
        sqlx::query_as("SELECT * FROM supply_postings WHERE doc_id = $1 ORDER BY id")
            .bind(doc_id)
            .fetch_all(&mut *tx.inner)
            .await?;
    rows.into_iter()
        .map(|p| {
            Ok(Movement {
                account: Account::from_key(&p.account).ok_or_else(|| DbError::Corrupt {
                    table: "supply_postings",
                    detail: format!("unknown account {}", p.account),
                })?,
                item_id: p.item_id,
                batch_id: p.batch_id,
                delta: p.delta,
            })
        })
        .collect()
}

/// Post `d` (already saved as posted in this change) with its `lines`:
/// make the receipt's batches, lock and read the stock, plan the
/// movements by the rules, apply them. Returns the movements.
pub async fn post(
    tx: &mut Tx,
    backend: Backend,
    d: &Doc,
    lines: &[Line],
    at: UtcText,
) -> Result<Vec<Movement>, PostError> {
    let moves = if d.kind == DocKind::Reversal {
        let orig = d.reverses.ok_or_else(|| DbError::Corrupt {
            table: "supply_docs",
            detail: format!("reversal {} reverses nothing", d.id),
        })?;
        let moves = reverse(&movements_tx(tx, orig).await?);
        let mut pairs: Vec<(i64, i64)> = moves
            .iter()
            .filter_map(|m| m.account.warehouse().map(|w| (w, m.item_id)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        lock_stock(tx, backend, &pairs).await?;
        moves
    } else {
        let number = doc_number(d.kind, d.id);
        let mut plan_lines = Vec::with_capacity(lines.len());
        for l in lines {
            let batch_id = if d.kind == DocKind::Receipt {
                Some(batch_for(tx, l, &number, at).await?)
            } else {
                l.batch_id
            };
            plan_lines.push(PlanLine {
                item_id: l.item_id,
                batch_id,
                qty: l.qty,
            });
        }
        let mut pairs: Vec<(i64, i64)> = Vec::new();
        for l in &plan_lines {
            pairs.push((d.warehouse_id, l.item_id));
            if let Some(to) = d.to_warehouse_id {
                pairs.push((to, l.item_id));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let stock = lock_stock(tx, backend, &pairs).await?;
        plan(
            d.kind,
            &d.reason,
            d.warehouse_id,
            d.to_warehouse_id,
            &plan_lines,
            &stock,
        )?
    };
    apply_movements(tx, d.id, &moves, at).await?;
    Ok(moves)
}

// ── stock, alerts, check ───────────────────────────────────────────────

/// A row of stock: a batch held in a warehouse.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StockRow {
    pub warehouse_id: i64,
    pub item_id: i64,
    pub batch_id: i64,
    pub qty: i64,
    pub batch_no: String,
    pub supplier: String,
    pub produced_on: Option<String>,
    pub expires_on: Option<String>,
}

/// The stock (qty > 0) of the warehouses whose division starts with
/// `prefix`, optionally one warehouse or one item.
pub async fn stock(
    db: &Db,
    prefix: &str,
    warehouse_id: Option<i64>,
    item_id: Option<i64>,
) -> Result<Vec<StockRow>, DbError> {
    let mut q = Sql::new(
        "SELECT b.warehouse_id, b.item_id, b.batch_id, b.qty, s.batch_no, s.supplier, s.produced_on, s.expires_on \
         FROM supply_balances b JOIN supply_batches s ON s.id = b.batch_id \
         JOIN registry_items w ON w.id = b.warehouse_id AND w.kind = 'warehouse' \
         WHERE b.qty > 0 AND w.division LIKE ",
    );
    q.bind(format!("{prefix}%"));
    if let Some(w) = warehouse_id {
        q.push(" AND b.warehouse_id = ").bind(w);
    }
    if let Some(i) = item_id {
        q.push(" AND b.item_id = ").bind(i);
    }
    q.push(" ORDER BY b.warehouse_id, b.item_id, s.expires_on, b.batch_id LIMIT 5000");
    Ok(q.query_as().fetch_all(db.pool()).await?)
}

/// The minimum stock of each (warehouse, item) in `prefix`.
pub async fn minimums(db: &Db, prefix: &str) -> Result<BTreeMap<(i64, i64), i64>, DbError> {
    let rows = sqlx::query(
        "SELECT m.warehouse_id, m.item_id, m.min_qty FROM supply_minimums m \
         JOIN registry_items w ON w.id = m.warehouse_id AND w.kind = 'warehouse' WHERE w.division LIKE $1",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        out.insert(
            (col(&r, "warehouse_id")?, col(&r, "item_id")?),
            col(&r, "min_qty")?,
        );
    }
    Ok(out)
}

pub async fn set_minimum(
    tx: &mut Tx,
    warehouse_id: i64,
    item_id: i64,
    min_qty: i64,
    at: UtcText,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO supply_minimums (warehouse_id, item_id, min_qty, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (warehouse_id, item_id) DO UPDATE SET min_qty = excluded.min_qty, updated_at = excluded.updated_at",
    )
    .bind(warehouse_id)
    .bind(item_id)
    .bind(min_qty)
    .bind(at)
    .execute(&mut *tx.inner)
    .await?;
    Ok(())
}

/// The outcome of re-deriving the balances from the postings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = SupplyCheckReport)]
pub struct CheckReport {
    /// Balance rows compared.
    pub balances: i64,
    /// Postings summed.
    pub postings: i64,
    /// Rows whose stored quantity differs from the postings' sum:
    /// [warehouse_id, item_id, batch_id, stored, derived].
    pub mismatches: Vec<[i64; 5]>,
    /// Stored balances below zero: [warehouse_id, item_id, batch_id, qty].
    pub negative: Vec<[i64; 4]>,
    /// Documents whose postings do not sum to zero per item and batch.
    pub unbalanced_docs: Vec<i64>,
    pub ok: bool,
}

/// Re-derive every balance from the postings and compare it with the
/// balance table; check each document's double entry.
pub async fn check(db: &Db) -> Result<CheckReport, DbError> {
    let mut stored = BTreeMap::new();
    let mut negative = Vec::new();
    for r in sqlx::query("SELECT warehouse_id, item_id, batch_id, qty FROM supply_balances")
        .fetch_all(db.pool())
        .await?
    {
        let k: (i64, i64, i64) = (
            col(&r, "warehouse_id")?,
            col(&r, "item_id")?,
            col(&r, "batch_id")?,
        );
        let q: i64 = col(&r, "qty")?;
        if q < 0 {
            negative.push([k.0, k.1, k.2, q]);
        }
        stored.insert(k, q);
    }
    let mut derived = BTreeMap::new();
    for r in sqlx::query(
        "SELECT warehouse_id, item_id, batch_id, CAST(SUM(delta) AS BIGINT) AS q FROM supply_postings \
         WHERE warehouse_id IS NOT NULL GROUP BY warehouse_id, item_id, batch_id",
    )
    .fetch_all(db.pool())
    .await?
    {
        derived.insert(
            (
                col::<i64>(&r, "warehouse_id")?,
                col::<i64>(&r, "item_id")?,
                col::<i64>(&r, "batch_id")?,
            ),
            col::<i64>(&r, "q")?,
        );
    }
    let postings: i64 = col(
        &sqlx::query("SELECT COUNT(*) AS n FROM supply_postings")
            .fetch_one(db.pool())
            .await?,
        "n",
    )?;
    let mut unbalanced_docs: Vec<i64> = Vec::new();
    for r in sqlx::query(
        "SELECT doc_id, item_id, batch_id, CAST(SUM(delta) AS BIGINT) AS q FROM supply_postings \
         GROUP BY doc_id, item_id, batch_id",
    )
    .fetch_all(db.pool())
    .await?
    {
        if col::<i64>(&r, "q")? != 0 {
            unbalanced_docs.push(col(&r, "doc_id")?);
        }
    }
    unbalanced_docs.dedup();
    let mismatches: Vec<[i64; 5]> = super::compare(&stored, &derived)
        .into_iter()
        .map(|((w, i, b), s, d)| [w, i, b, s, d])
        .collect();
    Ok(CheckReport {
        balances: stored.len() as i64,
        postings,
        ok: mismatches.is_empty() && negative.is_empty() && unbalanced_docs.is_empty(),
        mismatches,
        negative,
        unbalanced_docs,
    })
}

/// The warehouses (registry records) whose division starts with `prefix`:
/// (id, name, division).
pub async fn warehouses(db: &Db, prefix: &str) -> Result<Vec<(i64, String, String)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, division FROM registry_items WHERE kind = 'warehouse' AND division LIKE $1 ORDER BY division, id",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((col(r, "id")?, col(r, "name")?, col(r, "division")?)))
        .collect()
}
