//! HTTP routes of distribution lists: draft a list (and its 出库单) in one
//! change, read it, record each household's signature once the document is
//! posted, export the 签收表 as XLSX. The document's steps (approve, post,
//! delete, reverse) are the ledger's own (`/supplies/documents/{id}/…`).
//! Jurisdiction: the warehouse's, as for its document; another county's
//! list does not exist for the reader. Names are masked without the right
//! to read shelters' personal data (the same households).

use std::collections::{BTreeMap, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use super::{check, check_sign, store, Distribution, NewDistribution, Qty, Recipient, Registered};
use crate::auth::{authorize, Action, Principal};
use crate::db::{DbError, UtcText};
use crate::error::FieldError;
use crate::http::{ApiError, Json};
use crate::journal::{NewEntry, PERSONAL_KEY};
use crate::state::AppState;
use crate::supplies::api::{load, views, warehouse, DocView, MODULE};
use crate::supplies::{Doc, DocKind, DocState, Item, Line};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_distribution))
        .routes(routes!(get_distribution))
        .routes(routes!(sign_household))
        .routes(routes!(export_distribution))
}

/// An item of a list with its total.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyDistributionItem)]
pub struct ItemTotal {
    pub item_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub total: i64,
}

/// A household on a list with what it receives.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyRecipientView)]
pub struct RecipientView {
    #[serde(flatten)]
    pub recipient: Recipient,
    pub items: Vec<Qty>,
}

/// A distribution list with its document.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyDistributionDetail)]
pub struct DistributionDetail {
    #[serde(flatten)]
    pub distribution: Distribution,
    pub doc: DocView,
    pub items: Vec<ItemTotal>,
    pub households: Vec<RecipientView>,
    /// Households that signed.
    pub signed: i64,
    /// The user may record signatures (the document is theirs and posted).
    pub can_sign: bool,
}

async fn detail(s: &AppState, p: &Principal, d: Doc) -> Result<DistributionDetail, ApiError> {
    let dist = store::get(&s.db, d.id).await?.ok_or(ApiError::NotFound)?;
    let mut recipients = store::recipients(&s.db, d.id).await?;
    let mut quantities: HashMap<i64, Vec<Qty>> = HashMap::new();
    let mut totals: BTreeMap<i64, i64> = BTreeMap::new();
    for (row, item_id, qty) in store::quantities(&s.db, d.id).await? {
        quantities
            .entry(row)
            .or_default()
            .push(Qty { item_id, qty });
        *totals.entry(item_id).or_default() += qty;
    }
    let clear = authorize(p, Action::ReadPersonal, "shelters").ok();
    for r in &mut recipients {
        crate::shelters::api::mask_unless(clear.as_ref(), &dist.division, [&mut r.head_name]);
    }
    let catalogue: HashMap<i64, Item> = crate::supplies::store::items(&s.db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let writes = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&d.division, ""));
    let posted = d.state == DocState::Posted;
    let doc = views(s, p, vec![d], writes)
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    Ok(DistributionDetail {
        items: totals
            .into_iter()
            .map(|(item_id, total)| {
                let i = catalogue.get(&item_id);
                ItemTotal {
                    item_id,
                    code: i.map(|i| i.code.clone()).unwrap_or_default(),
                    name: i.map(|i| i.name.clone()).unwrap_or_default(),
                    unit: i.map(|i| i.unit.clone()).unwrap_or_default(),
                    total,
                }
            })
            .collect(),
        signed: recipients.iter().filter(|r| r.signed_at.is_some()).count() as i64,
        households: recipients
            .into_iter()
            .map(|r| RecipientView {
                items: quantities.remove(&r.id).unwrap_or_default(),
                recipient: r,
            })
            .collect(),
        can_sign: writes && posted,
        distribution: dist,
        doc,
    })
}

/// The list of document `id` if the user may `action` it.
async fn load_list(s: &AppState, p: &Principal, id: i64, action: Action) -> Result<Doc, ApiError> {
    let d = load(s, p, id, action).await?;
    store::get(&s.db, id).await?.ok_or(ApiError::NotFound)?;
    Ok(d)
}

fn not_found(field: &str, code: &'static str) -> FieldError {
    FieldError::new(field, "找不到该记录或不在您的管辖范围内").code(code)
}

#[utoipa::path(post, path = "/api/v1/supplies/distributions", tag = "supplies", request_body = NewDistribution,
    responses((status = 201, body = DistributionDetail, description = "The list and its 出库单 drafted (approve and post the document to issue the stock)"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn create_distribution(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewDistribution>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let mut errors = Vec::new();
    let w = match warehouse(&s, &scope, b.warehouse_id, "warehouse_id").await {
        Ok(w) => Some(w),
        Err(ApiError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    // The shelter's open households, when the list is for a shelter.
    let mut registered = Registered::new();
    let mut opening = None;
    if let Some(id) = b.shelter_id {
        let shelter = crate::registry::store::get(&s.db, &s.tree(), "shelter", id)
            .await?
            .filter(|x| scope.covers(&x.division, ""));
        match shelter {
            None => errors.push(not_found("shelter_id", "shelter_not_found")),
            Some(_) => match crate::shelters::store::open_of(&s.db, id).await? {
                None => errors.push(
                    FieldError::new("shelter_id", "该避难场所未启用").code("shelter_not_open"),
                ),
                Some(o) => {
                    for h in crate::shelters::store::households(&s.db, o.id).await? {
                        if h.checked_out_at.is_none() {
                            registered.insert(h.id, (h.head_name, h.id_last4, h.members));
                        }
                    }
                    opening = Some(o);
                }
            },
        }
    }
    let incident_id = match b.incident_id {
        Some(id) => {
            let read = authorize(&p, Action::Read, "incidents").ok();
            let found = crate::incidents::store::get_incident(&s.db, id)
                .await
                .ok()
                .flatten()
                .filter(|i| read.as_ref().is_some_and(|r| r.covers(&i.division, "")));
            if found.is_none() {
                errors.push(not_found("incident_id", "incident_not_found"));
            }
            Some(id)
        }
        None => opening.as_ref().and_then(|o| o.incident_id),
    };
    let catalogue = crate::supplies::store::items(&s.db).await?;
    let known = |id: i64| catalogue.iter().any(|i| i.id == id);
    let checked = check(&b, &known, &registered);
    if let Err(e) = &checked {
        errors.extend(e.iter().cloned());
    }
    let (Some(w), Ok((households, totals)), true) = (w, checked, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let now = OffsetDateTime::now_utc();
    let t = UtcText(now);
    let place = b.place.trim().to_string();
    let mut d = Doc::draft(
        DocKind::Issue,
        "relief",
        (w.id, &w.division),
        format!("发放 {place} {}", b.note.trim()).trim().to_string(),
        &p.username,
        t,
    );
    let lines: Vec<Line> = totals
        .iter()
        .enumerate()
        .map(|(n, (item_id, qty))| Line::of(n as i64 + 1, *item_id, None, *qty))
        .collect();
    let mut tx = s.change().await?;
    d.id = crate::supplies::store::insert_doc(&mut tx, &d, &lines).await?;
    let dist = Distribution {
        doc_id: d.id,
        division: d.division.clone(),
        incident_id,
        opening_id: opening.as_ref().map(|o| o.id),
        place,
    };
    store::insert(&mut tx, &dist, &households).await?;
    let mut payload = json!({
        "kind": d.kind, "reason": d.reason, "warehouse_id": d.warehouse_id,
        "lines": lines.iter().map(|l| json!({ "item_id": l.item_id, "qty": l.qty })).collect::<Vec<_>>(),
        "distribution": { "incident_id": dist.incident_id, "opening_id": dist.opening_id, "place": dist.place,
            "households": households.iter().enumerate().map(|(n, h)| json!({ "row": n + 1, "household_id": h.household_id, "members": h.members, "items": h.items })).collect::<Vec<_>>() },
    });
    payload[PERSONAL_KEY] = json!({
        "households": households.iter().enumerate().map(|(n, h)| json!({ "row": n + 1, "head_name": h.head_name, "id_last4": h.id_last4 })).collect::<Vec<_>>(),
    });
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &d.division,
            "document",
            d.id,
            "drafted",
            payload,
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(detail(&s, &p, d).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/supplies/distributions/{id}", tag = "supplies",
    responses((status = 200, body = DistributionDetail, description = "A distribution list (id: its 出库单) with the households, what each receives and who signed")))]
pub async fn get_distribution(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<DistributionDetail>, ApiError> {
    let d = load_list(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(detail(&s, &p, d).await?))
}

/// A household's signature: its row (`SupplyRecipient.id`) at the version read.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupplySignBody)]
pub struct SignBody {
    pub household: i64,
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/supplies/distributions/{id}/sign", tag = "supplies", request_body = SignBody,
    responses((status = 200, body = DistributionDetail, description = "Signed (签收)"),
        (status = 409, body = crate::http::error::Problem, description = "Not posted yet, already signed, or a stale version")))]
pub async fn sign_household(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<SignBody>,
) -> Result<axum::Json<DistributionDetail>, ApiError> {
    let d = load_list(&s, &p, id, Action::Write).await?;
    let r = store::recipients(&s.db, id)
        .await?
        .into_iter()
        .find(|r| r.id == b.household)
        .ok_or_else(|| ApiError::from(not_found("household", "household_not_found")))?;
    check_sign(d.state, &r)?;
    if r.version != b.version {
        return Err(DbError::Stale.into());
    }
    let now = OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    if !store::sign(&mut tx, r.id, b.version, &p.username, UtcText(now)).await? {
        return Err(DbError::Stale.into());
    }
    tx.commit(
        now,
        vec![NewEntry::new(
            &p.username,
            MODULE,
            &d.division,
            "document",
            d.id,
            "signed",
            json!({ "household": r.id, "row": r.row_no }),
        )],
    )
    .await?;
    Ok(axum::Json(detail(&s, &p, d).await?))
}

/// The 签收表: one row per household, a column per item, the signature.
pub fn list_xlsx(c: &DistributionDetail) -> Result<Vec<u8>, String> {
    use crate::sheet::Cell;
    let mut head: Vec<String> = ["序号", "户主姓名", "身份证号后四位", "人数"]
        .map(String::from)
        .to_vec();
    head.extend(c.items.iter().map(|i| format!("{}（{}）", i.name, i.unit)));
    head.extend(["签收时间", "签字"].map(String::from));
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let rows: Vec<Vec<Cell>> = c
        .households
        .iter()
        .map(|h| {
            let mut row: Vec<Cell> = vec![
                h.recipient.row_no.into(),
                h.recipient.head_name.as_str().into(),
                h.recipient.id_last4.as_str().into(),
                h.recipient.members.into(),
            ];
            for i in &c.items {
                let q = h.items.iter().find(|q| q.item_id == i.item_id);
                row.push(q.map_or(Cell::from(""), |q| q.qty.into()));
            }
            row.push(
                h.recipient
                    .signed_at
                    .map(|t| crate::clock::format_local(t.0))
                    .unwrap_or_default()
                    .into(),
            );
            row.push("".into());
            row
        })
        .collect();
    crate::sheet::write_xlsx_table("签收表", &head, &rows)
}

#[utoipa::path(get, path = "/api/v1/supplies/distributions/{id}/export", tag = "supplies",
    responses((status = 200, description = "The signed list as an XLSX file (发放签收表) to print")))]
pub async fn export_distribution(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = load_list(&s, &p, id, Action::Read).await?;
    let c = detail(&s, &p, d).await?;
    let bytes = list_xlsx(&c).map_err(ApiError::Internal)?;
    Ok(crate::sheet::xlsx_response(
        bytes,
        "distribution.xlsx",
        &format!("发放签收表-{}.xlsx", c.doc.number),
    ))
}
