//! HTTP routes of the stock card: `GET /supplies/card` (JSON) and
//! `GET /supplies/card/export` (XLSX). Read in the user's own jurisdiction
//! only: another county's warehouse does not exist for the card (its stock
//! is visible city-wide as available by request, its movements are not).

use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, CardKey};
use super::{card, period, CardLine, Totals};
use crate::auth::{authorize, Action, Principal};
use crate::clock::CST;
use crate::db::UtcText;
use crate::error::FieldError;
use crate::http::{ApiError, Query};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_card))
        .routes(routes!(export_card))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CardParams {
    pub warehouse_id: i64,
    pub item_id: i64,
    /// One batch only (default: every batch of the item).
    pub batch_id: Option<i64>,
    /// First day (YYYY-MM-DD, Beijing time; default the first of this month).
    pub from: Option<String>,
    /// Last day, included (default today).
    pub to: Option<String>,
}

/// The stock card (物资台账卡) of a warehouse and item for a period.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyCard)]
pub struct CardView {
    pub warehouse_id: i64,
    pub warehouse_name: String,
    pub item_id: i64,
    pub item_code: String,
    pub item_name: String,
    pub unit: String,
    pub batch_id: Option<i64>,
    pub batch_no: String,
    /// The period's first and last day (YYYY-MM-DD).
    pub from: String,
    pub to: String,
    pub totals: Totals,
    pub lines: Vec<CardLine>,
}

async fn read(s: &AppState, p: &Principal, q: &CardParams) -> Result<CardView, ApiError> {
    let scope = authorize(p, Action::Read, super::super::api::MODULE)?;
    let w = crate::registry::store::get(&s.db, &s.tree(), "warehouse", q.warehouse_id)
        .await?
        .filter(|w| scope.covers(&w.division, ""))
        .ok_or(ApiError::NotFound)?;
    let (from, to) = period(
        q.from.as_deref(),
        q.to.as_deref(),
        super::super::api::today(),
    )
    .map_err(ApiError::Validation)?;
    let items = super::super::store::items(&s.db).await?;
    let item = items.iter().find(|i| i.id == q.item_id).ok_or_else(|| {
        ApiError::from(FieldError::new("item_id", "找不到该物资").code("supply_item_not_found"))
    })?;
    let batch_no = match q.batch_id {
        None => String::new(),
        Some(b) => super::super::store::batch(&s.db, b)
            .await?
            .filter(|x| x.item_id == item.id)
            .map(|x| x.batch_no)
            .ok_or_else(|| {
                ApiError::from(
                    FieldError::new("batch_id", "找不到该物资的这个批次").code("batch_not_found"),
                )
            })?,
    };
    let key = CardKey {
        warehouse_id: w.id,
        item_id: item.id,
        batch_id: q.batch_id,
    };
    let (opening, postings) = store::card(&s.db, &key, UtcText(from), UtcText(to)).await?;
    if postings.len() as i64 > store::MAX_LINES {
        return Err(FieldError::new("from", "期间内的记账分录过多，请缩短期间")
            .code("too_many")
            .param("max", store::MAX_LINES)
            .into());
    }
    let (lines, totals) = card(opening, &postings);
    let last = (to - time::Duration::days(1)).to_offset(CST).date();
    Ok(CardView {
        warehouse_id: w.id,
        warehouse_name: w.name,
        item_id: item.id,
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        unit: item.unit.clone(),
        batch_id: q.batch_id,
        batch_no,
        from: from.to_offset(CST).date().to_string(),
        to: last.to_string(),
        totals,
        lines,
    })
}

#[utoipa::path(get, path = "/api/v1/supplies/card", tag = "supplies", params(CardParams),
    responses((status = 200, body = CardView, description = "The stock card: opening balance, every posting with the running balance, closing balance"),
        (status = 404, description = "No such warehouse in the user's jurisdiction"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn get_card(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<CardParams>,
) -> Result<axum::Json<CardView>, ApiError> {
    Ok(axum::Json(read(&s, &p, &q).await?))
}

/// The card as an XLSX sheet: 期初结存, one row per posting, 本期合计.
pub fn card_xlsx(c: &CardView) -> Result<Vec<u8>, String> {
    use crate::sheet::Cell;
    let head = ["记账时间", "单据号", "摘要", "批次", "收入", "发出", "结存"];
    let title = format!(
        "{} {} {}（{}）{} 至 {}",
        c.warehouse_name, c.item_code, c.item_name, c.unit, c.from, c.to
    );
    let mut rows: Vec<Vec<Cell>> = vec![vec![
        "".into(),
        "".into(),
        format!("期初结存 {title}").into(),
        c.batch_no.as_str().into(),
        "".into(),
        "".into(),
        c.totals.opening.into(),
    ]];
    for l in &c.lines {
        rows.push(vec![
            crate::clock::format_local(l.posted_at.0).into(),
            l.doc_number.as_str().into(),
            format!("{} {}", l.doc_kind.label_zh(), l.note)
                .trim()
                .to_string()
                .into(),
            l.batch_no.as_str().into(),
            l.received.into(),
            l.issued.into(),
            l.balance.into(),
        ]);
    }
    rows.push(vec![
        "".into(),
        "".into(),
        "本期合计 / 期末结存".into(),
        "".into(),
        c.totals.received.into(),
        c.totals.issued.into(),
        c.totals.closing.into(),
    ]);
    crate::sheet::write_xlsx_table("台账卡", &head, &rows)
}

#[utoipa::path(get, path = "/api/v1/supplies/card/export", tag = "supplies", params(CardParams),
    responses((status = 200, description = "The stock card as an XLSX file (物资台账卡)"),
        (status = 404, description = "No such warehouse in the user's jurisdiction")))]
pub async fn export_card(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<CardParams>,
) -> Result<Response, ApiError> {
    let c = read(&s, &p, &q).await?;
    let bytes = card_xlsx(&c).map_err(ApiError::Internal)?;
    Ok(crate::sheet::xlsx_response(
        bytes,
        "stock-card.xlsx",
        &format!("物资台账卡-{}-{}.xlsx", c.warehouse_name, c.item_name),
    ))
}
