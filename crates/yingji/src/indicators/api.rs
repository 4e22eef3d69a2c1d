//! The indicator dashboard's data and the statistics import.

use std::collections::BTreeMap;

use axum::extract::{Multipart, State};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::rules::{self, Verdict};
use super::store::{self, Sources};
use crate::auth::{authorize, Action, Principal};
use crate::divisions::Code;
use crate::http::{ApiError, AppState, FieldError, Query};
use crate::journal::{self, NewEntry};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(indicators))
        .route("/statistics", get(statistics))
        .route("/statistics/import", post(import_statistics))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct IndicatorParams {
    /// Division code (default: the user's jurisdiction).
    pub division: Option<String>,
    /// Last year shown (default: this year).
    pub year: Option<i32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Point {
    pub year: i32,
    pub value: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Series {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub unit: String,
    pub target: Option<f64>,
    pub target_text: String,
    pub points: Vec<Point>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub division: String,
    pub division_name: String,
    pub years: Vec<i32>,
    pub series: Vec<Series>,
    pub sources: BTreeMap<i32, Sources>,
}

fn resolve_division(p: &Principal, d: &Option<String>) -> Result<Code, ApiError> {
    let code = match d.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Code::parse(s).map_err(|e| ApiError::field("division", e.to_string()))?,
        None => p.division.clone(),
    };
    if !code.is_within(&p.division) {
        return Err(ApiError::Forbidden);
    }
    Ok(code)
}

#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorParams), responses((status = 200, body = Dashboard)))]
async fn indicators(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<IndicatorParams>,
) -> Result<axum::Json<Dashboard>, ApiError> {
    authorize(&p, Action::Read, "indicators")?;
    let code = resolve_division(&p, &q.division)?;
    let this_year = time::OffsetDateTime::now_utc()
        .to_offset(crate::reports::deadlines::CST)
        .year();
    let year = q.year.unwrap_or(this_year);
    if !(rules::BASE_YEAR..=2100).contains(&year) {
        return Err(ApiError::field(
            "year",
            format!("应在 {} 到 2100 之间", rules::BASE_YEAR),
        ));
    }
    let (facts, sources) =
        store::facts(&s.db, code.as_str(), code.prefix(), rules::BASE_YEAR..=year).await?;
    let years: Vec<i32> = (rules::BASE_YEAR..=year).collect();
    let per_year: Vec<Vec<rules::Value>> =
        years.iter().map(|y| rules::compute(&facts, *y)).collect();
    let series = (0..6)
        .map(|i| {
            let first = &per_year[0][i];
            Series {
                key: first.key.into(),
                label_zh: first.label_zh.into(),
                label_en: first.label_en.into(),
                unit: first.unit.into(),
                target: per_year.last().and_then(|v| v[i].target),
                target_text: first.target_text.into(),
                points: per_year
                    .iter()
                    .map(|v| Point {
                        year: v[i].year,
                        value: v[i].value,
                        verdict: v[i].verdict,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(axum::Json(Dashboard {
        division_name: s.tree().name(code.as_str()),
        division: code.to_string(),
        years,
        series,
        sources,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatisticsParams {
    pub division: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatRow {
    pub year: i64,
    pub gdp_yi: Option<f64>,
    pub population: Option<f64>,
    pub raw_coal_wt: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/statistics", tag = "indicators", params(StatisticsParams), responses((status = 200, body = [StatRow])))]
async fn statistics(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<StatisticsParams>,
) -> Result<axum::Json<Vec<StatRow>>, ApiError> {
    authorize(&p, Action::Read, "indicators")?;
    let code = resolve_division(&p, &q.division)?;
    let rows = crate::reports::store::statistics(&s.db, code.as_str()).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|(year, gdp_yi, population, raw_coal_wt)| StatRow {
                year,
                gdp_yi,
                population,
                raw_coal_wt,
            })
            .collect(),
    ))
}

/// Columns of the statistics table: (key, Chinese header, English header).
const COLUMNS: [(&str, &str, &str); 5] = [
    ("division", "行政区划", "Division"),
    ("year", "年份", "Year"),
    ("gdp_yi", "地区生产总值(亿元)", "GDP (100 million yuan)"),
    ("population", "常住人口", "Population"),
    ("raw_coal_wt", "原煤产量(万吨)", "Raw coal (10,000 t)"),
];

#[derive(Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub imported: usize,
}

#[utoipa::path(post, path = "/api/v1/statistics/import", tag = "indicators",
    request_body(content_type = "multipart/form-data", description = "field `file`: CSV (UTF-8/GBK) or XLSX with 行政区划, 年份, 地区生产总值(亿元), 常住人口, 原煤产量(万吨)"),
    responses((status = 200, body = Imported), (status = 422, body = crate::http::error::Problem)))]
async fn import_statistics(
    State(s): State<AppState>,
    p: Principal,
    mut mp: Multipart,
) -> Result<axum::Json<Imported>, ApiError> {
    let scope = authorize(&p, Action::Write, "reports.statistics")?;
    let mut file = None;
    while let Some(f) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::field("file", e.body_text()))?
    {
        if f.name() == Some("file") {
            let name = f.file_name().unwrap_or("statistics.csv").to_string();
            file = Some((
                name,
                f.bytes()
                    .await
                    .map_err(|e| ApiError::field("file", e.body_text()))?,
            ));
        }
    }
    let (name, bytes) = file.ok_or_else(|| ApiError::field("file", "请选择要导入的文件"))?;
    let table = crate::registry::io::read_table(&name, &bytes)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let mut idx = [None; 5];
    let mut errors = Vec::new();
    for (i, h) in table.header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        match COLUMNS
            .iter()
            .position(|(k, zh, en)| h == *k || h == *zh || h.eq_ignore_ascii_case(en))
        {
            Some(c) => idx[c] = Some(i),
            None => errors.push(FieldError::new(h, format!("未知列“{h}”")).at_row(1)),
        }
    }
    for (c, (k, zh, _)) in COLUMNS.iter().enumerate().take(2) {
        if idx[c].is_none() {
            errors.push(FieldError::new(*k, format!("缺少必填列“{zh}”")).at_row(1));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let tree = s.tree();
    let mut rows = Vec::new();
    let mut seen = BTreeMap::new();
    for (row, cells) in &table.rows {
        let cell = |c: usize| {
            idx[c]
                .and_then(|i| cells.get(i))
                .map(|v| v.trim())
                .unwrap_or("")
        };
        let division = match tree.resolve(cell(0), &p.division) {
            Ok(c) if scope.covers(c.as_str(), "") => Some(c),
            Ok(c) => {
                errors.push(
                    FieldError::new(
                        "division",
                        format!("{}不在您的管辖范围内", tree.name(c.as_str())),
                    )
                    .at_row(*row),
                );
                None
            }
            Err(m) => {
                errors.push(FieldError::new("division", m).at_row(*row));
                None
            }
        };
        let year = match cell(1).parse::<i64>() {
            Ok(y) if (1949..=2100).contains(&y) => Some(y),
            _ => {
                errors.push(
                    FieldError::new("year", format!("“{}”不是有效年份", cell(1))).at_row(*row),
                );
                None
            }
        };
        let mut nums = [None; 3];
        for (k, c) in (2..5).enumerate() {
            let v = cell(c);
            if v.is_empty() {
                continue;
            }
            match v.replace([',', '，'], "").parse::<f64>() {
                Ok(n) if n.is_finite() && n >= 0.0 => nums[k] = Some(n),
                _ => errors.push(
                    FieldError::new(
                        COLUMNS[c].0,
                        format!("{}应为非负数，收到“{v}”", COLUMNS[c].1),
                    )
                    .at_row(*row),
                ),
            }
        }
        if let (Some(d), Some(y)) = (division, year) {
            if let Some(first) = seen.insert((d.to_string(), y), *row) {
                errors.push(FieldError::new("year", format!("与第 {first} 行重复")).at_row(*row));
            }
            rows.push((d, y, nums));
        }
    }
    if table.rows.is_empty() {
        errors.push(FieldError::new("file", "文件中没有数据行"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.db.begin().await?;
    let mut entries = Vec::new();
    for (d, y, [g, pop, coal]) in &rows {
        crate::reports::store::upsert_statistics(&mut tx, d.as_str(), *y, *g, *pop, *coal).await?;
        entries.push(NewEntry {
            actor: p.username.clone(),
            jurisdiction: d.to_string(),
            module: "indicators",
            entity: "statistics".into(),
            entity_id: format!("{d}:{y}"),
            kind: "imported",
            payload: json!({ "year": y, "gdp_yi": g, "population": pop, "raw_coal_wt": coal, "source": name }),
        });
    }
    journal::append(&mut tx, now, entries).await?;
    tx.commit().await?;
    s.feed.wake();
    Ok(axum::Json(Imported {
        imported: rows.len(),
    }))
}
