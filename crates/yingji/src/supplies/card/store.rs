//! SQL of the stock card: the opening balance and the postings of a period
//! for one warehouse and item (optionally one batch), from
//! `supply_postings` (index `supply_postings_stock`).

use super::CardPosting;
use crate::db::{col, Db, DbError, Sql, UtcText};

/// Which postings a card reads.
pub struct CardKey {
    pub warehouse_id: i64,
    pub item_id: i64,
    pub batch_id: Option<i64>,
}

fn key_where(q: &mut Sql, k: &CardKey) {
    q.push(" p.warehouse_id = ")
        .bind(k.warehouse_id)
        .push(" AND p.item_id = ")
        .bind(k.item_id);
    if let Some(b) = k.batch_id {
        q.push(" AND p.batch_id = ").bind(b);
    }
}

/// The most lines one card shows (a period longer than that is refused by
/// the caller as too many).
pub const MAX_LINES: i64 = 20_000;

/// The opening balance (every posting before `from`) and the postings in
/// `[from, to)` in posting order (time, then id).
pub async fn card(
    db: &Db,
    k: &CardKey,
    from: UtcText,
    to: UtcText,
) -> Result<(i64, Vec<CardPosting>), DbError> {
    let mut o = Sql::new(
        "SELECT CAST(COALESCE(SUM(p.delta), 0) AS BIGINT) AS q FROM supply_postings p WHERE",
    );
    key_where(&mut o, k);
    o.push(" AND p.posted_at < ").bind(from.text());
    let opening: i64 = col(&o.query().fetch_one(db.pool()).await?, "q")?;
    let mut q = Sql::new(
        "SELECT p.id AS posting_id, p.posted_at, p.doc_id, d.kind AS doc_kind, d.reason, d.note, p.batch_id, \
         s.batch_no, p.delta FROM supply_postings p JOIN supply_docs d ON d.id = p.doc_id \
         JOIN supply_batches s ON s.id = p.batch_id WHERE",
    );
    key_where(&mut q, k);
    q.push(" AND p.posted_at >= ")
        .bind(from.text())
        .push(" AND p.posted_at < ")
        .bind(to.text())
        .push(" ORDER BY p.posted_at, p.id LIMIT ")
        .bind(MAX_LINES + 1);
    Ok((opening, q.query_as().fetch_all(db.pool()).await?))
}
