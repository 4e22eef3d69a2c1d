//! Relief supplies (救灾物资): the item catalogue coded by GB/T 38565-2020
//! 《应急物资分类及编码》 and a double-entry stock ledger on the registry's
//! warehouses — documents 入库 / 出库 / 调拨 / 盘点 / 报损 drafted, approved
//! and posted; a posted document is never changed, a mistake is reversed by
//! a reversing document (冲销). Balances per warehouse, item and batch are
//! the sum of the postings; a balance never goes below zero.
//!
//! The plan: 《大同市“十四五”应急体系规划》三.14 (救灾物资入库、存储、出库、
//! 运输和分发全过程管理), 三.23–25 and 专栏3 (重点品类), 四.17–18.
//!
//! Pure: no SQL, no HTTP, no clock reads (times are parameters).

pub mod api;
pub mod card;
pub mod distributions;
pub mod model;
pub mod requests;
pub mod shipments;
pub mod stocktake;
pub mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

pub use crate::error::RuleError;
use crate::error::{text, FieldError, Refusal};
pub use model::{Batch, Doc, Item, Line, Posting};

/// The most of one item a line may move (a sanity bound, not a rule).
pub const MAX_QTY: i64 = 100_000_000;

// ── the catalogue: GB/T 38565-2020 ─────────────────────────────────────

/// The 大类 of GB/T 38565-2020 §5.2 a): 1 基本生活保障物资, 2 应急装备及
/// 配套物资, 3 工程材料与机械加工设备.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyCategory)]
pub enum Category {
    /// 1 基本生活保障物资
    Living,
    /// 2 应急装备及配套物资
    Equipment,
    /// 3 工程材料与机械加工设备
    Engineering,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Living => "living",
            Category::Equipment => "equipment",
            Category::Engineering => "engineering",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Living => "基本生活保障物资",
            Category::Equipment => "应急装备及配套物资",
            Category::Engineering => "工程材料与机械加工设备",
        }
    }
}

/// Check a GB/T 38565-2020 code (§5.2: 层次编码, 四层七位 — the 大类 one
/// digit 1–3, 中类, 小类 and 细类 two digits 01–99 each, 99 the catch-all
/// 收容类目) and give its 大类.
pub fn check_code(code: &str) -> Result<Category, FieldError> {
    let c = code.trim();
    let bad = || {
        FieldError::new(
            "code",
            "应为 GB/T 38565-2020 的七位代码：大类 1–3，中类、小类、细类各 01–99",
        )
        .code("bad_supply_code")
    };
    if c.len() != 7 || !c.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let cat = match &c[..1] {
        "1" => Category::Living,
        "2" => Category::Equipment,
        "3" => Category::Engineering,
        _ => return Err(bad()),
    };
    for i in [1, 3, 5] {
        if &c[i..i + 2] == "00" {
            return Err(bad());
        }
    }
    Ok(cat)
}

/// A new catalogue item (`POST /supplies/items`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSupplyItem)]
pub struct NewItem {
    pub code: String,
    pub name: String,
    pub unit: String,
    #[serde(default)]
    pub specification: String,
    #[serde(default)]
    pub shelf_life_days: Option<i64>,
    #[serde(default)]
    pub storage: String,
}

/// A checked new item: every wrong field named.
pub fn check_item(b: &NewItem) -> Result<(NewItem, Category), Vec<FieldError>> {
    let mut errors = Vec::new();
    let cat = check_code(&b.code).map_err(|e| errors.push(e)).ok();
    let mut t = |name: &str, v: &str, max: usize, req: bool| {
        text(name, v, max, req)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let name = t("name", &b.name, 100, true);
    let unit = t("unit", &b.unit, 10, true);
    let specification = t("specification", &b.specification, 200, false);
    let storage = t("storage", &b.storage, 200, false);
    if let Some(d) = b.shelf_life_days {
        if !(1..=36_500).contains(&d) {
            errors.push(
                FieldError::new("shelf_life_days", "应在 1 到 36500 之间")
                    .code("out_of_range")
                    .param("min", 1)
                    .param("max", 36_500),
            );
        }
    }
    match cat {
        Some(cat) if errors.is_empty() => Ok((
            NewItem {
                code: b.code.trim().to_string(),
                name,
                unit,
                specification,
                shelf_life_days: b.shelf_life_days,
                storage,
            },
            cat,
        )),
        _ => Err(errors),
    }
}

// ── documents ──────────────────────────────────────────────────────────

/// The kinds of ledger document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyDocKind)]
pub enum DocKind {
    /// 入库 (purchase, donation, transfer in)
    Receipt,
    /// 出库 (issue)
    Issue,
    /// 调拨: from one warehouse to another
    Transfer,
    /// 盘点: counted quantities, the differences posted
    Count,
    /// 报损
    Writeoff,
    /// 冲销: the exact opposite of a posted document
    Reversal,
}

impl DocKind {
    pub const ALL: [DocKind; 6] = [
        DocKind::Receipt,
        DocKind::Issue,
        DocKind::Transfer,
        DocKind::Count,
        DocKind::Writeoff,
        DocKind::Reversal,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Receipt => "receipt",
            DocKind::Issue => "issue",
            DocKind::Transfer => "transfer",
            DocKind::Count => "count",
            DocKind::Writeoff => "writeoff",
            DocKind::Reversal => "reversal",
        }
    }
    pub fn parse(s: &str) -> Option<DocKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            DocKind::Receipt => "入库单",
            DocKind::Issue => "出库单",
            DocKind::Transfer => "调拨单",
            DocKind::Count => "盘点单",
            DocKind::Writeoff => "报损单",
            DocKind::Reversal => "冲销单",
        }
    }
    /// The number's prefix (入库 RK, 出库 CK, 调拨 DB, 盘点 PD, 报损 BS, 冲销 CX).
    pub fn prefix(self) -> &'static str {
        match self {
            DocKind::Receipt => "RK",
            DocKind::Issue => "CK",
            DocKind::Transfer => "DB",
            DocKind::Count => "PD",
            DocKind::Writeoff => "BS",
            DocKind::Reversal => "CX",
        }
    }
    /// The reasons a document of this kind may give (the first is the
    /// default).
    pub fn reasons(self) -> &'static [&'static str] {
        match self {
            DocKind::Receipt => &["purchase", "donation", "transfer_in"],
            DocKind::Issue => &["relief", "transfer_out", "other"],
            DocKind::Writeoff => &["expired", "damaged", "other"],
            DocKind::Transfer | DocKind::Count | DocKind::Reversal => &[""],
        }
    }
}

/// The number a document is known by: its kind's prefix and its id.
pub fn doc_number(kind: DocKind, id: i64) -> String {
    format!("{}{:06}", kind.prefix(), id)
}

/// Where a document is: drafted → approved → posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyDocState)]
pub enum DocState {
    /// 草稿: may be changed or deleted.
    Draft,
    /// 已审核: may be posted (or deleted: nothing has moved yet).
    Approved,
    /// 已记账: never changed again; reversed by a new document.
    Posted,
}

impl DocState {
    pub const ALL: [DocState; 3] = [DocState::Draft, DocState::Approved, DocState::Posted];
    pub fn as_str(self) -> &'static str {
        match self {
            DocState::Draft => "draft",
            DocState::Approved => "approved",
            DocState::Posted => "posted",
        }
    }
    pub fn parse(s: &str) -> Option<DocState> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            DocState::Draft => "草稿",
            DocState::Approved => "已审核",
            DocState::Posted => "已记账",
        }
    }
}

/// A step of a document (`POST /supplies/documents/{id}/events`, tagged
/// by `kind`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = SupplyDocCommand)]
pub enum DocCommand {
    /// 审核
    Approve {},
    /// 记账: the stock moves.
    Post {},
}

impl DocCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            DocCommand::Approve {} => "approve",
            DocCommand::Post {} => "post",
        }
    }
}

fn wrong_state(d: &Doc, step: &str) -> RuleError {
    RuleError::State(
        Refusal::new(
            "supply_doc_step_not_allowed",
            format!("单据{}，不能执行此步骤", d.state.label_zh()),
        )
        .param("state", d.state.as_str())
        .param("event", step),
    )
}

/// Apply a step to a document by `actor` at `now`: the document after it,
/// or why not. The state machine only; posting moves the stock in the same
/// change (`store::post`).
pub fn apply(
    mut d: Doc,
    cmd: &DocCommand,
    actor: &str,
    now: time::OffsetDateTime,
) -> Result<Doc, RuleError> {
    let t = crate::db::UtcText(now);
    match cmd {
        DocCommand::Approve {} => {
            if d.state != DocState::Draft {
                return Err(wrong_state(&d, cmd.as_str()));
            }
            d.state = DocState::Approved;
            d.approved_by = actor.to_string();
            d.approved_at = Some(t);
        }
        DocCommand::Post {} => {
            if d.state != DocState::Approved {
                return Err(wrong_state(&d, cmd.as_str()));
            }
            d.state = DocState::Posted;
            d.posted_by = actor.to_string();
            d.posted_at = Some(t);
        }
    }
    d.updated_at = t;
    Ok(d)
}

/// The supplies settings (`[supplies]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuppliesConfig {
    /// 制单与审核分离: the user who drafted a ledger document may not
    /// approve it (《企业内部控制基本规范》(财会〔2008〕7号) 第二十九条
    /// 不相容职务分离控制; 《行政事业单位内部控制规范（试行）》(财会〔2012〕21号)
    /// 第十二条). Default `true`; a bureau whose 制度 allows one person to
    /// do both sets it `false`.
    pub separate_approver: bool,
}

impl Default for SuppliesConfig {
    fn default() -> Self {
        SuppliesConfig {
            separate_approver: true,
        }
    }
}

/// 制单与审核分离 (see [`SuppliesConfig::separate_approver`]): with the rule
/// on, the drafter of `d` may not approve it (`drafter_cannot_approve`).
/// Any other step, or the rule off, passes.
pub fn check_approver(
    d: &Doc,
    cmd: &DocCommand,
    actor: &str,
    separate: bool,
) -> Result<(), RuleError> {
    if separate && matches!(cmd, DocCommand::Approve {}) && d.created_by == actor {
        return Err(RuleError::State(
            Refusal::new("drafter_cannot_approve", "制单人不能审核自己制的单据")
                .param("created_by", d.created_by.clone()),
        ));
    }
    Ok(())
}

/// An unposted document may be deleted; a posted one never.
pub fn check_delete(d: &Doc) -> Result<(), RuleError> {
    if d.state == DocState::Posted {
        return Err(RuleError::State(Refusal::new(
            "posted_never_deleted",
            "已记账的单据不能删除，请以冲销单冲回",
        )));
    }
    Ok(())
}

/// Whether a posted document may be reversed: posted, not a reversal
/// itself, not reversed yet.
pub fn check_reverse(d: &Doc, already: bool) -> Result<(), RuleError> {
    if d.state != DocState::Posted {
        return Err(RuleError::State(Refusal::new(
            "reverse_posted_only",
            "只有已记账的单据可以冲销",
        )));
    }
    if d.kind == DocKind::Reversal {
        return Err(RuleError::State(Refusal::new(
            "no_reversal_of_reversal",
            "冲销单不能再冲销",
        )));
    }
    if already {
        return Err(RuleError::State(Refusal::new(
            "already_reversed",
            "该单据已有冲销单",
        )));
    }
    Ok(())
}

/// The steps possible on `d` (for the UI, asked of the rules).
pub fn allowed(d: &Doc) -> Vec<&'static str> {
    let now = time::OffsetDateTime::UNIX_EPOCH;
    let mut out: Vec<&'static str> = [DocCommand::Approve {}, DocCommand::Post {}]
        .iter()
        .filter(|c| apply(d.clone(), c, "-", now).is_ok())
        .map(DocCommand::as_str)
        .collect();
    if check_delete(d).is_ok() {
        out.push("delete");
    }
    out
}

/// A line as the user gives it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplyLineInput)]
pub struct LineInput {
    pub item_id: i64,
    /// Moved (or counted) quantity in the item's unit.
    pub qty: i64,
    /// An existing batch (issue, transfer, write-off: that batch; none:
    /// first-expiry-first-out; count: required).
    #[serde(default)]
    pub batch_id: Option<i64>,
    /// Receipt: the new batch's number (default: the document's number).
    #[serde(default)]
    pub batch_no: String,
    #[serde(default)]
    pub supplier: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub produced_on: Option<String>,
    /// YYYY-MM-DD (default: produced_on + the item's shelf life).
    #[serde(default)]
    pub expires_on: Option<String>,
}

/// A new document (`POST /supplies/documents`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSupplyDoc)]
pub struct NewDoc {
    pub kind: DocKind,
    #[serde(default)]
    pub reason: String,
    pub warehouse_id: i64,
    /// A transfer's destination.
    #[serde(default)]
    pub to_warehouse_id: Option<i64>,
    #[serde(default)]
    pub note: String,
    pub lines: Vec<LineInput>,
}

fn day(name: &str, v: &Option<String>) -> Result<Option<Date>, FieldError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => crate::clock::parse_date(s)
            .map(Some)
            .ok_or_else(|| FieldError::new(name, "日期应为 YYYY-MM-DD").code("not_a_date")),
    }
}

pub fn date_text(d: Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// A new batch's days checked (`at` names the field): both read as
/// YYYY-MM-DD, the expiry not before production, and without an expiry the
/// production day plus the item's shelf life.
pub fn batch_days(
    at: impl Fn(&str) -> String,
    produced_on: &Option<String>,
    expires_on: &Option<String>,
    shelf_life_days: Option<i64>,
    errors: &mut Vec<FieldError>,
) -> (Option<String>, Option<String>) {
    let produced = day(&at("produced_on"), produced_on)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let mut expires = day(&at("expires_on"), expires_on)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if let (Some(p), Some(e)) = (produced, expires) {
        if e < p {
            errors.push(
                FieldError::new(at("expires_on"), "有效期不能早于生产日期")
                    .code("expires_before_produced"),
            );
        }
    }
    if expires.is_none() {
        if let (Some(p), Some(days)) = (produced, shelf_life_days) {
            expires = p.checked_add(Duration::days(days));
        }
    }
    (produced.map(date_text), expires.map(date_text))
}

/// What the rules need to know of an item to check a line.
#[derive(Debug, Clone, Copy)]
pub struct ItemFacts {
    pub shelf_life_days: Option<i64>,
}

/// Check a new document's fields and lines (`items` gives the facts of the
/// items it names; an unknown item is a field error). Every wrong field is
/// named (`lines[2].qty`). Reversals are not drafted from input.
pub fn check_doc(
    b: &NewDoc,
    items: &BTreeMap<i64, ItemFacts>,
) -> Result<(String, String, Vec<LineInput>), Vec<FieldError>> {
    let mut errors = Vec::new();
    if b.kind == DocKind::Reversal {
        errors.push(
            FieldError::new("kind", "冲销单由“冲销”操作生成，不能直接填写")
                .code("reversal_by_reverse")
                .param("allowed", "receipt, issue, transfer, count, writeoff"),
        );
        return Err(errors);
    }
    let reasons = b.kind.reasons();
    let reason = if b.reason.trim().is_empty() {
        reasons[0].to_string()
    } else {
        b.reason.trim().to_string()
    };
    if !reasons.contains(&reason.as_str()) {
        errors.push(
            FieldError::new("reason", format!("取值应为 {} 之一", reasons.join("、")))
                .code("not_allowed")
                .param("allowed", reasons.join(", ")),
        );
    }
    match (b.kind, b.to_warehouse_id) {
        (DocKind::Transfer, None) => {
            errors.push(FieldError::new("to_warehouse_id", "调拨须选择调入仓库").code("required"))
        }
        (DocKind::Transfer, Some(to)) if to == b.warehouse_id => errors.push(
            FieldError::new("to_warehouse_id", "调入仓库不能与调出仓库相同").code("same_warehouse"),
        ),
        (DocKind::Transfer, _) | (_, None) => {}
        (_, Some(_)) => errors
            .push(FieldError::new("to_warehouse_id", "只有调拨单有调入仓库").code("transfer_only")),
    }
    let note = text("note", &b.note, 1000, false)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if b.lines.is_empty() {
        errors.push(FieldError::new("lines", "请至少填写一行").code("required"));
    }
    if b.lines.len() > 200 {
        errors.push(
            FieldError::new("lines", "最多 200 行")
                .code("too_many")
                .param("max", 200),
        );
    }
    let mut lines = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (n, l) in b.lines.iter().enumerate() {
        let at = |f: &str| format!("lines[{n}].{f}");
        let facts = items.get(&l.item_id);
        if facts.is_none() {
            errors
                .push(FieldError::new(at("item_id"), "找不到该物资").code("supply_item_not_found"));
        }
        let min = if b.kind == DocKind::Count { 0 } else { 1 };
        if !(min..=MAX_QTY).contains(&l.qty) {
            errors.push(
                FieldError::new(at("qty"), format!("应在 {min} 到 {MAX_QTY} 之间"))
                    .code("out_of_range")
                    .param("min", min)
                    .param("max", MAX_QTY),
            );
        }
        let mut line = l.clone();
        match b.kind {
            DocKind::Receipt => {
                if l.batch_id.is_some() {
                    errors.push(
                        FieldError::new(at("batch_id"), "入库登记新批次：请填写批次号而非选择批次")
                            .code("receipt_new_batch"),
                    );
                }
                line.batch_no = text(&at("batch_no"), &l.batch_no, 50, false)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default();
                line.supplier = text(&at("supplier"), &l.supplier, 100, false)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default();
                (line.produced_on, line.expires_on) = batch_days(
                    at,
                    &l.produced_on,
                    &l.expires_on,
                    facts.and_then(|f| f.shelf_life_days),
                    &mut errors,
                );
            }
            _ => {
                if b.kind == DocKind::Count && l.batch_id.is_none() {
                    errors
                        .push(FieldError::new(at("batch_id"), "盘点须逐批次填写").code("required"));
                }
                for (name, set) in [
                    ("batch_no", !l.batch_no.trim().is_empty()),
                    ("supplier", !l.supplier.trim().is_empty()),
                    ("produced_on", l.produced_on.is_some()),
                    ("expires_on", l.expires_on.is_some()),
                ] {
                    if set {
                        errors.push(
                            FieldError::new(at(name), "只有入库单登记批次信息")
                                .code("receipt_only"),
                        );
                    }
                }
            }
        }
        if b.kind == DocKind::Count && !seen.insert((l.item_id, l.batch_id)) {
            errors.push(
                FieldError::new(at("batch_id"), "同一批次重复盘点")
                    .code("duplicate_row")
                    .param("row", n),
            );
        }
        lines.push(line);
    }
    if errors.is_empty() {
        Ok((reason, note, lines))
    } else {
        Err(errors)
    }
}

// ── the ledger ─────────────────────────────────────────────────────────

/// An account a posting moves stock to or from: a warehouse's stock, or an
/// outside account (the other side of the double entry).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Account {
    Warehouse(i64),
    Outside(&'static str),
}

impl Account {
    pub fn key(&self) -> String {
        match self {
            Account::Warehouse(w) => format!("warehouse:{w}"),
            Account::Outside(a) => (*a).to_string(),
        }
    }
    pub fn warehouse(&self) -> Option<i64> {
        match self {
            Account::Warehouse(w) => Some(*w),
            Account::Outside(_) => None,
        }
    }
    /// The outside account of a stored key (a reversal re-posts it).
    pub fn from_key(k: &str) -> Option<Account> {
        if let Some(w) = k.strip_prefix("warehouse:") {
            return w.parse().ok().map(Account::Warehouse);
        }
        OUTSIDE
            .iter()
            .find(|a| **a == k)
            .map(|a| Account::Outside(a))
    }
}

/// The outside accounts.
pub const OUTSIDE: [&str; 8] = [
    "supplier",
    "donor",
    "transfer_in",
    "relief",
    "transfer_out",
    "issued",
    "count",
    "writeoff",
];

fn outside_of(kind: DocKind, reason: &str) -> &'static str {
    match (kind, reason) {
        (DocKind::Receipt, "donation") => "donor",
        (DocKind::Receipt, "transfer_in") => "transfer_in",
        (DocKind::Receipt, _) => "supplier",
        (DocKind::Issue, "relief") => "relief",
        (DocKind::Issue, "transfer_out") => "transfer_out",
        (DocKind::Issue, _) => "issued",
        (DocKind::Count, _) => "count",
        (DocKind::Writeoff, _) | (DocKind::Transfer, _) | (DocKind::Reversal, _) => "writeoff",
    }
}

/// One posting: `delta` of an item's batch into (or, negative, out of) an
/// account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub account: Account,
    pub item_id: i64,
    pub batch_id: i64,
    pub delta: i64,
}

/// A batch held in a warehouse: its expiry and quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub batch_id: i64,
    /// YYYY-MM-DD (none: does not expire).
    pub expires_on: Option<String>,
    pub qty: i64,
}

/// First expiry, first out (先到期先出): take `need` from the batches in
/// order of expiry (batches that do not expire last; then the older batch
/// first); `None` when there is not enough.
pub fn fefo(held: &[Held], need: i64) -> Option<Vec<(i64, i64)>> {
    let mut order: Vec<&Held> = held.iter().filter(|h| h.qty > 0).collect();
    order.sort_by(|a, b| {
        (a.expires_on.is_none(), &a.expires_on, a.batch_id).cmp(&(
            b.expires_on.is_none(),
            &b.expires_on,
            b.batch_id,
        ))
    });
    let mut rest = need;
    let mut out = Vec::new();
    for h in order {
        if rest == 0 {
            break;
        }
        let take = rest.min(h.qty);
        out.push((h.batch_id, take));
        rest -= take;
    }
    (rest == 0).then_some(out)
}

/// A line resolved for posting: its batch known (a receipt's batch is
/// found or made by the store first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub item_id: i64,
    pub batch_id: Option<i64>,
    pub qty: i64,
}

/// The stock the plan reads: per (warehouse, item) the batches held.
pub type Stock = BTreeMap<(i64, i64), Vec<Held>>;

fn short(item_id: i64, warehouse: i64, need: i64, have: i64) -> RuleError {
    RuleError::State(
        Refusal::new("insufficient_stock", "库存不足，不能记账")
            .param("item_id", item_id)
            .param("warehouse_id", warehouse)
            .param("need", need)
            .param("available", have),
    )
}

/// The movements that post a document of `kind` (not a reversal) from
/// `warehouse` (to `to` for a transfer), reading `stock`: every line's two
/// sides. Refuses when a warehouse would not hold enough. Lines of the same
/// item are planned one after the other against what the earlier ones
/// left.
pub fn plan(
    kind: DocKind,
    reason: &str,
    warehouse: i64,
    to: Option<i64>,
    lines: &[PlanLine],
    stock: &Stock,
) -> Result<Vec<Movement>, RuleError> {
    let mut left = stock.clone();
    let here = Account::Warehouse(warehouse);
    let other = match (kind, to) {
        (DocKind::Transfer, Some(t)) => Account::Warehouse(t),
        _ => Account::Outside(outside_of(kind, reason)),
    };
    let mut out = Vec::new();
    let pair = |out: &mut Vec<Movement>, item_id, batch_id, delta: i64| {
        out.push(Movement {
            account: here.clone(),
            item_id,
            batch_id,
            delta,
        });
        out.push(Movement {
            account: other.clone(),
            item_id,
            batch_id,
            delta: -delta,
        });
    };
    for l in lines {
        let held = left.entry((warehouse, l.item_id)).or_default();
        let total: i64 = held.iter().map(|h| h.qty).sum();
        match kind {
            DocKind::Receipt => {
                let Some(b) = l.batch_id else {
                    return Err(RuleError::Field(
                        FieldError::new("batch_id", "入库行没有批次").code("required"),
                    ));
                };
                match held.iter_mut().find(|h| h.batch_id == b) {
                    Some(h) => h.qty += l.qty,
                    None => held.push(Held {
                        batch_id: b,
                        expires_on: None,
                        qty: l.qty,
                    }),
                }
                pair(&mut out, l.item_id, b, l.qty);
            }
            DocKind::Issue | DocKind::Transfer | DocKind::Writeoff => {
                let picks = match l.batch_id {
                    Some(b) => {
                        let have = held.iter().find(|h| h.batch_id == b).map_or(0, |h| h.qty);
                        if have < l.qty {
                            return Err(short(l.item_id, warehouse, l.qty, have));
                        }
                        vec![(b, l.qty)]
                    }
                    None => fefo(held, l.qty)
                        .ok_or_else(|| short(l.item_id, warehouse, l.qty, total))?,
                };
                for (b, q) in picks {
                    if let Some(h) = held.iter_mut().find(|h| h.batch_id == b) {
                        h.qty -= q;
                    }
                    pair(&mut out, l.item_id, b, -q);
                }
            }
            DocKind::Count => {
                let Some(b) = l.batch_id else {
                    return Err(RuleError::Field(
                        FieldError::new("batch_id", "盘点须逐批次填写").code("required"),
                    ));
                };
                let book = held.iter().find(|h| h.batch_id == b).map_or(0, |h| h.qty);
                let diff = l.qty - book;
                if diff != 0 {
                    match held.iter_mut().find(|h| h.batch_id == b) {
                        Some(h) => h.qty = l.qty,
                        None => held.push(Held {
                            batch_id: b,
                            expires_on: None,
                            qty: l.qty,
                        }),
                    }
                    pair(&mut out, l.item_id, b, diff);
                }
            }
            DocKind::Reversal => {
                return Err(RuleError::State(Refusal::new(
                    "reverse_posted_only",
                    "冲销单由原单据的记账分录生成",
                )))
            }
        }
    }
    Ok(out)
}

/// The movements of a reversal: the original's postings, negated.
pub fn reverse(original: &[Movement]) -> Vec<Movement> {
    original
        .iter()
        .map(|m| Movement {
            delta: -m.delta,
            ..m.clone()
        })
        .collect()
}

/// Whether movements leave every warehouse balance at zero or more, given
/// the balances before (`(warehouse, item, batch) → qty`); the first that
/// would go below zero.
pub fn first_negative(
    before: &BTreeMap<(i64, i64, i64), i64>,
    moves: &[Movement],
) -> Option<(i64, i64, i64, i64)> {
    let mut after = BTreeMap::new();
    for m in moves {
        if let Some(w) = m.account.warehouse() {
            let k = (w, m.item_id, m.batch_id);
            let v = after
                .entry(k)
                .or_insert_with(|| before.get(&k).copied().unwrap_or(0));
            *v += m.delta;
        }
    }
    after
        .into_iter()
        .find(|(_, v)| *v < 0)
        .map(|((w, i, b), v)| (w, i, b, v))
}

/// Each document's postings of an item and batch sum to zero over its
/// accounts (double entry): the (item, batch) pairs that do not.
pub fn unbalanced(moves: &[Movement]) -> Vec<(i64, i64, i64)> {
    let mut sum: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for m in moves {
        *sum.entry((m.item_id, m.batch_id)).or_default() += m.delta;
    }
    sum.into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|((i, b), v)| (i, b, v))
        .collect()
}

/// The in-memory ledger: the same rules the store applies, for the
/// property test and as the model the store must agree with.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// (warehouse, item, batch) → qty, kept with each posting.
    pub balances: BTreeMap<(i64, i64, i64), i64>,
    /// The expiry of each batch.
    pub expiry: BTreeMap<i64, Option<String>>,
    /// Every document's movements, in posting order.
    pub journal: Vec<Vec<Movement>>,
}

impl Ledger {
    fn stock(&self) -> Stock {
        let mut s: Stock = BTreeMap::new();
        for ((w, i, b), q) in &self.balances {
            s.entry((*w, *i)).or_default().push(Held {
                batch_id: *b,
                expires_on: self.expiry.get(b).cloned().flatten(),
                qty: *q,
            });
        }
        s
    }

    /// Post a document; refused (nothing changes) when the stock would go
    /// below zero. Returns the document's index for a later reversal.
    pub fn post(
        &mut self,
        kind: DocKind,
        reason: &str,
        warehouse: i64,
        to: Option<i64>,
        lines: &[PlanLine],
    ) -> Result<usize, RuleError> {
        let moves = plan(kind, reason, warehouse, to, lines, &self.stock())?;
        self.apply(moves)
    }

    /// Post the reversal of document `n`.
    pub fn reverse(&mut self, n: usize) -> Result<usize, RuleError> {
        let Some(orig) = self.journal.get(n) else {
            return Err(RuleError::State(Refusal::new(
                "reverse_posted_only",
                "只有已记账的单据可以冲销",
            )));
        };
        let moves = reverse(orig);
        self.apply(moves)
    }

    fn apply(&mut self, moves: Vec<Movement>) -> Result<usize, RuleError> {
        if let Some((w, i, _, v)) = first_negative(&self.balances, &moves) {
            return Err(short(i, w, -v, 0));
        }
        for m in &moves {
            if let Some(w) = m.account.warehouse() {
                *self.balances.entry((w, m.item_id, m.batch_id)).or_default() += m.delta;
            }
        }
        self.journal.push(moves);
        Ok(self.journal.len() - 1)
    }

    /// The balances re-derived from the postings.
    pub fn derived(&self) -> BTreeMap<(i64, i64, i64), i64> {
        let mut out = BTreeMap::new();
        for m in self.journal.iter().flatten() {
            if let Some(w) = m.account.warehouse() {
                *out.entry((w, m.item_id, m.batch_id)).or_default() += m.delta;
            }
        }
        out
    }
}

/// Compare stored balances with the ones derived from the postings
/// (missing rows count as zero): the keys that differ, with (stored,
/// derived).
pub fn compare(
    stored: &BTreeMap<(i64, i64, i64), i64>,
    derived: &BTreeMap<(i64, i64, i64), i64>,
) -> Vec<((i64, i64, i64), i64, i64)> {
    let mut keys: std::collections::BTreeSet<_> = stored.keys().collect();
    keys.extend(derived.keys());
    keys.into_iter()
        .filter_map(|k| {
            let s = stored.get(k).copied().unwrap_or(0);
            let d = derived.get(k).copied().unwrap_or(0);
            (s != d).then_some((*k, s, d))
        })
        .collect()
}

// ── alerts ─────────────────────────────────────────────────────────────

/// The default window of the near-expiry alert (days).
pub const NEAR_EXPIRY_DAYS: i64 = 30;

/// How a batch stands against its expiry on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupplyExpiry)]
pub enum Expiry {
    /// Past its expiry day (过期).
    Expired,
    /// Expires within the window (临期).
    Near,
    Ok,
}

/// A batch that expires on `expires_on` is expired from the day after, and
/// near expiry from `days` days before.
pub fn expiry(expires_on: Option<&str>, today: Date, days: i64) -> Expiry {
    match expires_on.and_then(crate::clock::parse_date) {
        None => Expiry::Ok,
        Some(e) if e < today => Expiry::Expired,
        Some(e) if e <= today + Duration::days(days) => Expiry::Near,
        Some(_) => Expiry::Ok,
    }
}

/// Below the minimum stock set for a warehouse and item (最低库存).
pub fn below_minimum(qty: i64, min: i64) -> bool {
    qty < min
}

#[cfg(test)]
mod tests;
