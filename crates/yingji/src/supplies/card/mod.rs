//! The stock card (物资台账卡 / 存货明细账): for a warehouse and an item
//! (optionally one batch), every posting in time order with 收入, 发出 and
//! the running 结存, from the opening balance of the period to its closing
//! balance. The card is read from the postings themselves (the ledger's
//! only record of movement), never from the balance table.
//!
//! The layout follows the 数量金额式明细账 of 《会计基础工作规范》
//! (财会字〔1996〕19号) 第六十条 (期初结存、本期收入、本期发出、期末结存),
//! in quantities only: the ledger keeps no prices.
//!
//! Pure: no SQL, no HTTP, no clock reads (the period and today are
//! parameters).

pub mod api;
pub mod store;

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime, Time};

use super::DocKind;
use crate::clock::CST;
use crate::db::UtcText;
use crate::error::FieldError;

/// One posting on a warehouse's side, as the card reads it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CardPosting {
    pub posting_id: i64,
    pub posted_at: UtcText,
    pub doc_id: i64,
    pub doc_kind: DocKind,
    pub reason: String,
    pub note: String,
    pub batch_id: i64,
    pub batch_no: String,
    pub delta: i64,
}

/// A line of the card: one posting with the balance after it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SupplyCardLine)]
pub struct CardLine {
    pub posted_at: UtcText,
    pub doc_id: i64,
    /// The document's number (RK000012 …).
    pub doc_number: String,
    pub doc_kind: DocKind,
    pub reason: String,
    /// 摘要: the document's note.
    pub note: String,
    pub batch_id: i64,
    pub batch_no: String,
    /// 收入
    pub received: i64,
    /// 发出
    pub issued: i64,
    /// 结存 after this posting.
    pub balance: i64,
}

/// The card of a period: opening, the lines, the totals, closing.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SupplyCardTotals)]
pub struct Totals {
    /// 期初结存: the sum of every posting before the period.
    pub opening: i64,
    /// 本期收入
    pub received: i64,
    /// 本期发出
    pub issued: i64,
    /// 期末结存
    pub closing: i64,
}

/// The card's lines from `opening` and the period's postings (in posting
/// order: time, then id, as the store gives them).
pub fn card(opening: i64, postings: &[CardPosting]) -> (Vec<CardLine>, Totals) {
    let mut balance = opening;
    let (mut received, mut issued) = (0, 0);
    let lines = postings
        .iter()
        .map(|p| {
            balance += p.delta;
            let (r, i) = if p.delta >= 0 {
                (p.delta, 0)
            } else {
                (0, -p.delta)
            };
            received += r;
            issued += i;
            CardLine {
                posted_at: p.posted_at,
                doc_id: p.doc_id,
                doc_number: super::doc_number(p.doc_kind, p.doc_id),
                doc_kind: p.doc_kind,
                reason: p.reason.clone(),
                note: p.note.clone(),
                batch_id: p.batch_id,
                batch_no: p.batch_no.clone(),
                received: r,
                issued: i,
                balance,
            }
        })
        .collect();
    (
        lines,
        Totals {
            opening,
            received,
            issued,
            closing: balance,
        },
    )
}

/// The longest period a card covers (days): a sanity bound on one read.
pub const MAX_DAYS: i64 = 3_660;

/// The period of a card as instants `[from, to)`: from the start of the
/// `from` day to the end of the `to` day, days in Beijing time. Without
/// `from`, the first day of `today`'s month; without `to`, `today`. Each
/// wrong day is named.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    today: Date,
) -> Result<(OffsetDateTime, OffsetDateTime), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut day = |name: &str, v: Option<&str>, default: Date| match v.map(str::trim) {
        None | Some("") => Some(default),
        Some(s) => crate::clock::parse_date(s).or_else(|| {
            errors.push(FieldError::new(name, "日期应为 YYYY-MM-DD").code("bad_date"));
            None
        }),
    };
    let first = today.replace_day(1).unwrap_or(today);
    let from = day("from", from, first);
    let to = day("to", to, today);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push(FieldError::new("to", "结束日期不能早于开始日期").code("to_before_from"));
        } else if (t - f).whole_days() >= MAX_DAYS {
            errors.push(
                FieldError::new("to", format!("期间最长 {MAX_DAYS} 天"))
                    .code("too_many")
                    .param("max", MAX_DAYS),
            );
        }
    }
    match (from, to) {
        (Some(f), Some(t)) if errors.is_empty() => Ok((
            f.with_time(Time::MIDNIGHT).assume_offset(CST),
            (t + Duration::days(1))
                .with_time(Time::MIDNIGHT)
                .assume_offset(CST),
        )),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests;
