//! HTTP routes of disaster and accident reporting and the supervisor's page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::figures::{self, CasualtyRow, Figures, HouseRow};
use super::grading::AccidentFacts;
use super::{store, Accident, Disaster, Report, ReportKind, StepStatus};
use crate::auth::{authorize, Action, Principal, Scope};
use crate::db::{UtcText, Versioned};
use crate::divisions::{Code, Level};
use crate::error::FieldError;
use crate::http::{ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_disasters, create_disaster))
        .routes(routes!(get_disaster))
        .routes(routes!(submit_report))
        .routes(routes!(mark_stable))
        .routes(routes!(export_disaster))
        .routes(routes!(disaster_bulletin_docx))
        .routes(routes!(list_accidents, create_accident))
        .routes(routes!(get_accident, update_accident))
        .routes(routes!(forward_accident))
        .routes(routes!(notify_accident))
        .routes(routes!(report_to_duty_office))
        .routes(routes!(settle_accident))
        .routes(routes!(bulletin_docx))
        .merge(super::api_unit::routes())
        .routes(routes!(overdue))
        .routes(routes!(set_calendar_day))
        .merge(super::api_investigation::routes())
}

fn parse_time_field(field: &str, s: &str) -> Result<time::OffsetDateTime, ApiError> {
    crate::clock::parse_time(s).ok_or_else(|| {
        ApiError::field(
            field,
            "not_a_time",
            format!("“{s}”不是带时区的时间（例如 2026-07-01T10:00:00+08:00）"),
        )
    })
}

/// An optional time field, or now.
fn time_or_now(
    field: &str,
    v: &Option<String>,
    now: time::OffsetDateTime,
) -> Result<time::OffsetDateTime, ApiError> {
    v.as_deref().map_or(Ok(now), |t| parse_time_field(field, t))
}

fn disaster_visible(d: &Disaster, scope: &Scope) -> bool {
    d.division.starts_with(&scope.prefix)
        || d.townships.iter().any(|t| t.starts_with(&scope.prefix))
}

fn entry(
    p: &Principal,
    entity: &str,
    id: i64,
    division: &str,
    kind: &'static str,
    payload: serde_json::Value,
) -> NewEntry {
    NewEntry::new(&p.username, "reports", division, entity, id, kind, payload)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewDisasterBody {
    pub name: String,
    pub disaster_type: String,
    /// RFC 3339 with offset
    pub onset: String,
    /// Township codes (9 or 12 digits) the disaster touches.
    pub townships: Vec<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// The keys of a table of options (`key, 中文`), as a field error's
/// `options` parameter names them.
fn keys(table: &[(&str, &str)]) -> String {
    table.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
}

#[utoipa::path(post, path = "/api/v1/disasters", tag = "reports", request_body = NewDisasterBody, responses((status = 201, body = Disaster), (status = 422, body = crate::http::error::Problem)))]
async fn create_disaster(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewDisasterBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, "reports.disaster")?;
    let mut errors = Vec::new();
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(
            FieldError::new("name", "名称必填，最多 100 字")
                .code("required_max")
                .param("max", 100),
        );
    }
    if !super::DISASTER_TYPES
        .iter()
        .any(|(k, _)| *k == b.disaster_type)
    {
        errors.push(
            FieldError::new(
                "disaster_type",
                format!(
                    "“{}”不是灾种（可选：{}）",
                    b.disaster_type,
                    super::DISASTER_TYPES
                        .iter()
                        .map(|t| t.1)
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            )
            .code("not_an_option")
            .param("value", b.disaster_type.clone())
            .param("options", keys(super::DISASTER_TYPES)),
        );
    }
    let source = b.source.clone().unwrap_or_else(|| "report".into());
    if !super::SOURCES.iter().any(|(k, _)| *k == source) {
        errors.push(
            FieldError::new("source", "来源应为 report/intake/alarm/warning/superior")
                .code("not_an_option")
                .param("value", source.clone())
                .param("options", keys(super::SOURCES)),
        );
    }
    let now = time::OffsetDateTime::now_utc();
    let onset = match parse_time_field("onset", &b.onset) {
        Ok(t) if t > now + time::Duration::minutes(5) => {
            errors.push(FieldError::new("onset", "发生时间不能晚于现在").code("in_the_future"));
            None
        }
        Ok(t) => Some(t),
        Err(ApiError::Validation(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let tree = s.tree();
    let mut towns = Vec::new();
    if b.townships.is_empty() {
        errors
            .push(FieldError::new("townships", "至少选择一个受灾乡镇").code("townships_required"));
    }
    for (i, t) in b.townships.iter().enumerate() {
        match Code::parse(t) {
            Ok(c) if c.level() == Level::Township && tree.get(&c).is_some() => {
                if !scope.covers(c.as_str(), "") {
                    errors.push(
                        FieldError::new(
                            format!("townships[{i}]"),
                            format!("{}不在您的管辖范围内", tree.name(c.as_str())),
                        )
                        .code("out_of_jurisdiction"),
                    );
                } else {
                    towns.push(c.to_string());
                }
            }
            _ => errors.push(
                FieldError::new(
                    format!("townships[{i}]"),
                    format!("“{t}”不是乡镇级区划代码"),
                )
                .code("not_a_township")
                .param("value", t.clone()),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    towns.sort();
    towns.dedup();
    let counties = super::counties_of(&towns);
    let division = if counties.len() == 1 {
        counties[0].clone()
    } else {
        format!("{}00000000", &towns[0][..4])
    };
    let onset = onset.ok_or_else(|| ApiError::field("onset", "required", "必填"))?;
    let mut tx = s.change().await?;
    let id = store::insert_disaster(
        &mut tx,
        store::NewDisaster {
            name,
            disaster_type: &b.disaster_type,
            onset,
            division: &division,
            townships: &towns,
            source: &source,
            by: &p.username,
        },
        now,
    )
    .await?;
    tx.commit(now, vec![entry(&p, "disaster", id, &division, "created", json!({ "name": name, "type": b.disaster_type, "onset": b.onset, "townships": towns, "source": source }))]).await?;
    let d = store::get_disaster(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, axum::Json(d)).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DisasterSummary {
    #[serde(flatten)]
    pub disaster: Disaster,
    pub steps_late: usize,
    pub steps_missing: usize,
    pub steps_due_soon: usize,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListDisasters {
    pub active: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/disasters", tag = "reports", params(ListDisasters), responses((status = 200, body = [DisasterSummary])))]
async fn list_disasters(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ListDisasters>,
) -> Result<axum::Json<Vec<DisasterSummary>>, ApiError> {
    let scope = authorize(&p, Action::Read, "reports.disaster")?;
    let now = time::OffsetDateTime::now_utc();
    let cal = store::load_calendar(&s.db).await?;
    let tree = s.tree();
    let mut out = Vec::new();
    for d in store::list_disasters(&s.db, &scope.prefix, q.active.unwrap_or(false)).await? {
        let reports = store::reports(&s.db, &tree, d.id).await?;
        let steps = super::disaster_status(&d, &reports, now, &s.config.reports, &cal);
        let n = |st| steps.iter().filter(|x| x.status == st).count();
        use super::deadlines::Status::*;
        out.push(DisasterSummary {
            steps_late: n(Late),
            steps_missing: n(Missing),
            steps_due_soon: n(DueSoon),
            disaster: d,
        });
    }
    Ok(axum::Json(out))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DisasterDetail {
    pub disaster: Disaster,
    pub reports: Vec<Report>,
    pub steps: Vec<StepStatus>,
    /// Latest township figures summed per county (what the county aggregates).
    pub aggregates: Vec<Aggregate>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Aggregate {
    pub division: String,
    pub division_name: String,
    pub townships_reported: usize,
    pub townships_total: usize,
    pub figures: Figures,
}

/// The latest report per (level, division), following supersession.
fn latest<'a>(reports: &'a [Report], level: &str) -> Vec<&'a Report> {
    let mut by_div: std::collections::BTreeMap<&str, &Report> = std::collections::BTreeMap::new();
    for r in reports.iter().filter(|r| r.level == level) {
        by_div.insert(r.division.as_str(), r); // ordered by id: later wins
    }
    by_div.into_values().collect()
}

fn aggregates(d: &Disaster, reports: &[Report], tree: &crate::divisions::Tree) -> Vec<Aggregate> {
    super::counties_of(&d.townships)
        .into_iter()
        .map(|c| {
            let towns: Vec<&Report> = latest(reports, "township")
                .into_iter()
                .filter(|r| r.division.starts_with(&c[..6]))
                .collect();
            let sum = towns
                .iter()
                .fold(Figures::default(), |acc, r| acc.add(&r.figures));
            Aggregate {
                division_name: tree.name(&c),
                townships_reported: towns.len(),
                townships_total: d
                    .townships
                    .iter()
                    .filter(|t| t.starts_with(&c[..6]))
                    .count(),
                division: c,
                figures: sum,
            }
        })
        .collect()
}

async fn load_visible(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<(Disaster, Scope), ApiError> {
    let scope = authorize(p, action, "reports.disaster")?;
    let d = store::get_disaster(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !disaster_visible(&d, &scope) {
        return Err(ApiError::NotFound);
    }
    Ok((d, scope))
}

#[utoipa::path(get, path = "/api/v1/disasters/{id}", tag = "reports", params(("id" = i64, Path)), responses((status = 200, body = DisasterDetail)))]
async fn get_disaster(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<DisasterDetail>, ApiError> {
    let (d, scope) = load_visible(&s, &p, id, Action::Read).await?;
    let tree = s.tree();
    let cal = store::load_calendar(&s.db).await?;
    let mut reports = store::reports(&s.db, &tree, id).await?;
    let steps = super::disaster_status(
        &d,
        &reports,
        time::OffsetDateTime::now_utc(),
        &s.config.reports,
        &cal,
    );
    let aggregates = aggregates(&d, &reports, &tree);
    super::retain_visible(&mut reports, &scope);
    Ok(axum::Json(DisasterDetail {
        disaster: d,
        reports,
        steps,
        aggregates,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    pub kind: String,
    /// township, county or city
    pub level: String,
    pub division: String,
    #[serde(default)]
    pub figures: Figures,
    #[serde(default)]
    pub casualties: Vec<CasualtyRow>,
    #[serde(default)]
    pub houses: Vec<HouseRow>,
    /// Why a figure went down, or what a correction changes.
    #[serde(default)]
    pub reason: String,
    /// Id of the report this one corrects (versioned, never overwritten).
    #[serde(default)]
    pub supersedes: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/disasters/{id}/reports", tag = "reports", params(("id" = i64, Path)), request_body = ReportBody,
    responses((status = 201, body = Report), (status = 422, body = crate::http::error::Problem)))]
async fn submit_report(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ReportBody>,
) -> Result<Response, ApiError> {
    let (d, scope) = load_visible(&s, &p, id, Action::Write).await?;
    let kind = ReportKind::parse(&b.kind).ok_or_else(|| ApiError::field("kind", "unknown_report_kind", "应为 initial（初报）、followup（续报）、final（核报）、direct（直报）或 forward（审核上报）"))?;
    let division = Code::parse(&b.division)
        .map_err(|e| ApiError::field("division", "bad_division", e.to_string()))?
        .to_string();
    let counties = super::counties_of(&d.townships);
    let level_ok = match b.level.as_str() {
        "township" => {
            d.townships.contains(&division)
                && matches!(
                    kind,
                    ReportKind::Initial | ReportKind::Followup | ReportKind::Final
                )
        }
        "county" => counties.contains(&division) && kind != ReportKind::Forward,
        "city" => {
            division.ends_with("00000000")
                && !division.ends_with("0000000000")
                && matches!(
                    kind,
                    ReportKind::Forward | ReportKind::Followup | ReportKind::Final
                )
        }
        _ => false,
    };
    if !level_ok {
        return Err(ApiError::field(
            "division",
            "report_level_mismatch",
            format!(
                "{} 级报告不能以“{}”报送该灾情的{}",
                b.level,
                s.tree().name(&division),
                b.kind
            ),
        ));
    }
    if !scope.covers(&division, "") {
        return Err(ApiError::Forbidden);
    }
    let mut errors = figures::validate(&b.figures, &b.casualties, &b.houses);
    let now = time::OffsetDateTime::now_utc();
    let tree = s.tree();
    let cal = store::load_calendar(&s.db).await?;
    let mut tx = s.change().await?;
    let reports = store::reports_tx(&mut tx, &tree, id).await?;
    // A county (city) references its townships' (counties') ledgers
    // instead of repeating them; its own rows are the others, and the
    // counts are checked against both (docs/rules.md).
    let ledger_refs = super::ledgers::refs_for(&reports, &b.level, &division);
    let refd = super::ledgers::referenced(&reports, &ledger_refs);
    errors.extend(super::ledgers::repeated_rows(
        &refd,
        &b.casualties,
        &b.houses,
    ));
    let (all_people, all_houses) = super::ledgers::whole(&refd, &b.casualties, &b.houses);
    // Ledgers are due at 核报: before it a mismatch is a warning in the
    // report's flags, never a refusal (docs/rules.md).
    let (ledger_errors, ledger_warning) =
        figures::check_ledgers(kind, &b.figures, &all_people, &all_houses);
    errors.extend(ledger_errors);
    let mine: Vec<&Report> = reports
        .iter()
        .filter(|r| r.level == b.level && r.division == division)
        .collect();
    if let Some(sup) = b.supersedes {
        if !mine.iter().any(|r| r.id == sup) {
            errors.push(
                FieldError::new("supersedes", "只能更正本单位已报送的报告")
                    .code("correct_own_report"),
            );
        }
        if b.reason.trim().is_empty() {
            errors.push(
                FieldError::new("reason", "更正报告须说明更正内容")
                    .code("correction_reason_required"),
            );
        }
    }
    if let Some(prev) = mine.last() {
        errors.extend(figures::check_not_lower(
            &prev.figures,
            &b.figures,
            Some(b.reason.as_str()),
        ));
    }
    let mut flags: Vec<String> = ledger_warning.into_iter().collect();
    if b.level == "county" {
        let agg = aggregates(&d, &reports, &tree);
        if let Some(a) = agg.iter().find(|a| a.division == division) {
            errors.extend(figures::check_children_within(&b.figures, &a.figures));
        }
        if kind == ReportKind::Final {
            if let Some(last) = mine
                .iter()
                .rev()
                .find(|r| matches!(r.kind, ReportKind::Followup | ReportKind::Initial))
            {
                for diff in figures::final_differs(
                    &last.figures,
                    &b.figures,
                    s.config.reports.final_review_share,
                ) {
                    flags.push(format!(
                        "核报与最近续报差异超过 {:.0}%：{diff}",
                        s.config.reports.final_review_share * 100.0
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let step_key = super::step_for(
        &d,
        &reports,
        kind,
        (&b.level, &division),
        now,
        &s.config.reports,
        &cal,
    );
    let mut r = Report {
        id: 0,
        disaster_id: id,
        kind,
        level: b.level.clone(),
        division_name: tree.name(&division),
        division: division.clone(),
        step_key,
        figures: b.figures,
        casualties: b.casualties,
        houses: b.houses,
        ledger_refs,
        reason: b.reason,
        flags,
        supersedes: b.supersedes,
        submitted_by: p.username.clone(),
        submitted_at: now.into(),
    };
    r.id = store::insert_report(&mut tx, &r).await?;
    let payload = serde_json::to_value(&r).unwrap_or_default();
    tx.commit(
        now,
        vec![entry(
            &p,
            "disaster",
            id,
            &division,
            if r.supersedes.is_some() {
                "report_corrected"
            } else {
                "report_submitted"
            },
            payload,
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(r)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StableBody {
    pub version: i64,
    /// Default: now.
    pub at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/disasters/{id}/stable", tag = "reports", params(("id" = i64, Path)), request_body = StableBody, responses((status = 200, body = Disaster)))]
async fn mark_stable(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<StableBody>,
) -> Result<axum::Json<Disaster>, ApiError> {
    let (d, scope) = load_visible(&s, &p, id, Action::Write).await?;
    if !scope.covers(&d.division, "") || p.role == crate::auth::Role::Reporter {
        return Err(ApiError::Forbidden);
    }
    d.expect_version(b.version)?;
    let now = time::OffsetDateTime::now_utc();
    let at = time_or_now("at", &b.at, now)?;
    let (d, payload) = super::mark_stable(d, at).map_err(ApiError::Refused)?;
    let mut tx = s.change().await?;
    tx.save(&d).await?;
    let e = entry(&p, "disaster", id, &d.division, "stabilised", payload);
    tx.commit(now, vec![e]).await?;
    let d = store::get_disaster(&s.db, id).await?;
    Ok(axum::Json(d.ok_or(ApiError::NotFound)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccidentBody {
    pub name: String,
    pub industry: String,
    /// The division (12 digits); an enterprise's own report takes its
    /// enterprise's.
    #[serde(default)]
    pub division: String,
    pub occurred_at: String,
    /// Derived from `industry` (道路交通 / 火灾, 493号令 第十三条); if sent, it
    /// must agree with the industry.
    #[serde(default)]
    pub road_or_fire: Option<bool>,
    pub deaths: i64,
    /// 下落不明人数 (493号令 第十二条); graded with the dead. Default 0.
    #[serde(default)]
    pub missing: i64,
    pub serious_injuries: i64,
    pub direct_loss_yuan: i64,
    #[serde(default)]
    pub description: String,
    /// When the county department received the unit's report; default now.
    #[serde(default)]
    pub received_at: Option<String>,
    /// When the unit's head learned of it (493号令 第九条: the unit's hour
    /// runs from then); default: when it occurred.
    #[serde(default)]
    pub unit_learned_at: Option<String>,
    /// 较大涉险 facts (21号令 第二十六条).
    #[serde(default)]
    pub danger: super::cadence::Danger,
    /// Railway / special-equipment criteria (493号令 第四十五条: graded by
    /// 国务院令第501号 or 《特种设备安全监察条例》, `regimes`).
    #[serde(default)]
    pub regime_facts: super::regimes::RegimeFacts,
    /// The 生产安全事故快报's fields (`bulletin`).
    #[serde(default)]
    pub bulletin: super::bulletin::Bulletin,
}

/// The counts an accident is graded on, as sent.
#[derive(Debug, Clone, Copy)]
struct Counts {
    deaths: i64,
    missing: i64,
    serious_injuries: i64,
    direct_loss_yuan: i64,
}

fn check_casualties(c: Counts) -> Vec<FieldError> {
    let Counts {
        deaths,
        missing,
        serious_injuries: inj,
        direct_loss_yuan: loss,
    } = c;
    let mut e = Vec::new();
    for (k, v, zh) in [
        ("deaths", deaths, "死亡人数"),
        ("missing", missing, "下落不明人数"),
        ("serious_injuries", inj, "重伤人数"),
        ("direct_loss_yuan", loss, "直接经济损失"),
    ] {
        if v < 0 {
            e.push(FieldError::new(k, format!("{zh}不能为负数")).code("negative"));
        }
    }
    e
}

fn facts(c: Counts) -> AccidentFacts {
    let count = |n: i64| n.clamp(0, u32::MAX as i64) as u32;
    AccidentFacts {
        deaths: count(c.deaths),
        missing: count(c.missing),
        serious_injuries: count(c.serious_injuries),
        direct_loss_yuan: c.direct_loss_yuan.max(0) as u64,
    }
}

fn counts_of(a: &Accident) -> Counts {
    Counts {
        deaths: a.deaths,
        missing: a.missing,
        serious_injuries: a.serious_injuries,
        direct_loss_yuan: a.direct_loss_yuan,
    }
}

#[utoipa::path(post, path = "/api/v1/accidents", tag = "reports", request_body = AccidentBody, responses((status = 201, body = Accident), (status = 422, body = crate::http::error::Problem)))]
async fn create_accident(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<AccidentBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, "reports.accident")?;
    let a = file_accident(&s, &p, &scope, b, None).await?;
    Ok((StatusCode::CREATED, axum::Json(a)).into_response())
}

/// Check and record a new accident (the department's form, or an
/// enterprise's own report with `enterprise_id`), journaled `created`.
pub(super) async fn file_accident(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    b: AccidentBody,
    enterprise_id: Option<i64>,
) -> Result<Accident, ApiError> {
    let counts = Counts {
        deaths: b.deaths,
        missing: b.missing,
        serious_injuries: b.serious_injuries,
        direct_loss_yuan: b.direct_loss_yuan,
    };
    let mut errors = check_casualties(counts);
    errors.extend(super::bulletin::check(&b.bulletin, enterprise_id.is_some()));
    if b.name.trim().is_empty() {
        errors.push(FieldError::required("name"));
    }
    if !super::INDUSTRIES.iter().any(|(k, _)| *k == b.industry) {
        let options = keys(super::INDUSTRIES);
        errors.push(
            FieldError::new(
                "industry",
                format!(
                    "“{}”不是事故行业（可选：{}）",
                    b.industry,
                    super::INDUSTRIES
                        .iter()
                        .map(|(_, zh)| *zh)
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            )
            .code("not_an_option")
            .param("value", b.industry.clone())
            .param("options", options),
        );
    }
    let road_or_fire = super::deadlines::is_road_or_fire(&b.industry);
    if b.road_or_fire.is_some_and(|v| v != road_or_fire) {
        errors.push(
            FieldError::new(
                "road_or_fire",
                "是否道路交通或火灾事故由行业决定（493号令 第十三条），与所选行业不符",
            )
            .code("road_or_fire_by_industry"),
        );
    }
    let now = time::OffsetDateTime::now_utc();
    let occurred = parse_time_field("occurred_at", &b.occurred_at);
    let received = match &b.received_at {
        Some(t) => parse_time_field("received_at", t),
        None => Ok(now),
    };
    let learned = b
        .unit_learned_at
        .as_deref()
        .map(|t| parse_time_field("unit_learned_at", t));
    let tree = s.tree();
    let division = match Code::parse(&b.division) {
        Ok(c) if tree.get(&c).is_some() => Some(c),
        _ => {
            errors.push(
                FieldError::new("division", format!("区划“{}”不存在", b.division))
                    .code("division_not_found")
                    .param("code", b.division.clone()),
            );
            None
        }
    };
    if let (Ok(o), Ok(r)) = (&occurred, &received) {
        if r < o {
            errors.push(
                FieldError::new("received_at", "接报时间不能早于事故发生时间")
                    .code("received_before_occurred"),
            );
        }
    }
    // 第九条: the head learns of it after it happened and before the
    // county department receives the unit's report.
    if let (Ok(o), Ok(r), Some(Ok(u))) = (&occurred, &received, &learned) {
        if u < o || u > r {
            errors.push(
                FieldError::new(
                    "unit_learned_at",
                    "单位负责人接报时间应在事故发生之后、县级接报之前",
                )
                .code("learned_out_of_range"),
            );
        }
    }
    for res in [&occurred, &received].into_iter().chain(learned.as_ref()) {
        if let Err(ApiError::Validation(e)) = res {
            errors.extend(e.clone());
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (Some(division), Ok(occurred), Ok(received)) = (division, occurred, received) else {
        return Err(ApiError::BadRequest("invalid accident".into()));
    };
    if !scope.covers(division.as_str(), "") {
        return Err(ApiError::field(
            "division",
            "out_of_jurisdiction",
            "不在您的管辖范围内",
        ));
    }
    let (grade, reasons) =
        super::regimes::grade_by_regime(&b.industry, &facts(counts), &b.regime_facts);
    let mut a = Accident {
        id: 0,
        name: b.name.trim().into(),
        industry: b.industry,
        division: division.to_string(),
        occurred_at: occurred.into(),
        road_or_fire,
        deaths: b.deaths,
        missing: b.missing,
        serious_injuries: b.serious_injuries,
        direct_loss_yuan: b.direct_loss_yuan,
        grade,
        grade_zh: grade.label_zh().into(),
        received: vec![("county".into(), received.into())],
        skips: vec![],
        notifications: vec![],
        description: b.description,
        unit_learned_at: learned.and_then(Result::ok).map(UtcText),
        danger: b.danger,
        larger_danger: vec![],
        sector_department: None,
        sector_received: vec![],
        followups: vec![],
        settled_at: None,
        regime_facts: b.regime_facts,
        regime: super::regimes::Regime::Order493,
        duty_reports: vec![],
        incident_id: None,
        bulletin: b.bulletin,
        enterprise_id,
        created_by: p.username.clone(),
        created_at: now.into(),
        version: 1,
    }
    .derive();
    let mut tx = s.change().await?;
    a.id = store::insert_accident(&mut tx, &a).await?;
    tx.commit(
        now,
        vec![entry(
            p,
            "accident",
            a.id,
            &a.division,
            "created",
            json!({ "accident": a, "grade_reasons": reasons }),
        )],
    )
    .await?;
    Ok(a)
}

pub(super) async fn load_accident(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<Accident, ApiError> {
    let scope = authorize(p, action, "reports.accident")?;
    let a = store::get_accident(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !scope.covers(&a.division, "") {
        return Err(ApiError::NotFound);
    }
    Ok(a)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AccidentDetail {
    pub accident: Accident,
    pub steps: Vec<StepStatus>,
    pub grade_reasons: Vec<String>,
    /// The investigation (493号令 第二十九条, 第三十二条) and what this user may do.
    pub investigation: super::api_investigation::InvestigationView,
}

#[utoipa::path(get, path = "/api/v1/accidents/{id}", tag = "reports", params(("id" = i64, Path)), responses((status = 200, body = AccidentDetail)))]
async fn get_accident(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<AccidentDetail>, ApiError> {
    let a = load_accident(&s, &p, id, Action::Read).await?;
    let inv = store::investigation_of(&s.db, a.id).await?;
    let steps = super::accident_status(
        &a,
        inv.as_ref(),
        time::OffsetDateTime::now_utc(),
        &s.config.reports,
    );
    let (_, grade_reasons) =
        super::regimes::grade_by_regime(&a.industry, &facts(counts_of(&a)), &a.regime_facts);
    let investigation = super::api_investigation::view(&a, inv, &p);
    Ok(axum::Json(AccidentDetail {
        accident: a,
        steps,
        grade_reasons,
        investigation,
    }))
}

#[utoipa::path(get, path = "/api/v1/accidents", tag = "reports", responses((status = 200, body = [Accident])))]
async fn list_accidents(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<Accident>>, ApiError> {
    let scope = authorize(&p, Action::Read, "reports.accident")?;
    Ok(axum::Json(
        store::list_accidents(&s.db, &scope.prefix).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasualtyUpdate {
    pub version: i64,
    pub deaths: i64,
    /// 下落不明人数; absent: unchanged.
    #[serde(default)]
    pub missing: Option<i64>,
    pub serious_injuries: i64,
    pub direct_loss_yuan: i64,
    pub reason: String,
    /// When a change of the casualties became known (21号令 第十一条: the
    /// 续报 is owed that day); default: now.
    #[serde(default)]
    pub learned_at: Option<String>,
    /// Railway / special-equipment criteria as now known; absent: unchanged.
    #[serde(default)]
    pub regime_facts: Option<super::regimes::RegimeFacts>,
}

async fn save_accident(
    s: &AppState,
    p: &Principal,
    old: &Accident,
    new: Accident,
    kind: &'static str,
    payload: serde_json::Value,
    version: i64,
) -> Result<axum::Json<Accident>, ApiError> {
    old.expect_version(version)?;
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    tx.save(&new).await?;
    tx.commit(
        now,
        vec![entry(p, "accident", old.id, &old.division, kind, payload)],
    )
    .await?;
    Ok(axum::Json(
        store::get_accident(&s.db, old.id)
            .await?
            .ok_or(ApiError::NotFound)?,
    ))
}

/// 补报: casualties or loss changed. Inside the casualty window of 493号令
/// 第十三条 (30 days, 7 for road traffic and fire, counted by 《民法典》
/// 第二百零一条/第二百零三条: `deadlines::in_casualty_window`) the grade is
/// recomputed; after it, the dead, missing and injured sent are recorded in
/// the journal but the record keeps the counts the window closed with, so
/// the grade no longer changes by them (the loss still does).
#[utoipa::path(put, path = "/api/v1/accidents/{id}", tag = "reports", params(("id" = i64, Path)), request_body = CasualtyUpdate, responses((status = 200, body = Accident)))]
async fn update_accident(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<CasualtyUpdate>,
) -> Result<axum::Json<Accident>, ApiError> {
    let old = load_accident(&s, &p, id, Action::Write).await?;
    let counts = Counts {
        deaths: b.deaths,
        missing: b.missing.unwrap_or(old.missing),
        serious_injuries: b.serious_injuries,
        direct_loss_yuan: b.direct_loss_yuan,
    };
    let mut errors = check_casualties(counts);
    if b.reason.trim().is_empty() {
        errors.push(FieldError::new("reason", "补报须说明变化原因").code("change_reason_required"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = time::OffsetDateTime::now_utc();
    let occurred = old.occurred_at.0;
    let learned = match b.learned_at.as_deref() {
        None => now,
        Some(t) => parse_time_field("learned_at", t)?,
    };
    super::cadence::check_learned(learned, occurred, now)?;
    let l = &s.config.reports;
    let in_window = super::deadlines::in_casualty_window(occurred, &old.industry, now, l);
    let window_end = super::deadlines::casualty_window_end(occurred, &old.industry, l);
    let (deaths, missing, serious_injuries) = super::deadlines::counted_casualties(
        (old.deaths, old.missing, old.serious_injuries),
        (counts.deaths, counts.missing, counts.serious_injuries),
        in_window,
    );
    let counted = Counts {
        deaths,
        missing,
        serious_injuries,
        direct_loss_yuan: counts.direct_loss_yuan,
    };
    let regime_facts = b.regime_facts.unwrap_or(old.regime_facts);
    let (grade, reasons) =
        super::regimes::grade_by_regime(&old.industry, &facts(counted), &regime_facts);
    // Every 补报 is a 续报 of 第十一条; one that changes the casualties
    // inside the window owes the same day.
    let changed = in_window
        && (deaths, missing, serious_injuries) != (old.deaths, old.missing, old.serious_injuries);
    let followup = super::cadence::Followup {
        at: now.into(),
        by: p.username.clone(),
        casualties_changed: changed,
        learned_at: b.learned_at.is_some().then_some(UtcText(learned)),
        reason: b.reason.trim().to_string(),
    };
    let mut followups = old.followups.clone();
    followups.push(followup.clone());
    let new = Accident {
        deaths,
        missing,
        serious_injuries,
        direct_loss_yuan: counted.direct_loss_yuan,
        grade,
        grade_zh: grade.label_zh().into(),
        followups,
        regime_facts,
        ..old.clone()
    };
    let payload = json!({
        "before": { "deaths": old.deaths, "missing": old.missing, "serious_injuries": old.serious_injuries, "direct_loss_yuan": old.direct_loss_yuan, "grade": old.grade },
        "reported": { "deaths": counts.deaths, "missing": counts.missing, "serious_injuries": counts.serious_injuries, "direct_loss_yuan": counts.direct_loss_yuan },
        "after": { "deaths": deaths, "missing": missing, "serious_injuries": serious_injuries, "direct_loss_yuan": counted.direct_loss_yuan, "grade": grade },
        "reason": b.reason, "grade_reasons": reasons, "within_supplement_window": in_window,
        "supplement_window_end": UtcText(window_end), "followup": followup,
    });
    save_accident(&s, &p, &old, new, "supplemented", payload, b.version).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ForwardBody {
    pub version: i64,
    /// city, province or state
    pub level: String,
    pub at: Option<String>,
    /// 越级上报 (493号令 第十条第三款 "必要时…可以越级上报"): pass over the
    /// levels below that have not received it yet; they still owe their
    /// own report. Needs `reason`.
    #[serde(default)]
    pub skip_level: bool,
    #[serde(default)]
    pub reason: String,
    /// `sector`: the sector department's chain (负有安全生产监督管理职责的有关
    /// 部门, 493号令 第九条、第十条) received it at `level` (county: from
    /// the unit). Default: the emergency-management chain.
    #[serde(default)]
    pub chain: Option<String>,
}

/// 逐级上报 to the next level, or 越级上报 past it with a reason
/// (`notify::check_forward`).
#[utoipa::path(post, path = "/api/v1/accidents/{id}/forward", tag = "reports", params(("id" = i64, Path)), request_body = ForwardBody, responses((status = 200, body = Accident), (status = 422, body = crate::http::error::Problem)))]
async fn forward_accident(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ForwardBody>,
) -> Result<axum::Json<Accident>, ApiError> {
    let old = load_accident(&s, &p, id, Action::Write).await?;
    match b.chain.as_deref() {
        None | Some("emergency") => {}
        Some("sector") => {
            let got: Vec<(String, time::OffsetDateTime)> = old
                .sector_received
                .iter()
                .map(|(l, t)| (l.clone(), t.0))
                .collect();
            super::cadence::check_sector_receipt(&old.industry, old.grade, &got, &b.level)?;
            let at = super::investigation::step_time(
                b.at.as_deref(),
                old.occurred_at.0,
                time::OffsetDateTime::now_utc(),
            )?;
            let mut new = old.clone();
            new.sector_received.push((b.level.clone(), at.into()));
            let payload = json!({ "chain": "sector", "department": old.sector_department, "level": b.level, "at": UtcText(at) });
            return save_accident(&s, &p, &old, new, "forwarded", payload, b.version).await;
        }
        Some(other) => {
            return Err(ApiError::field(
                "chain",
                "not_an_option",
                format!("“{other}”应为 emergency 或 sector"),
            ))
        }
    }
    let received: Vec<(String, time::OffsetDateTime)> =
        old.received.iter().map(|(l, t)| (l.clone(), t.0)).collect();
    let reason = crate::error::text("reason", &b.reason, 500, false)?;
    let past = super::notify::check_forward(old.grade, &received, &b.level, b.skip_level, &reason)?;
    let at = time_or_now("at", &b.at, time::OffsetDateTime::now_utc())?;
    let mut new = old.clone();
    new.received.push((b.level.clone(), at.into()));
    if !past.is_empty() {
        new.skips.push(super::notify::Skip {
            level: b.level.clone(),
            past: past.clone(),
            reason: reason.clone(),
        });
    }
    let payload = if past.is_empty() {
        json!({ "level": b.level, "at": UtcText(at) })
    } else {
        json!({ "level": b.level, "at": UtcText(at), "skip_level": true, "past": past, "reason": reason })
    };
    save_accident(&s, &p, &old, new, "forwarded", payload, b.version).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyBody {
    pub version: i64,
    /// The level that notified: county or city.
    pub level: String,
    /// government, police, labour, union or procuratorate (493号令 第十条).
    pub party: String,
    /// When it was notified; default now.
    #[serde(default)]
    pub at: Option<String>,
    /// How (phone, document number …).
    #[serde(default)]
    pub note: String,
}

/// Record a 第十条 notification (`notify::check_notification`): once per
/// level and party, not before that level received the report, not in
/// the future.
#[utoipa::path(post, path = "/api/v1/accidents/{id}/notifications", tag = "reports", params(("id" = i64, Path)), request_body = NotifyBody, responses((status = 200, body = Accident), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn notify_accident(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<NotifyBody>,
) -> Result<axum::Json<Accident>, ApiError> {
    let old = load_accident(&s, &p, id, Action::Write).await?;
    let now = time::OffsetDateTime::now_utc();
    let at = super::investigation::step_time(b.at.as_deref(), old.occurred_at.0, now)?;
    let note = crate::error::text("note", &b.note, 200, false)?;
    let received: Vec<(String, time::OffsetDateTime)> =
        old.received.iter().map(|(l, t)| (l.clone(), t.0)).collect();
    super::notify::check_notification(
        old.grade,
        &received,
        &old.notifications,
        &b.level,
        &b.party,
        at,
    )?;
    let n = super::notify::Notification {
        level: b.level,
        party: b.party,
        at: at.into(),
        by: p.username.clone(),
        note,
    };
    let mut new = old.clone();
    new.notifications.push(n.clone());
    save_accident(
        &s,
        &p,
        &old,
        new,
        "notified",
        json!({ "notification": n }),
        b.version,
    )
    .await
}

/// The 生产安全事故快报 of the record as a .docx (`bulletin::document_xml`).
#[utoipa::path(get, path = "/api/v1/accidents/{id}/bulletin.docx", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", description = "The 生产安全事故快报 (.docx)")))]
async fn bulletin_docx(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let a = load_accident(&s, &p, id, Action::Read).await?;
    let now = time::OffsetDateTime::now_utc();
    let bytes = super::bulletin::write(&a, &s.tree().name(&a.division), now)
        .map_err(|e| ApiError::Internal(format!("docx: {e}")))?;
    Ok(crate::docx::parts::attachment(
        bytes,
        &format!("SG{:06}.docx", a.id),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyReportBody {
    pub version: i64,
    /// A configured duty office (`[reports] duty_offices`; default party,
    /// government, province_dept).
    pub office: String,
    /// phone or written
    pub mode: String,
    /// When; default now.
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Record the city's report to one of its duty offices (`cadence::check_duty_report`).
#[utoipa::path(post, path = "/api/v1/accidents/{id}/duty-reports", tag = "reports", params(("id" = i64, Path)), request_body = DutyReportBody, responses((status = 200, body = Accident), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
async fn report_to_duty_office(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DutyReportBody>,
) -> Result<axum::Json<Accident>, ApiError> {
    let old = load_accident(&s, &p, id, Action::Write).await?;
    let now = time::OffsetDateTime::now_utc();
    let at = super::investigation::step_time(b.at.as_deref(), old.occurred_at.0, now)?;
    let note = crate::error::text("note", &b.note, 200, false)?;
    let city = old
        .received
        .iter()
        .find(|(l, _)| l == "city")
        .map(|(_, t)| t.0);
    super::cadence::check_duty_report(
        &s.config.reports.duty_offices,
        city,
        &old.duty_reports,
        &b.office,
        &b.mode,
        at,
    )?;
    let r = super::cadence::DutyReport {
        office: b.office,
        mode: b.mode,
        at: at.into(),
        by: p.username.clone(),
        note,
    };
    let mut new = old.clone();
    new.duty_reports.push(r.clone());
    let payload = json!({ "duty_report": r });
    save_accident(&s, &p, &old, new, "duty_reported", payload, b.version).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleBody {
    pub version: i64,
    /// When the handling (rescue) ended; default now.
    #[serde(default)]
    pub at: Option<String>,
}

/// 处置结束: the daily 续报 of 21号令 第十一条 are owed no longer (once).
#[utoipa::path(post, path = "/api/v1/accidents/{id}/settled", tag = "reports", params(("id" = i64, Path)), request_body = SettleBody, responses((status = 200, body = Accident), (status = 409, body = crate::http::error::Problem)))]
async fn settle_accident(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<SettleBody>,
) -> Result<axum::Json<Accident>, ApiError> {
    let old = load_accident(&s, &p, id, Action::Write).await?;
    let now = time::OffsetDateTime::now_utc();
    let at = super::investigation::step_time(b.at.as_deref(), old.occurred_at.0, now)?;
    if let Some(since) = old.settled_at {
        return Err(ApiError::Refused(
            crate::error::Refusal::new(
                "already_settled",
                format!("已于 {} 处置结束", crate::clock::format_time(since.0)),
            )
            .param("at", since.text()),
        ));
    }
    let mut new = old.clone();
    new.settled_at = Some(at.into());
    save_accident(
        &s,
        &p,
        &old,
        new,
        "settled",
        json!({ "at": UtcText(at) }),
        b.version,
    )
    .await
}

/// One late, missing or nearly due report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Overdue {
    pub entity: String,
    pub id: i64,
    pub name: String,
    pub division: String,
    pub division_name: String,
    #[serde(flatten)]
    pub step: StepStatus,
}

#[utoipa::path(get, path = "/api/v1/reports/overdue", tag = "reports", responses((status = 200, body = [Overdue])))]
async fn overdue(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<Overdue>>, ApiError> {
    let scope = authorize(&p, Action::Read, "reports.disaster")?;
    let ascope = authorize(&p, Action::Read, "reports.accident")?;
    let now = time::OffsetDateTime::now_utc();
    let tree = s.tree();
    let cal = store::load_calendar(&s.db).await?;
    use super::deadlines::Status::*;
    let wanted = |st| matches!(st, Late | Missing | DueSoon);
    let mut out = Vec::new();
    for d in store::list_disasters(&s.db, &scope.prefix, false).await? {
        let reports = store::reports(&s.db, &tree, d.id).await?;
        for st in super::disaster_status(&d, &reports, now, &s.config.reports, &cal) {
            let div = if st.by == "city" {
                d.division.clone()
            } else {
                st.by.clone()
            };
            if wanted(st.status) && div.starts_with(&scope.prefix)
                || wanted(st.status) && st.by == "city" && scope.prefix.len() <= 4
            {
                out.push(Overdue {
                    entity: "disaster".into(),
                    id: d.id,
                    name: d.name.clone(),
                    division_name: tree.name(&div),
                    division: div,
                    step: st,
                });
            }
        }
    }
    let investigations = store::investigations(&s.db, &ascope.prefix).await?;
    for a in store::list_accidents(&s.db, &ascope.prefix).await? {
        for st in super::accident_status(&a, investigations.get(&a.id), now, &s.config.reports) {
            if wanted(st.status) {
                out.push(Overdue {
                    entity: "accident".into(),
                    id: a.id,
                    name: a.name.clone(),
                    division: a.division.clone(),
                    division_name: tree.name(&a.division),
                    step: st,
                });
            }
        }
    }
    out.sort_by_key(|o| o.step.due);
    Ok(axum::Json(out))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CalendarBody {
    /// holiday or workday (调休上班)
    pub kind: String,
}

#[utoipa::path(put, path = "/api/v1/calendar/{day}", tag = "reports", params(("day" = String, Path, description = "YYYY-MM-DD")), request_body = CalendarBody, responses((status = 204)))]
async fn set_calendar_day(
    State(s): State<AppState>,
    p: Principal,
    Path(day): Path<String>,
    Json(b): Json<CalendarBody>,
) -> Result<StatusCode, ApiError> {
    authorize(&p, Action::Admin, "calendar")?;
    crate::clock::parse_date(&day)
        .ok_or_else(|| ApiError::field("day", "not_a_date", "应为 YYYY-MM-DD（1900–2199 年）"))?;
    if !matches!(b.kind.as_str(), "holiday" | "workday") {
        return Err(ApiError::field(
            "kind",
            "unknown_day_kind",
            "应为 holiday 或 workday",
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    let mut tx = s.change().await?;
    store::set_calendar_day(&mut tx, &day, &b.kind).await?;
    tx.commit(
        now,
        vec![entry(
            &p,
            "calendar",
            0,
            p.division.as_str(),
            "updated",
            json!({ "day": day, "kind": b.kind }),
        )],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// xlsx (default) or csv
    pub format: Option<String>,
}

/// 灾情快报表 and the two ledgers as XLSX (or the quick-report table as CSV).
#[utoipa::path(get, path = "/api/v1/disasters/{id}/export", tag = "reports", params(("id" = i64, Path), ExportParams),
    responses((status = 200, description = "XLSX with 灾情快报表, 因灾死亡失踪人口一览表, 因灾倒塌损坏住房户一览表; or CSV")))]
async fn export_disaster(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Query(q): Query<ExportParams>,
) -> Result<Response, ApiError> {
    use axum::http::header;
    let (d, scope) = load_visible(&s, &p, id, Action::Read).await?;
    let mut reports = store::reports(&s.db, &s.tree(), id).await?;
    super::retain_visible(&mut reports, &scope);
    let now_local = crate::clock::format_local(time::OffsetDateTime::now_utc());
    let (bytes, mime, ext) = match q.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => (
            super::export::quick_report_xlsx(&d, &reports, &now_local, &s.config.reports.form),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "csv" => (
            super::export::quick_report_csv(&d, &reports),
            "text/csv; charset=utf-8",
            "csv",
        ),
        _ => {
            return Err(ApiError::field(
                "format",
                "unknown_format",
                "应为 xlsx 或 csv",
            ))
        }
    };
    let bytes = bytes.map_err(ApiError::Internal)?;
    let name = format!("灾情快报表-{}.{ext}", d.id);
    let disposition = format!(
        "attachment; filename=\"disaster-{}.{ext}\"; filename*=UTF-8''{}",
        d.id,
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// 信息专报 of a disaster as a Word document (`reports::bulletin`), from
/// the reports the reader may see.
#[utoipa::path(get, path = "/api/v1/disasters/{id}/bulletin.docx", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, description = "信息专报 (.docx): the situation, figures by unit, reports filed; Beijing time")))]
async fn disaster_bulletin_docx(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (d, scope) = load_visible(&s, &p, id, Action::Read).await?;
    let tree = s.tree();
    let mut reports = store::reports(&s.db, &tree, id).await?;
    super::retain_visible(&mut reports, &scope);
    let now = time::OffsetDateTime::now_utc();
    let made = format!("{} 由 {} 导出", crate::clock::format_local(now), p.username);
    let unit = tree.name(p.division.as_str());
    let area: Vec<String> = super::counties_of(&d.townships)
        .iter()
        .filter(|c| c.starts_with(&scope.prefix))
        .map(|c| tree.name(c))
        .collect();
    let bytes = super::info_bulletin::document(&d, &unit, &area.join("、"), &reports, &made)
        .write()
        .map_err(|e| ApiError::Internal(format!("docx: {e}")))?;
    Ok(crate::docx::response(
        bytes,
        &format!("bulletin-{}.docx", d.id),
        &format!("信息专报-{}.docx", d.name),
    ))
}
