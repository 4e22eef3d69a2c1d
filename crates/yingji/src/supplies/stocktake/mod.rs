//! Stock-count import (盘点导入): a CSV or XLSX file of counted quantities
//! (仓库, 物资代码, 批次, 数量 — the stock export's own columns read back)
//! drafts one 盘点单 per warehouse; posting it, through the ledger's one
//! posting path, books the differences as 盘盈 / 盘亏 on the `count`
//! account. All or nothing: any wrong cell refuses the whole file, each
//! error naming its row and column.
//!
//! Rules (assumptions, named in `docs/rules.md`):
//! - a row with a batch number the item already has counts that batch
//!   (wherever it is held); an unknown batch number is a new batch made
//!   with the file's supplier, production day and expiry (from the item's
//!   shelf life when not given);
//! - a row without a batch counts the one batch of the item the warehouse
//!   holds; when it holds none, a new batch named `盘点YYYYMMDD` (the day
//!   of the import); when it holds several, the batch must be named;
//! - batches the file does not list are not counted (a partial count
//!   leaves them as they are).
//!
//! Pure: the file's rows, the user's warehouses, the catalogue and the
//! batches are parameters.

pub mod api;

use std::collections::{BTreeMap, HashMap};

use time::Date;

use super::{batch_days, MAX_QTY};
use crate::error::FieldError;
use crate::registry::io::FixedColumn;

/// The columns of a stock-count file.
pub const COLUMNS: [FixedColumn; 7] = [
    FixedColumn {
        key: "warehouse",
        zh: &["仓库"],
        en: "Warehouse",
        required: true,
    },
    FixedColumn {
        key: "item_code",
        zh: &["物资代码"],
        en: "Item code",
        required: true,
    },
    FixedColumn {
        key: "batch_no",
        zh: &["批次", "批次号"],
        en: "Batch",
        required: false,
    },
    FixedColumn {
        key: "qty",
        zh: &["数量", "盘点数量", "实存数量"],
        en: "Quantity",
        required: true,
    },
    FixedColumn {
        key: "supplier",
        zh: &["供货单位"],
        en: "Supplier",
        required: false,
    },
    FixedColumn {
        key: "produced_on",
        zh: &["生产日期"],
        en: "Produced on",
        required: false,
    },
    FixedColumn {
        key: "expires_on",
        zh: &["有效期至"],
        en: "Expires on",
        required: false,
    },
];

/// Headers of the stock export read past (they describe, they do not count).
pub const IGNORED: [&str; 4] = ["物资名称", "单位", "可申请调用", "账面数量"];

/// The most data rows a file may have.
pub const MAX_ROWS: usize = 20_000;

/// What the rules know of a warehouse the user may count.
#[derive(Debug, Clone)]
pub struct Warehouse {
    pub id: i64,
    pub name: String,
}

/// What the rules know of a catalogue item.
#[derive(Debug, Clone, Copy)]
pub struct ItemFact {
    pub id: i64,
    pub shelf_life_days: Option<i64>,
}

/// A known batch of an item.
#[derive(Debug, Clone)]
pub struct KnownBatch {
    pub id: i64,
    pub expires_on: Option<String>,
}

/// The batch a counted line is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountBatch {
    Existing(i64),
    New {
        batch_no: String,
        supplier: String,
        produced_on: Option<String>,
        expires_on: Option<String>,
    },
}

/// A counted line: (file row, item, batch, counted quantity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountLine {
    pub row: usize,
    pub item_id: i64,
    pub batch: CountBatch,
    pub qty: i64,
}

/// Everything the rules read besides the file.
pub struct Facts<'a> {
    /// The warehouses the user may draft documents in.
    pub warehouses: &'a [Warehouse],
    /// Items by code.
    pub items: &'a HashMap<String, ItemFact>,
    /// Batches by (item, batch number).
    pub batches: &'a HashMap<(i64, String), KnownBatch>,
    /// The batches each (warehouse, item) holds now (qty > 0).
    pub held: &'a HashMap<(i64, i64), Vec<i64>>,
    /// The day of the import (Beijing time): names a new batch without one.
    pub today: Date,
}

fn warehouse_of(cell: &str, ws: &[Warehouse]) -> Result<i64, FieldError> {
    let by_id = cell.parse::<i64>().ok();
    let found: Vec<&Warehouse> = ws
        .iter()
        .filter(|w| w.name == cell || Some(w.id) == by_id)
        .collect();
    match found.as_slice() {
        [w] => Ok(w.id),
        [] => Err(FieldError::new(
            "warehouse",
            format!("找不到仓库“{cell}”或不在您的管辖范围内"),
        )
        .code("warehouse_not_found")
        .param("name", cell.to_string())),
        _ => Err(FieldError::new(
            "warehouse",
            format!("仓库名称“{cell}”不唯一，请填写仓库编号"),
        )
        .code("ambiguous_warehouse")
        .param("name", cell.to_string())),
    }
}

/// The item codes a file's rows name (to read only their batches).
pub fn item_codes(
    header: &[&str],
    rows: &[(usize, Vec<String>)],
) -> std::collections::BTreeSet<String> {
    let Ok(idx) = crate::registry::io::fixed_columns(&COLUMNS, &IGNORED, header) else {
        return Default::default();
    };
    rows.iter()
        .filter_map(|(_, r)| idx[1].and_then(|i| r.get(i)))
        .map(|c| c.trim().to_string())
        .collect()
}

/// Read a file's rows (`header`, then (sheet row, cells)) into counted
/// lines per warehouse (in the file's order), or every error with its row
/// and column.
pub fn read(
    header: &[&str],
    rows: &[(usize, Vec<String>)],
    f: &Facts,
) -> Result<BTreeMap<i64, Vec<CountLine>>, Vec<FieldError>> {
    let idx = crate::registry::io::fixed_columns(&COLUMNS, &IGNORED, header)?;
    let mut errors = Vec::new();
    if rows.is_empty() {
        errors.push(FieldError::new("file", "文件中没有数据行").code("no_rows"));
    }
    if rows.len() > MAX_ROWS {
        errors.push(
            FieldError::new("file", format!("最多 {MAX_ROWS} 行"))
                .code("too_many")
                .param("max", MAX_ROWS),
        );
        return Err(errors);
    }
    let mut out: BTreeMap<i64, Vec<CountLine>> = BTreeMap::new();
    // (warehouse, item, batch key) → the first row that counted it.
    let mut seen: HashMap<(i64, i64, String), usize> = HashMap::new();
    let auto_no = format!("盘点{}", super::date_text(f.today).replace('-', ""));
    for (row, cells) in rows {
        let row = *row;
        let cell = |c: usize| {
            idx[c]
                .and_then(|i| cells.get(i))
                .map(|v| v.trim())
                .unwrap_or("")
        };
        let mut errs = Vec::new();
        let w = match cell(0) {
            "" => {
                errs.push(FieldError::new("warehouse", "请填写仓库").code("required"));
                None
            }
            c => warehouse_of(c, f.warehouses).map_err(|e| errs.push(e)).ok(),
        };
        let item = match cell(1) {
            "" => {
                errs.push(FieldError::new("item_code", "请填写物资代码").code("required"));
                None
            }
            c => match f.items.get(c) {
                Some(i) => Some(*i),
                None => {
                    errs.push(
                        FieldError::new("item_code", format!("物资目录中没有代码“{c}”"))
                            .code("supply_item_not_found")
                            .param("code", c.to_string()),
                    );
                    None
                }
            },
        };
        let qty = match cell(3).parse::<i64>() {
            Ok(q) if (0..=MAX_QTY).contains(&q) => Some(q),
            _ => {
                errs.push(
                    FieldError::new("qty", format!("应为 0 到 {MAX_QTY} 之间的整数"))
                        .code("out_of_range")
                        .param("min", 0)
                        .param("max", MAX_QTY),
                );
                None
            }
        };
        let batch_no = cell(2).to_string();
        if batch_no.chars().count() > 50 {
            errs.push(
                FieldError::new("batch_no", "最多 50 个字符")
                    .code("too_long")
                    .param("max", 50),
            );
        }
        let supplier = cell(4).to_string();
        if supplier.chars().count() > 100 {
            errs.push(
                FieldError::new("supplier", "最多 100 个字符")
                    .code("too_long")
                    .param("max", 100),
            );
        }
        let given = |c: usize| Some(cell(c).to_string()).filter(|s| !s.is_empty());
        let (produced_on, expires_on) = batch_days(
            |k: &str| k.to_string(),
            &given(5),
            &given(6),
            item.and_then(|i| i.shelf_life_days),
            &mut errs,
        );
        let mut batch = None;
        if let (Some(w), Some(item)) = (w, item) {
            let held = f.held.get(&(w, item.id)).map_or(&[][..], |v| v.as_slice());
            batch = match (batch_no.as_str(), held) {
                ("", [one]) => Some(CountBatch::Existing(*one)),
                ("", []) => Some(CountBatch::New {
                    batch_no: auto_no.clone(),
                    supplier: supplier.clone(),
                    produced_on: produced_on.clone(),
                    expires_on: expires_on.clone(),
                }),
                ("", _) => {
                    errs.push(
                        FieldError::new("batch_no", "该仓库有此物资的多个批次，请填写批次")
                            .code("batch_required")
                            .param("batches", held.len()),
                    );
                    None
                }
                (no, _) => match f.batches.get(&(item.id, no.to_string())) {
                    Some(b) if given(6).is_some() && b.expires_on != expires_on => {
                        errs.push(
                            FieldError::new("expires_on", "该批次号已登记，有效期不同")
                                .code("batch_mismatch")
                                .param("batch_no", no.to_string()),
                        );
                        None
                    }
                    Some(b) => Some(CountBatch::Existing(b.id)),
                    None => Some(CountBatch::New {
                        batch_no: no.to_string(),
                        supplier: supplier.clone(),
                        produced_on: produced_on.clone(),
                        expires_on: expires_on.clone(),
                    }),
                },
            };
        }
        if let (Some(w), Some(item), Some(b)) = (w, item, &batch) {
            let key = match b {
                CountBatch::Existing(id) => format!("#{id}"),
                CountBatch::New { batch_no, .. } => batch_no.clone(),
            };
            if let Some(first) = seen.get(&(w, item.id, key.clone())) {
                errs.push(
                    FieldError::new(
                        "batch_no",
                        format!("与第 {first} 行重复（同一仓库、物资和批次）"),
                    )
                    .code("duplicate_row")
                    .param("row", *first),
                );
            } else {
                seen.insert((w, item.id, key), row);
            }
        }
        if errs.is_empty() {
            if let (Some(w), Some(item), Some(batch), Some(qty)) = (w, item, batch, qty) {
                out.entry(w).or_default().push(CountLine {
                    row,
                    item_id: item.id,
                    batch,
                    qty,
                });
            }
        } else {
            errors.extend(errs.into_iter().map(|e| e.at_row(row)));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
