//! The indicator dashboard's data and the statistics import.

use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Multipart, State};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::model::Statistics;
use super::rules::{self, Verdict};
use super::store::{self, Sources};
use crate::auth::{authorize, Action, Principal};
use crate::divisions::Code;
use crate::error::FieldError;
use crate::http::{ApiError, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(indicators))
        .routes(routes!(export))
        .routes(routes!(statistics))
        .routes(routes!(import_statistics))
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
    /// The year's target (on the path to the 2025 target for the relative
    /// ones; `rules::path_share`).
    pub target: Option<f64>,
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
        Some(s) => Code::parse(s).map_err(|e| {
            ApiError::from(FieldError::new("division", e.to_string()).code("bad_division"))
        })?,
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
    Ok(axum::Json(dashboard(&s, &p, &q).await?))
}

async fn dashboard(
    s: &AppState,
    p: &Principal,
    q: &IndicatorParams,
) -> Result<Dashboard, ApiError> {
    authorize(p, Action::Read, "indicators")?;
    let code = resolve_division(p, &q.division)?;
    let this_year = time::OffsetDateTime::now_utc()
        .to_offset(crate::clock::CST)
        .year();
    let year = q.year.unwrap_or(this_year);
    if !(rules::BASE_YEAR..=2100).contains(&year) {
        return Err(ApiError::from(
            FieldError::new("year", format!("应在 {} 到 2100 之间", rules::BASE_YEAR))
                .code("out_of_range")
                .param("min", rules::BASE_YEAR)
                .param("max", 2100),
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
                        target: v[i].target,
                        verdict: v[i].verdict,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Dashboard {
        division_name: s.tree().name(code.as_str()),
        division: code.to_string(),
        years,
        series,
        sources,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    pub division: Option<String>,
    pub year: Option<i32>,
    /// xlsx (default) or csv
    pub format: Option<String>,
}

fn verdict_zh(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "达标",
        Verdict::NotMet => "未达标",
        Verdict::NoData => "无数据",
    }
}

/// The indicator table (指标 × 年份, with target and status) as XLSX or CSV.
#[utoipa::path(get, path = "/api/v1/indicators/export", tag = "indicators", params(ExportParams), responses((status = 200, description = "XLSX or CSV")))]
async fn export(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ExportParams>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let d = dashboard(
        &s,
        &p,
        &IndicatorParams {
            division: q.division.clone(),
            year: q.year,
        },
    )
    .await?;
    let fmt_v = |v: Option<f64>| {
        v.map(|x| {
            format!("{x:.4}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
    };
    let mut header = vec!["指标".to_string(), "单位".into(), "目标".into()];
    header.extend(d.years.iter().map(|y| format!("{y}年")));
    header.push(format!(
        "{}年状态",
        d.years.last().copied().unwrap_or_default()
    ));
    let rows: Vec<Vec<String>> = d
        .series
        .iter()
        .map(|se| {
            let mut r = vec![se.label_zh.clone(), se.unit.clone(), se.target_text.clone()];
            r.extend(se.points.iter().map(|pt| fmt_v(pt.value)));
            r.push(
                se.points
                    .last()
                    .map(|pt| verdict_zh(pt.verdict))
                    .unwrap_or("")
                    .into(),
            );
            r
        })
        .collect();
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(e.to_string());
    let (bytes, mime, ext) = match q.format.as_deref().unwrap_or("xlsx") {
        "csv" => {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            w.write_record(&header).map_err(|e| internal(&e))?;
            for r in &rows {
                // Text columns (指标, 单位, 目标, 状态) are neutralised against
                // formula injection; the yearly values are numbers and stay.
                let last = r.len().saturating_sub(1);
                w.write_record(r.iter().enumerate().map(|(i, c)| {
                    if i < 3 || i == last {
                        crate::sheet::csv_text(c).into_owned()
                    } else {
                        c.clone()
                    }
                }))
                .map_err(|e| internal(&e))?;
            }
            (
                w.into_inner().map_err(|e| internal(&e))?,
                "text/csv; charset=utf-8",
                "csv",
            )
        }
        "xlsx" => (
            xlsx(&d, &header, &rows).map_err(|e| internal(&e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            return Err(ApiError::from(
                FieldError::new("format", "应为 xlsx 或 csv")
                    .code("not_an_option")
                    .param("options", "xlsx/csv"),
            ))
        }
    };
    let disposition = format!("attachment; filename=\"indicators-{}.{ext}\"", d.division);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn xlsx(
    d: &Dashboard,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("核心指标")?;
    let cols = header.len() as u16;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    ws.merge_range(
        0,
        0,
        0,
        cols - 1,
        &format!("{}“十四五”应急管理核心指标完成情况", d.division_name),
        &title,
    )?;
    ws.merge_range(
        1,
        0,
        1,
        cols - 1,
        "注：各项指标以 2019 年数值为基期值；年均指标为 2021 年起至当年的平均值。",
        &Format::new(),
    )?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &head)?;
        ws.set_column_width(c as u16, if c == 0 { 40 } else { 12 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (3 + r as u32, c as u16);
            match v.parse::<f64>() {
                Ok(n) if c >= 3 => ws.write_number_with_format(rr, cc, n, &cell)?,
                _ => ws.write_string_with_format(rr, cc, v, &cell)?,
            };
        }
    }
    wb.save_to_buffer()
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
    /// Deaths counted outside yingji, where the statistics state them.
    pub safety_deaths: Option<f64>,
    pub coal_deaths: Option<f64>,
    pub disaster_dead_missing: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/statistics", tag = "indicators", params(StatisticsParams), responses((status = 200, body = [StatRow])))]
async fn statistics(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<StatisticsParams>,
) -> Result<axum::Json<Vec<StatRow>>, ApiError> {
    authorize(&p, Action::Read, "indicators")?;
    let code = resolve_division(&p, &q.division)?;
    let rows = store::statistics(&s.db, code.as_str()).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| StatRow {
                year: r.year,
                gdp_yi: r.gdp_yi,
                population: r.population,
                raw_coal_wt: r.raw_coal_wt,
                safety_deaths: r.safety_deaths,
                coal_deaths: r.coal_deaths,
                disaster_dead_missing: r.disaster_dead_missing,
            })
            .collect(),
    ))
}

/// Columns of the statistics table: (key, Chinese header, English header).
/// The three deaths columns are optional: the deaths counted outside
/// yingji (the 2019 baseline; docs/rules.md "Indicators").
const COLUMNS: [(&str, &str, &str); 8] = [
    ("division", "行政区划", "Division"),
    ("year", "年份", "Year"),
    ("gdp_yi", "地区生产总值(亿元)", "GDP (100 million yuan)"),
    ("population", "常住人口", "Population"),
    ("raw_coal_wt", "原煤产量(万吨)", "Raw coal (10,000 t)"),
    (
        "safety_deaths",
        "生产安全事故死亡人数",
        "Production-safety deaths",
    ),
    ("coal_deaths", "煤矿事故死亡人数", "Coal-mine deaths"),
    (
        "disaster_dead_missing",
        "因自然灾害死亡失踪人数",
        "Natural-disaster dead and missing",
    ),
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
        .map_err(|e| ApiError::field("file", "upload_failed", e.body_text()))?
    {
        if f.name() == Some("file") {
            let name = f.file_name().unwrap_or("statistics.csv").to_string();
            file = Some((
                name,
                f.bytes()
                    .await
                    .map_err(|e| ApiError::field("file", "upload_failed", e.body_text()))?,
            ));
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        ApiError::from(FieldError::new("file", "请选择要导入的文件").code("required"))
    })?;
    let (limits, file_name) = (s.config.xlsx, name.clone());
    let table = tokio::task::spawn_blocking(move || {
        crate::registry::io::read_table(&file_name, &bytes, &limits)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("statistics import: {e}")))?
    .map_err(|e| ApiError::Validation(vec![e]))?;
    let mut idx = [None; COLUMNS.len()];
    let mut errors = Vec::new();
    for (i, h) in table.header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if h.is_empty() {
            continue; // an empty column (a sheet starting at column B)
        }
        match COLUMNS
            .iter()
            .position(|(k, zh, en)| h == *k || h == *zh || h.eq_ignore_ascii_case(en))
        {
            Some(c) => idx[c] = Some(i),
            None => errors.push(
                FieldError::new(h, format!("未知列“{h}”"))
                    .code("unknown_column")
                    .param("name", h.to_string())
                    .at_row(1),
            ),
        }
    }
    for (c, (k, zh, _)) in COLUMNS.iter().enumerate().take(2) {
        if idx[c].is_none() {
            errors.push(
                FieldError::new(*k, format!("缺少必填列“{zh}”"))
                    .code("missing_column")
                    .param("name", *zh)
                    .at_row(1),
            );
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
                    .code("out_of_jurisdiction")
                    .at_row(*row),
                );
                None
            }
            Err(m) => {
                errors.push(
                    FieldError::new("division", m)
                        .code("bad_division")
                        .at_row(*row),
                );
                None
            }
        };
        let year = match cell(1).parse::<i64>() {
            Ok(y) if (1949..=2100).contains(&y) => Some(y),
            _ => {
                errors.push(
                    FieldError::new("year", format!("“{}”不是有效年份", cell(1)))
                        .code("not_a_year")
                        .param("value", cell(1))
                        .at_row(*row),
                );
                None
            }
        };
        let mut nums = [None; COLUMNS.len() - 2];
        for (k, c) in (2..COLUMNS.len()).enumerate() {
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
                    .code("not_non_negative")
                    .param("value", v)
                    .at_row(*row),
                ),
            }
        }
        if let (Some(d), Some(y)) = (division, year) {
            if let Some(first) = seen.insert((d.to_string(), y), *row) {
                errors.push(
                    FieldError::new("year", format!("与第 {first} 行重复"))
                        .code("duplicate_row")
                        .param("row", first)
                        .at_row(*row),
                );
            }
            rows.push((d, y, nums));
        }
    }
    if table.rows.is_empty() {
        errors.push(FieldError::new("file", "文件中没有数据行").code("no_rows"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    let mut entries = Vec::new();
    for (d, y, [g, pop, coal, deaths, coal_deaths, dead_missing]) in &rows {
        let row = Statistics {
            division: d.to_string(),
            year: *y,
            gdp_yi: *g,
            population: *pop,
            raw_coal_wt: *coal,
            safety_deaths: *deaths,
            coal_deaths: *coal_deaths,
            disaster_dead_missing: *dead_missing,
        };
        store::upsert_statistics(&mut tx, &row).await?;
        entries.push(NewEntry {
            actor: p.username.clone(),
            jurisdiction: d.to_string(),
            module: "indicators",
            entity: "statistics".into(),
            entity_id: format!("{d}:{y}"),
            kind: "imported",
            payload: json!({ "year": y, "gdp_yi": g, "population": pop, "raw_coal_wt": coal,
                "safety_deaths": deaths, "coal_deaths": coal_deaths, "disaster_dead_missing": dead_missing, "source": name }),
        });
    }
    tx.commit(now, entries).await?;
    Ok(axum::Json(Imported {
        imported: rows.len(),
    }))
}
