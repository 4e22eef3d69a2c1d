//! `POST /supplies/documents/import`: a stock-count file (CSV or XLSX)
//! drafts one 盘点单 per warehouse, all in one change or none. The upload
//! and the file's rows go through the registry import's machinery
//! (`registry::api::upload`, `registry::io::read_table`, its `Problems`).

use std::collections::{BTreeSet, HashMap};
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use super::{read, CountBatch, Facts, ItemFact, KnownBatch, Warehouse};
use crate::auth::{authorize, Action, Principal};
use crate::db::UtcText;
use crate::http::ApiError;
use crate::journal::NewEntry;
use crate::registry::api::Problems;
use crate::state::AppState;
use crate::supplies::api::{views, DocView, MODULE};
use crate::supplies::store::{self, NewBatch};
use crate::supplies::{Doc, DocKind, Line};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_count))
}

/// The 盘点单 an import drafted.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SupplyCountImport)]
pub struct CountImport {
    /// Data rows read.
    pub rows: usize,
    pub documents: Vec<DocView>,
}

#[utoipa::path(post, path = "/api/v1/supplies/documents/import", tag = "supplies",
    request_body(content_type = "multipart/form-data", description = "field `file`: CSV (UTF-8 or GBK) or XLSX with 仓库, 物资代码, 批次, 数量 (供货单位, 生产日期, 有效期至 for a new batch) — the stock export reads back"),
    responses((status = 201, body = CountImport, description = "One 盘点单 drafted per warehouse (approve and post them to book the differences)"),
        (status = 422, body = crate::http::error::Problem, description = "Nothing drafted: every wrong cell with its row and column"),
        (status = 413, body = crate::http::error::Problem)))]
pub async fn import_count(
    State(s): State<AppState>,
    p: Principal,
    mut mp: Multipart,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let (name, bytes) = crate::registry::api::upload(&mut mp, s.config.max_import_mb).await?;
    let (limits, file_name, file) = (s.config.xlsx, name.clone(), bytes.clone());
    let table = tokio::task::spawn_blocking(move || {
        crate::registry::io::read_table(&file_name, &file, &limits)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("count import: {e}")))?
    .map_err(|e| ApiError::Validation(vec![e]))?;

    // What the rules read: the user's warehouses, the catalogue, the
    // batches of the items the file names, what the warehouses hold.
    let warehouses: Vec<(i64, String, String)> = store::warehouses(&s.db, &scope.prefix)
        .await?
        .into_iter()
        .filter(|(_, _, d)| scope.covers(d, ""))
        .collect();
    let division: HashMap<i64, String> = warehouses
        .iter()
        .map(|(id, _, d)| (*id, d.clone()))
        .collect();
    let ws: Vec<Warehouse> = warehouses
        .iter()
        .map(|(id, n, _)| Warehouse {
            id: *id,
            name: n.clone(),
        })
        .collect();
    let items: HashMap<String, ItemFact> = store::items(&s.db)
        .await?
        .into_iter()
        .map(|i| {
            (
                i.code,
                ItemFact {
                    id: i.id,
                    shelf_life_days: i.shelf_life_days,
                },
            )
        })
        .collect();
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let named: BTreeSet<i64> = super::item_codes(&header, &table.rows)
        .iter()
        .filter_map(|c| items.get(c).map(|i| i.id))
        .collect();
    let named: Vec<i64> = named.into_iter().collect();
    let batches: HashMap<(i64, String), KnownBatch> = store::batches_of(&s.db, &named)
        .await?
        .into_iter()
        .map(|b| {
            (
                (b.item_id, b.batch_no),
                KnownBatch {
                    id: b.id,
                    expires_on: b.expires_on,
                },
            )
        })
        .collect();
    let ids: Vec<i64> = ws.iter().map(|w| w.id).collect();
    let mut held: HashMap<(i64, i64), Vec<i64>> = HashMap::new();
    for (w, i, b) in store::held(&s.db, &ids).await? {
        held.entry((w, i)).or_default().push(b);
    }
    let counted = read(
        &header,
        &table.rows,
        &Facts {
            warehouses: &ws,
            items: &items,
            batches: &batches,
            held: &held,
            today: crate::supplies::api::today(),
        },
    )
    .map_err(|es| {
        let mut problems = Problems::default();
        for e in es {
            problems.push(e);
        }
        problems.into_error()
    })?;

    // One change: the new batches, one 盘点单 per warehouse, their entries.
    let now = OffsetDateTime::now_utc();
    let t = UtcText(now);
    let mut tx = s.change().await?;
    let mut made: HashMap<(i64, String), i64> = HashMap::new();
    let mut docs = Vec::new();
    let mut entries = Vec::new();
    for (w, lines) in &counted {
        let mut rows = Vec::with_capacity(lines.len());
        for (n, l) in lines.iter().enumerate() {
            let batch_id = match &l.batch {
                CountBatch::Existing(b) => *b,
                CountBatch::New {
                    batch_no,
                    supplier,
                    produced_on,
                    expires_on,
                } => match made.get(&(l.item_id, batch_no.clone())) {
                    Some(b) => *b,
                    None => {
                        let b = store::insert_batch(
                            &mut tx,
                            &NewBatch {
                                item_id: l.item_id,
                                batch_no: batch_no.clone(),
                                supplier: supplier.clone(),
                                produced_on: produced_on.clone(),
                                expires_on: expires_on.clone(),
                            },
                            t,
                        )
                        .await?;
                        made.insert((l.item_id, batch_no.clone()), b);
                        b
                    }
                },
            };
            rows.push(Line::of(n as i64 + 1, l.item_id, Some(batch_id), l.qty));
        }
        let division = division.get(w).cloned().unwrap_or_default();
        let mut d = Doc::draft(
            DocKind::Count,
            "",
            (*w, &division),
            format!("盘点导入 {name}"),
            &p.username,
            t,
        );
        d.id = store::insert_doc(&mut tx, &d, &rows).await?;
        entries.push(NewEntry::new(
            &p.username,
            MODULE,
            &d.division,
            "document",
            d.id,
            "drafted",
            json!({
                "kind": d.kind, "warehouse_id": d.warehouse_id, "source": format!("import:{name}"),
                "lines": rows.iter().zip(lines).map(|(r, l)| json!({ "row": l.row, "item_id": r.item_id, "batch_id": r.batch_id, "qty": r.qty })).collect::<Vec<_>>(),
            }),
        ));
        docs.push(d);
    }
    tx.commit(now, entries).await?;
    let documents = views(&s, &p, docs, true).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CountImport {
            rows: table.rows.len(),
            documents,
        }),
    )
        .into_response())
}
