//! The supplies module's records, typed: times `UtcText`, days
//! (`produced_on`, `expires_on`) `YYYY-MM-DD` text, kinds and states enums
//! bound as their text (`db::text_enum!`). Quantities are whole units of
//! the item's unit (顶, 床, 件, 台 …), `i64`.

use serde::Serialize;

use super::{DocKind, DocState};
use crate::db::{text_enum, UtcText};

text_enum!(DocKind, DocKind::as_str, DocKind::parse);
text_enum!(DocState, DocState::as_str, DocState::parse);

/// An item of the catalogue (物资目录), coded by GB/T 38565-2020.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyItem)]
pub struct Item {
    pub id: i64,
    /// Seven digits, four levels (大类 1 digit, 中类, 小类, 细类 2 digits each).
    pub code: String,
    pub name: String,
    /// living | equipment | engineering: the 大类 of the code.
    pub category: String,
    /// 计量单位
    pub unit: String,
    /// 规格型号
    pub specification: String,
    /// 保质期/储存期 (days); none for durable goods.
    pub shelf_life_days: Option<i64>,
    /// 储存条件
    pub storage: String,
    pub created_at: UtcText,
    pub updated_at: UtcText,
    pub version: i64,
}

/// A batch (批次) of an item: who supplied it, when it was made, when it
/// expires.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyBatch)]
pub struct Batch {
    pub id: i64,
    pub item_id: i64,
    pub batch_no: String,
    pub supplier: String,
    /// YYYY-MM-DD
    pub produced_on: Option<String>,
    /// YYYY-MM-DD
    pub expires_on: Option<String>,
    pub created_at: UtcText,
}

/// A ledger document (入库单, 出库单, 调拨单, 盘点单, 报损单, 冲销单).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyDoc)]
pub struct Doc {
    pub id: i64,
    pub kind: DocKind,
    /// receipt: purchase | donation | transfer_in; issue: relief |
    /// transfer_out | other; writeoff: expired | damaged | other.
    pub reason: String,
    /// The warehouse whose stock the document moves (a transfer's source).
    pub warehouse_id: i64,
    /// The warehouse's division (for jurisdiction).
    pub division: String,
    /// A transfer's destination.
    pub to_warehouse_id: Option<i64>,
    pub to_division: String,
    /// A reversal: the posted document it reverses.
    pub reverses: Option<i64>,
    pub state: DocState,
    pub note: String,
    pub created_by: String,
    pub created_at: UtcText,
    pub approved_by: String,
    pub approved_at: Option<UtcText>,
    pub posted_by: String,
    pub posted_at: Option<UtcText>,
    pub updated_at: UtcText,
    pub version: i64,
}

impl Doc {
    /// A new draft of `kind` in a warehouse (of `division`), by `by` at
    /// `at`; not yet saved (`id` 0).
    pub fn draft(
        kind: DocKind,
        reason: &str,
        warehouse: (i64, &str),
        note: String,
        by: &str,
        at: UtcText,
    ) -> Doc {
        Doc {
            id: 0,
            kind,
            reason: reason.to_string(),
            warehouse_id: warehouse.0,
            division: warehouse.1.to_string(),
            to_warehouse_id: None,
            to_division: String::new(),
            reverses: None,
            state: DocState::Draft,
            note,
            created_by: by.to_string(),
            created_at: at,
            approved_by: String::new(),
            approved_at: None,
            posted_by: String::new(),
            posted_at: None,
            updated_at: at,
            version: 1,
        }
    }
}

/// A line of a document: an item, a quantity, and the batch (a receipt's
/// new batch, an issue's named one, or none: first-expiry-first-out).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyLine)]
pub struct Line {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub doc_id: i64,
    pub line_no: i64,
    pub item_id: i64,
    pub batch_id: Option<i64>,
    pub batch_no: String,
    pub supplier: String,
    pub produced_on: Option<String>,
    pub expires_on: Option<String>,
    /// Moved (or, in a count, counted) quantity.
    pub qty: i64,
}

impl Line {
    /// A line of an issue or count (no new batch): item, existing batch or
    /// none (first expiry first), quantity.
    pub fn of(line_no: i64, item_id: i64, batch_id: Option<i64>, qty: i64) -> Line {
        Line {
            id: 0,
            doc_id: 0,
            line_no,
            item_id,
            batch_id,
            batch_no: String::new(),
            supplier: String::new(),
            produced_on: None,
            expires_on: None,
            qty,
        }
    }
}

/// One side of a posted movement.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
#[schema(as = SupplyPosting)]
pub struct Posting {
    #[serde(skip)]
    pub id: i64,
    pub doc_id: i64,
    /// `warehouse:<id>` or an outside account (`supplier`, `donor`,
    /// `transfer_in`, `issued`, `count`, `writeoff`).
    pub account: String,
    pub warehouse_id: Option<i64>,
    pub item_id: i64,
    pub batch_id: i64,
    pub delta: i64,
    pub posted_at: UtcText,
}
