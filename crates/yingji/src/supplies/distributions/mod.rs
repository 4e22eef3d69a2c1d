//! Distribution to households with a signed list (发放登记与签收): a 出库单
//! (issue, reason `relief`) whose lines are the sums of a list of
//! households — the head's name, the last four characters of the ID number
//! only (as shelters keep them), members, and what each receives. The
//! document is approved and posted through the ledger's one posting path
//! (制单与审核分离 applies); once posted (the stock has left) each household
//! signs (签收) once, with the time and who recorded it. The list prints as
//! an XLSX 签收表 with a column for the signature.
//!
//! The plan: 《大同市“十四五”应急体系规划》三.14 (救灾物资…分发全过程管理);
//! 《自然灾害救助条例》第十四条 (救助物资发放) and 第二十八条 (救助款物的
//! 管理、使用 … 公开 — the signed list is its record).
//!
//! Pure: no SQL, no HTTP, no clock reads.

pub mod api;
pub mod model;
pub mod store;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{RuleError, MAX_QTY};
use crate::error::{text, FieldError, Refusal};
pub use model::{Distribution, Recipient};

/// The most households one list may name.
pub const MAX_HOUSEHOLDS: usize = 500;

/// One item and quantity a household receives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplyDistributionQty)]
pub struct Qty {
    pub item_id: i64,
    pub qty: i64,
}

/// A household on a new list: a shelter's registered household
/// (`household_id`: its name, ID digits and members are taken from the
/// registration) or one typed in.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSupplyRecipient)]
pub struct NewRecipient {
    #[serde(default)]
    pub household_id: Option<i64>,
    #[serde(default)]
    pub head_name: String,
    #[serde(default)]
    pub id_last4: String,
    #[serde(default = "one")]
    pub members: i64,
    pub items: Vec<Qty>,
}

fn one() -> i64 {
    1
}

/// A new distribution list (`POST /supplies/distributions`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSupplyDistribution)]
pub struct NewDistribution {
    /// The warehouse the stock leaves.
    pub warehouse_id: i64,
    #[serde(default)]
    pub incident_id: Option<i64>,
    /// The shelter (registry record) whose open households receive.
    #[serde(default)]
    pub shelter_id: Option<i64>,
    /// 发放地点
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub note: String,
    pub households: Vec<NewRecipient>,
}

/// A registered household a list may name: (head name, ID digits, members).
pub type Registered = BTreeMap<i64, (String, String, i64)>;

/// A checked household of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub household_id: Option<i64>,
    pub head_name: String,
    pub id_last4: String,
    pub members: i64,
    pub items: Vec<Qty>,
}

/// A checked list: its households and the total of each item.
pub type CheckedList = (Vec<Checked>, BTreeMap<i64, i64>);

/// Check a list against the catalogue (`known` item ids) and the shelter's
/// registered households: every wrong field named
/// (`households[3].items[0].qty`). Returns the households and the total of
/// each item (the 出库单's lines).
pub fn check(
    b: &NewDistribution,
    known: &dyn Fn(i64) -> bool,
    registered: &Registered,
) -> Result<CheckedList, Vec<FieldError>> {
    let mut errors = Vec::new();
    if b.households.is_empty() {
        errors.push(FieldError::new("households", "请至少填写一户").code("required"));
    }
    if b.households.len() > MAX_HOUSEHOLDS {
        errors.push(
            FieldError::new("households", format!("最多 {MAX_HOUSEHOLDS} 户"))
                .code("too_many")
                .param("max", MAX_HOUSEHOLDS),
        );
    }
    for (name, v, max) in [("place", &b.place, 200), ("note", &b.note, 1000)] {
        if let Err(e) = text(name, v, max, false) {
            errors.push(e);
        }
    }
    let mut out = Vec::new();
    let mut totals: BTreeMap<i64, i64> = BTreeMap::new();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (n, h) in b.households.iter().enumerate() {
        let at = |f: &str| format!("households[{n}].{f}");
        let (head_name, id_last4, members) = match h.household_id {
            Some(id) => match registered.get(&id) {
                Some(r) => r.clone(),
                None => {
                    errors.push(
                        FieldError::new(at("household_id"), "该户不在此避难场所登记")
                            .code("household_not_found"),
                    );
                    (String::new(), String::new(), 0)
                }
            },
            None => {
                let name = text(&at("head_name"), &h.head_name, 50, true)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default();
                let last4 = crate::shelters::id_last4(&at("id_last4"), &h.id_last4)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default();
                if !(1..=crate::shelters::MAX_MEMBERS).contains(&h.members) {
                    errors.push(
                        FieldError::new(at("members"), "人数超出范围")
                            .code("out_of_range")
                            .param("min", 1)
                            .param("max", crate::shelters::MAX_MEMBERS),
                    );
                }
                (name, last4, h.members)
            }
        };
        if !head_name.is_empty() && !id_last4.is_empty() {
            if let Some(first) = seen.insert((head_name.clone(), id_last4.clone()), n) {
                errors.push(
                    FieldError::new(at("head_name"), format!("与第 {} 户重复", first + 1))
                        .code("duplicate_row")
                        .param("row", first + 1),
                );
            }
        }
        if h.items.is_empty() {
            errors.push(FieldError::new(at("items"), "请填写发放的物资").code("required"));
        }
        let mut items_seen = std::collections::BTreeSet::new();
        for (k, q) in h.items.iter().enumerate() {
            let at = |f: &str| format!("households[{n}].items[{k}].{f}");
            if !known(q.item_id) {
                errors.push(
                    FieldError::new(at("item_id"), "找不到该物资").code("supply_item_not_found"),
                );
            } else if !items_seen.insert(q.item_id) {
                errors.push(
                    FieldError::new(at("item_id"), "同一户同一物资重复")
                        .code("duplicate_row")
                        .param("row", k),
                );
            }
            if !(1..=MAX_QTY).contains(&q.qty) {
                errors.push(
                    FieldError::new(at("qty"), format!("应在 1 到 {MAX_QTY} 之间"))
                        .code("out_of_range")
                        .param("min", 1)
                        .param("max", MAX_QTY),
                );
            } else {
                let t = totals.entry(q.item_id).or_default();
                *t = t.saturating_add(q.qty);
            }
        }
        out.push(Checked {
            household_id: h.household_id,
            head_name,
            id_last4,
            members,
            items: h.items.clone(),
        });
    }
    if let Some((item, _)) = totals.iter().find(|(_, t)| **t > MAX_QTY) {
        errors.push(
            FieldError::new("households", "某物资合计超过上限")
                .code("out_of_range")
                .param("item_id", *item)
                .param("max", MAX_QTY),
        );
    }
    if errors.is_empty() {
        Ok((out, totals))
    } else {
        Err(errors)
    }
}

/// A household signs (签收) once, after its document is posted: before,
/// nothing has left the warehouse (`distribution_not_posted`); a second
/// signature is refused (`already_signed`).
pub fn check_sign(doc_state: super::DocState, r: &Recipient) -> Result<(), RuleError> {
    if doc_state != super::DocState::Posted {
        return Err(RuleError::State(
            Refusal::new("distribution_not_posted", "出库单记账后才能签收")
                .param("state", doc_state.as_str()),
        ));
    }
    if r.signed_at.is_some() {
        return Err(RuleError::State(Refusal::new(
            "already_signed",
            "该户已签收",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
