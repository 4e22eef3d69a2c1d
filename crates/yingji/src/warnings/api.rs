//! HTTP routes of the warning desk: templates, targeting preview, drafts,
//! submit → approve (not by the author) → publish as CAP 1.2, update and
//! cancel by referencing messages, and the public CAP feed (Atom index and
//! each alert as CAP XML).

use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use yingji_cap::china::WarningLevel;
use yingji_cap::{MsgType, Reference};

use super::matcher::{issuer_scope, Matcher};
use super::model::Warning;
use super::store;
use super::{
    build_alert, cap_identifier, default_instruction, parse_level, template, CapInput, TargetSpec,
    Template, WarningCommand, WarningEvent, WarningState, TEMPLATES,
};
use crate::auth::{authorize, Action, Principal, Role, Scope};
use crate::clock::{format_time, parse_time};
use crate::db::{UtcText, Versioned};
use crate::error::{FieldError, Refusal, RuleError};
use crate::http::{command_body, ApiError, Json};
use crate::journal::NewEntry;
use crate::registry::store as rstore;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(templates))
        .routes(routes!(targeting))
        .routes(routes!(list, create))
        .routes(routes!(detail, edit))
        .routes(routes!(event))
        .routes(routes!(revise))
        .routes(routes!(cancel))
        .routes(routes!(deliveries))
        .routes(routes!(cap_preview))
        .routes(routes!(coverage))
        .routes(routes!(feed))
        .routes(routes!(cap_file))
}

/// CAP organisation code of an emergency-management bureau in the
/// identifier (GB/T 35965.1 A.1.2 uses GB/T 4657 codes; 应急管理 = 418).
const ORG_CODE: &str = "418";

fn is_commander(p: &Principal) -> bool {
    matches!(p.role, Role::Commander | Role::Admin)
}

fn level_key(l: WarningLevel) -> &'static str {
    match l {
        WarningLevel::Blue => "blue",
        WarningLevel::Yellow => "yellow",
        WarningLevel::Orange => "orange",
        WarningLevel::Red => "red",
    }
}

fn entry(p: &Principal, w: &Warning, kind: &'static str, payload: Value) -> NewEntry {
    NewEntry::new(
        &p.username,
        "warnings",
        &w.division,
        "warning",
        w.id,
        kind,
        payload,
    )
}

#[utoipa::path(get, path = "/api/v1/warnings/templates", tag = "warnings", responses((status = 200, body = [Template], description = "Hazard templates with the default instruction per level (blue, yellow, orange, red)")))]
async fn templates(p: Principal) -> Result<axum::Json<&'static [Template]>, ApiError> {
    authorize(&p, Action::Read, "warnings")?;
    Ok(axum::Json(TEMPLATES))
}

/// Every record of a registry kind inside the jurisdiction.
async fn all_of(
    s: &AppState,
    scope: &Scope,
    kind: &str,
) -> Result<Vec<crate::registry::Item>, ApiError> {
    Ok(rstore::list(
        &s.db,
        &s.tree(),
        kind,
        scope,
        &rstore::Filter {
            limit: 1_000_000,
            ..Default::default()
        },
    )
    .await?
    .1)
}

/// Who an area reaches (`POST /warnings/targeting`; stored with a warning
/// as its `reach`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reach {
    pub population: i64,
    /// Settlements (villages) inside.
    pub settlements: usize,
    pub townships: usize,
    pub subscribers: usize,
    /// Subscribers reachable per channel (sms, email, webhook).
    pub subscribers_by_channel: BTreeMap<&'static str, i64>,
    pub channels_configured: ChannelsConfigured,
    pub villages: Vec<ReachVillage>,
    pub by_county: Vec<ReachDivision>,
    pub by_township: Vec<ReachDivision>,
    /// CAP geocodes (12-digit division codes).
    pub geocodes: Vec<String>,
    /// Where the figures come from, in words.
    pub basis: String,
}

/// Which delivery channels are configured.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChannelsConfigured {
    pub sms: bool,
    pub email: bool,
    pub webhook: bool,
    pub broadcast: bool,
}

/// A settlement an area reaches.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReachVillage {
    pub id: i64,
    pub name: String,
    pub division: String,
    pub division_name: String,
    pub township: String,
    pub township_name: String,
    pub population: i64,
    pub lon: f64,
    pub lat: f64,
}

/// Population reached in one county or township.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReachDivision {
    pub code: String,
    pub name: String,
    pub population: i64,
}

/// [`reach_of`] as stored with a warning.
async fn reach(
    s: &AppState,
    scope: &Scope,
    spec: &TargetSpec,
) -> Result<(Value, Vec<String>), ApiError> {
    let (r, geocodes) = reach_of(s, scope, spec, true).await?;
    Ok((serde_json::to_value(r).unwrap_or(Value::Null), geocodes))
}

/// Who an area reaches, from the settlement registry inside the issuer's
/// jurisdiction: population, villages and townships touched, per county,
/// and the subscribers inside.
async fn reach_of(
    s: &AppState,
    scope: &Scope,
    spec: &TargetSpec,
    count_subscribers: bool,
) -> Result<(Reach, Vec<String>), ApiError> {
    let m = Matcher::new(&s.tree(), scope, spec).map_err(ApiError::Validation)?;
    let tree = s.tree();
    let settlements = all_of(s, scope, "settlement").await?;
    let mut by_channel: BTreeMap<&str, i64> = [("sms", 0), ("email", 0), ("webhook", 0)]
        .into_iter()
        .collect();
    let mut subscribers = 0usize;
    // Subscribers are read a page at a time (a county may hold a million:
    // never all in memory at once). Only organisation-free scopes count
    // them (subscribers belong to no organisation).
    let mut after = if count_subscribers && scope.org.is_none() {
        Some(0)
    } else {
        None
    };
    while let Some(from) = after {
        let page = store::subscribers_after(&s.db, &scope.prefix, from, 10_000).await?;
        after = (page.len() == 10_000).then(|| page.last().map_or(from, |p| p.id));
        for sub in page {
            if !m.contains(&sub.division, sub.lon, sub.lat) {
                continue;
            }
            subscribers += 1;
            let has = |k: &str| {
                sub.attrs
                    .get(k)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.trim().is_empty())
            };
            for (ch, yes) in [
                ("sms", !sub.phone.trim().is_empty()),
                ("email", has("email")),
                ("webhook", has("webhook_url")),
            ] {
                if yes {
                    *by_channel.entry(ch).or_default() += 1;
                }
            }
        }
    }
    let cfg = &s.config.warnings.channels;
    let mut village_list = Vec::new();
    let mut population = 0i64;
    let mut villages = 0usize;
    let mut townships: BTreeMap<String, i64> = BTreeMap::new();
    let mut counties: BTreeMap<String, i64> = BTreeMap::new();
    for st in &settlements {
        if !m.contains(&st.division, st.lon, st.lat) {
            continue;
        }
        let pop = st
            .attrs
            .get("population")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        population += pop;
        villages += 1;
        let township = super::township_of(&st.division);
        village_list.push(ReachVillage {
            id: st.id,
            name: st.name.clone(),
            division: st.division.clone(),
            division_name: tree.name(&st.division),
            township_name: tree.name(&township),
            township: township.clone(),
            population: pop,
            lon: st.lon,
            lat: st.lat,
        });
        *townships.entry(township).or_default() += pop;
        let c = st.division.get(..6).unwrap_or(&st.division).to_string();
        *counties.entry(c).or_default() += pop;
    }
    // CAP geocodes: the divisions chosen, and the townships a drawn shape touches.
    let mut geocodes: Vec<String> = spec
        .divisions
        .iter()
        .filter_map(|d| crate::divisions::Code::parse(d).ok())
        .map(|c| format!("{:0<12}", c.as_str()))
        .collect();
    for t in townships.keys() {
        if m.drawn_not_chosen(t) {
            geocodes.push(format!("{t:0<12}"));
        }
    }
    geocodes.sort();
    geocodes.dedup();
    let divisions = |m: &BTreeMap<String, i64>| -> Vec<ReachDivision> {
        m.iter()
            .map(|(c, p)| ReachDivision {
                code: c.clone(),
                name: tree.name(c),
                population: *p,
            })
            .collect()
    };
    let r = Reach {
        population,
        settlements: villages,
        townships: townships.len(),
        subscribers,
        subscribers_by_channel: by_channel,
        channels_configured: ChannelsConfigured {
            sms: cfg.sms.is_some(),
            email: cfg.email.is_some(),
            webhook: true,
            broadcast: cfg.broadcast.is_some(),
        },
        villages: village_list,
        by_county: divisions(&counties),
        by_township: divisions(&townships),
        geocodes: geocodes.clone(),
        basis: "居民点人口登记（settlement）中位于范围内或所选区划内的居民点".into(),
    };
    Ok((r, geocodes))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaBody {
    pub area: TargetSpec,
}

#[utoipa::path(post, path = "/api/v1/warnings/targeting", tag = "warnings", request_body = AreaBody,
    responses((status = 200, body = Reach, description = "Population, settlements and townships the area reaches (before approval)")))]
async fn targeting(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<AreaBody>,
) -> Result<axum::Json<Reach>, ApiError> {
    let scope = authorize(&p, Action::Read, "warnings")?;
    Ok(axum::Json(reach_of(&s, &scope, &b.area, true).await?.0))
}

/// A draft (also the body of an edit, with `version`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    pub version: Option<i64>,
    /// A template key (rainstorm, gale, forest_fire, geohazard, cold_wave, earthquake, suspension).
    pub hazard: String,
    /// blue | yellow | orange | red (or 蓝/黄/橙/红, Ⅳ–Ⅰ).
    pub level: String,
    #[serde(default)]
    pub headline: String,
    pub description: String,
    /// Default: the template's instruction for the level.
    pub instruction: Option<String>,
    pub area: TargetSpec,
    pub area_desc: String,
    pub onset_at: Option<String>,
    pub expires_at: String,
    #[serde(default)]
    pub exercise: bool,
}

/// Validate a draft body into the warning's fields (all problems at once).
fn apply(b: &DraftBody, w: &mut Warning, now: OffsetDateTime) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let t = template(&b.hazard);
    if t.is_none() {
        errors.push(FieldError::new("hazard", "未知的预警种类").code("unknown_hazard"));
    }
    let level = parse_level(&b.level);
    if let Err(RuleError::Field(e)) = &level {
        errors.push(e.clone());
    }
    if b.description.trim().is_empty() || b.description.chars().count() > 2000 {
        errors.push(
            FieldError::new("description", "必填，最多 2000 字")
                .code("required_max")
                .param("max", 2000),
        );
    }
    if b.area_desc.trim().is_empty() || b.area_desc.chars().count() > 200 {
        errors.push(
            FieldError::new("area_desc", "必填，最多 200 字")
                .code("required_max")
                .param("max", 200),
        );
    }
    if b.headline.chars().count() > 200 {
        errors.push(FieldError::too_long("headline", 200));
    }
    let expires = parse_time(&b.expires_at);
    match expires {
        None => errors.push(FieldError::new("expires_at", "不是带时区的时间").code("not_a_time")),
        Some(e) if e <= now => {
            errors.push(FieldError::new("expires_at", "失效时间应晚于现在").code("expires_in_past"))
        }
        _ => {}
    }
    let onset = match b.onset_at.as_deref() {
        None | Some("") => Ok(None),
        Some(o) => parse_time(o).map(Some).ok_or(()),
    };
    match (&onset, expires) {
        (Err(()), _) => {
            errors.push(FieldError::new("onset_at", "不是带时区的时间").code("not_a_time"))
        }
        (Ok(Some(o)), Some(e)) if *o >= e => errors
            .push(FieldError::new("onset_at", "开始时间应早于失效时间").code("onset_after_expiry")),
        _ => {}
    }
    errors.extend(b.area.check());
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (Some(t), Ok(level), Some(expires), Ok(onset)) = (t, level, expires, onset) else {
        return Err(ApiError::BadRequest("invalid warning".into()));
    };
    w.hazard = t.key.into();
    w.level = level_key(level).into();
    w.headline = b.headline.trim().into();
    w.description = b.description.trim().into();
    w.instruction = b
        .instruction
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .unwrap_or(default_instruction(t, level))
        .into();
    w.area = b.area.clone();
    w.area_desc = b.area_desc.trim().into();
    w.onset_at = onset.map(UtcText);
    w.expires_at = expires.into();
    w.exercise = b.exercise;
    Ok(())
}

/// A new draft's record before [`apply`] fills it (which sets the times).
fn blank(p: &Principal, division: &str, now: OffsetDateTime) -> Warning {
    Warning {
        id: 0,
        identifier: None,
        hazard: String::new(),
        level: String::new(),
        msg_type: "Alert".into(),
        refers_to: None,
        headline: String::new(),
        description: String::new(),
        instruction: String::new(),
        area: TargetSpec::default(),
        area_desc: String::new(),
        onset_at: None,
        expires_at: now.into(),
        exercise: false,
        division: division.into(),
        state: WarningState::Draft,
        author: p.username.clone(),
        approver: String::new(),
        note: String::new(),
        reach: json!({}),
        cap_xml: None,
        sent_at: None,
        created_at: now.into(),
        updated_at: now.into(),
        version: 1,
    }
}

/// A warning as the API shows it: the stored warning with its labels and,
/// once published, where its CAP file is.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WarningView {
    #[serde(flatten)]
    pub warning: Warning,
    pub state_zh: String,
    pub division_name: String,
    /// Only once the warning has a CAP identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_url: Option<String>,
    /// What the reader may do to it now (`warnings::warning_allowed`):
    /// edit | submit | approve | reject | publish | revise | cancel. Filled
    /// where the reader is known (the detail and a step's answer).
    pub allowed_events: Vec<&'static str>,
    /// In force when answered (`warnings::in_force_at`): published, not a
    /// cancellation message, not expired.
    pub in_force: bool,
}

/// The view of `w` with what `p` may do to it now.
pub(crate) fn view_for(w: &Warning, s: &AppState, p: &Principal) -> WarningView {
    let may_write =
        authorize(p, Action::Write, "warnings").is_ok_and(|sc| sc.covers(&w.division, ""));
    WarningView {
        allowed_events: super::warning_allowed(
            w.state,
            &w.author,
            w.msg_type == "Cancel",
            &p.username,
            is_commander(p),
            may_write,
        ),
        ..view_typed(w, s)
    }
}

fn view_typed(w: &Warning, s: &AppState) -> WarningView {
    WarningView {
        allowed_events: Vec::new(),
        in_force: super::in_force_at(
            w.state,
            w.msg_type == "Cancel",
            w.expires_at.0,
            OffsetDateTime::now_utc(),
        ),
        warning: w.clone(),
        state_zh: w.state.label_zh().into(),
        division_name: s.tree().name(&w.division),
        cap_url: w
            .identifier
            .as_ref()
            .map(|id| format!("/api/v1/public/cap/{id}.xml")),
    }
}

#[utoipa::path(post, path = "/api/v1/warnings", tag = "warnings", request_body = DraftBody,
    responses((status = 201, body = WarningView, description = "A draft, with who its area reaches"), (status = 422, body = crate::http::error::Problem)))]
async fn create(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<DraftBody>,
) -> Result<Response, ApiError> {
    let w = create_draft(&s, &p, &b, None).await?;
    Ok((StatusCode::CREATED, axum::Json(view_for(&w, &s, &p))).into_response())
}

/// Validate and store a new draft, journaled `drafted`; `relay_of` names the
/// upstream alert it relays (published with a reference to it).
pub(crate) async fn create_draft(
    s: &AppState,
    p: &Principal,
    b: &DraftBody,
    relay_of: Option<i64>,
) -> Result<Warning, ApiError> {
    let scope = authorize(p, Action::Write, "warnings")?;
    let now = OffsetDateTime::now_utc();
    let mut w = blank(p, p.division.as_str(), now);
    apply(b, &mut w, now)?;
    w.reach = reach(s, &scope, &w.area).await?.0;
    let mut tx = s.change().await?;
    w.id = store::insert(&mut tx, &w).await?;
    if let Some(up) = relay_of {
        crate::upstream::store::add_relay(&mut tx, up, w.id, &format_time(now)).await?;
    }
    tx.commit(
        now,
        vec![entry(
            p,
            &w,
            "drafted",
            json!({ "hazard": w.hazard, "level": w.level, "relay_of": relay_of }),
        )],
    )
    .await?;
    Ok(w)
}

async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<(Warning, Scope), ApiError> {
    let scope = authorize(p, action, "warnings")?;
    let w = store::get(&s.db, id)
        .await?
        .filter(|w| scope.covers(&w.division, ""))
        .ok_or(ApiError::NotFound)?;
    Ok((w, scope))
}

#[utoipa::path(put, path = "/api/v1/warnings/{id}", tag = "warnings", request_body = DraftBody,
    responses((status = 200, body = WarningView, description = "The edited draft")))]
async fn edit(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DraftBody>,
) -> Result<axum::Json<WarningView>, ApiError> {
    let (mut w, scope) = load(&s, &p, id, Action::Write).await?;
    w.expect_sent(b.version)?;
    if w.state != WarningState::Draft {
        return Err(ApiError::Refused(Refusal::new(
            "warning_not_draft_edit",
            "只有草稿可以修改",
        )));
    }
    let now = OffsetDateTime::now_utc();
    apply(&b, &mut w, now)?;
    w.reach = reach(&s, &scope, &w.area).await?.0;
    w.updated_at = now.into();
    s.save_and_commit(&w, now, vec![entry(&p, &w, "edited", json!({}))])
        .await?;
    let w = store::get(&s.db, id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(view_for(&w, &s, &p)))
}

#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", responses((status = 200, body = [WarningView], description = "Warnings of the jurisdiction, newest first")))]
async fn list(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<WarningView>>, ApiError> {
    let scope = authorize(&p, Action::Read, "warnings")?;
    let ws = store::list(&s.db, &scope.prefix, false).await?;
    // The list leaves out each area's village list (the detail has it).
    Ok(axum::Json(
        ws.iter()
            .map(|w| {
                let mut v = view_typed(w, &s);
                if let Value::Object(r) = &mut v.warning.reach {
                    r.remove("villages");
                }
                v
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "warnings", responses((status = 200, body = WarningView, description = "One warning")))]
async fn detail(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<WarningView>, ApiError> {
    let (w, _) = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(view_for(&w, &s, &p)))
}

/// A warning composed as a CAP message (not yet stored).
struct Composed {
    identifier: String,
    xml: String,
    problems: Vec<super::CapProblem>,
    reach: Value,
}

/// Compose `w` as the CAP message it would be if sent at `now` with
/// sequence digit `seq`, and check it (CAP 1.2 rules and the Chinese profile).
async fn compose(
    s: &AppState,
    w: &Warning,
    references: Vec<Reference>,
    now: OffsetDateTime,
    seq: u8,
) -> Result<Composed, ApiError> {
    // Settlements and townships now (the geocodes come from them); the
    // subscriber figures as last computed for the draft (the same area):
    // counting a million subscribers again would hold publication up for
    // half a minute, and the planner reads them anyway.
    let (r, geocodes) = reach_of(s, &issuer_scope(w), &w.area, false).await?;
    let mut reach = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut reach {
        for k in ["subscribers", "subscribers_by_channel"] {
            if let Some(v) = w.reach.get(k) {
                m.insert(k.into(), v.clone());
            }
        }
    }
    let div6 = w.division.get(..6).unwrap_or("140200");
    let identifier = cap_identifier(div6, ORG_CODE, now, seq)?;
    let t = template(&w.hazard).ok_or_else(|| ApiError::Internal("template".into()))?;
    let level = parse_level(&w.level)?;
    let sender_name = format!("{}应急管理局", s.tree().name(&w.division));
    let expires = w.expires_at.0;
    let onset = w.onset_at.map(|o| o.0);
    let msg_type = match w.msg_type.as_str() {
        "Update" => MsgType::Update,
        "Cancel" => MsgType::Cancel,
        _ => MsgType::Alert,
    };
    let alert = build_alert(&CapInput {
        identifier: &identifier,
        sender: &format!("yingji@{}", div6),
        sender_name: &sender_name,
        sent: now,
        exercise: w.exercise,
        msg_type,
        references,
        template: t,
        level,
        headline: Some(w.headline.as_str()).filter(|h| !h.is_empty()),
        description: &w.description,
        instruction: &w.instruction,
        onset,
        expires,
        area_desc: &w.area_desc,
        area: &w.area,
        geocodes: &geocodes,
        web: None,
    })?;
    let xml = yingji_cap::to_xml(&alert);
    let mut found = yingji_cap::validate(xml.as_bytes()).problems;
    found.extend(yingji_cap::china::profile_problems(&alert));
    Ok(Composed {
        identifier,
        xml,
        problems: super::cap_problems(&found),
        reach,
    })
}

/// The blocking CAP problems as a 422, field by field with element paths.
fn refuse_invalid(problems: &[super::CapProblem]) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = problems
        .iter()
        .filter(|p| p.blocking)
        .map(|p| {
            let e = match p.code.as_str() {
                "expires-before-effective" => FieldError::new(
                    &p.field,
                    "失效时间已过（早于发布时间），请修改失效时间后重新提交",
                )
                .code("expires_in_past"),
                "expires-before-onset" => {
                    FieldError::new(&p.field, "失效时间早于开始时间").code("onset_after_expiry")
                }
                _ => FieldError::new(
                    &p.field,
                    format!("CAP 校验未通过（{}）：{}", p.code, p.message),
                )
                .code("cap_invalid")
                .param("rule", p.code.as_str())
                .param("detail", p.message.as_str()),
            };
            e.cap_path(&p.cap_path)
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Publish `w` now as CAP: identifier, XML, sent time. The caller saves it.
/// A message with a blocking problem is never sent: 422 naming the fields.
async fn send(
    s: &AppState,
    tx: &mut crate::db::Tx,
    w: &mut Warning,
    references: Vec<Reference>,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let sent_at = UtcText(now);
    let seq = store::sent_at_count(tx, sent_at).await?;
    let c = compose(s, w, references, now, seq as u8).await?;
    refuse_invalid(&c.problems)?;
    w.reach = c.reach;
    w.identifier = Some(c.identifier);
    w.cap_xml = Some(c.xml);
    w.sent_at = Some(sent_at);
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}/cap", tag = "warnings", responses((status = 200, body = CapPreview, description = "The CAP XML: as sent, or (not yet sent) as it would be sent now, with its problems per draft field and element path")))]
async fn cap_preview(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<CapPreview>, ApiError> {
    let (w, _) = load(&s, &p, id, Action::Read).await?;
    if let (Some(xml), Some(ident)) = (&w.cap_xml, &w.identifier) {
        let mut found = yingji_cap::validate(xml.as_bytes()).problems;
        if let Ok(doc) = yingji_cap::parse(xml.as_bytes()) {
            found.extend(yingji_cap::china::profile_problems(&doc.alert));
        }
        let problems = super::cap_problems(&found);
        return Ok(axum::Json(CapPreview {
            sent: true,
            identifier: ident.clone(),
            sms_text: sms_text(&s, xml),
            xml: xml.clone(),
            valid: !problems.iter().any(|p| p.blocking),
            problems,
        }));
    }
    let references = references_of(&s, &w).await?;
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let c = compose(&s, &w, references, now, 0).await?;
    Ok(axum::Json(CapPreview {
        sent: false,
        identifier: c.identifier,
        sms_text: sms_text(&s, &c.xml),
        xml: c.xml,
        valid: !c.problems.iter().any(|p| p.blocking),
        problems: c.problems,
    }))
}

/// The text a subscriber's phone shows for this CAP message: the channel
/// message's short text (yingji_channels::Message::from_alert) and, when an
/// SMS gateway is configured, its `【signature】` and length limit
/// (yingji_channels::signed_text) — the same functions the delivery worker
/// uses, so the preview is what goes out.
fn sms_text(s: &AppState, xml: &str) -> Option<String> {
    let cfg = &s.config.warnings.channels;
    let doc = yingji_cap::parse(xml.as_bytes()).ok()?;
    let text = yingji_channels::Message::from_alert(&doc.alert, &cfg.message).text;
    Some(match &cfg.sms {
        Some(sms) => {
            yingji_channels::signed_text(&sms.sign, &text, sms.sign_in_text, sms.max_chars)
        }
        None => text,
    })
}

/// A warning's CAP message: as sent, or as it would be sent now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CapPreview {
    pub sent: bool,
    pub identifier: String,
    /// The SMS text as a subscriber's phone would show it (None: the XML does
    /// not parse).
    pub sms_text: Option<String>,
    pub xml: String,
    /// No blocking problem.
    pub valid: bool,
    pub problems: Vec<super::CapProblem>,
}

/// Coverage of a sent warning (`GET /warnings/{id}/coverage`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct WarningCoverage {
    #[serde(flatten)]
    pub figures: super::Coverage,
    pub warning_id: i64,
    pub identifier: Option<String>,
    pub state: super::WarningState,
    pub sent: bool,
    /// How reached population is counted, in words.
    pub rule: String,
    /// Whether a channel that reaches population (public-address
    /// broadcast or cell broadcast) is configured.
    pub broadcast_configured: bool,
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}/coverage", tag = "warnings", responses((status = 200, body = WarningCoverage, description = "Targeted vs reached population and recipients per channel and per division, with the 90 % indicator")))]
async fn coverage(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<WarningCoverage>, ApiError> {
    let (w, _) = load(&s, &p, id, Action::Read).await?;
    let counted = super::jobs::coverage_rows(&s.db, w.id).await?;
    let targets: Vec<(String, String, i64)> = w
        .reach
        .get("by_township")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter_map(|t| {
                    Some((
                        t.get("code")?.as_str()?.to_string(),
                        t.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        t.get("population").and_then(Value::as_i64).unwrap_or(0),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let facts: Vec<super::DeliveryFact<'_>> =
        counted.iter().map(super::jobs::CoverageRow::fact).collect();
    let mut c = super::coverage(&targets, &facts);
    let tree = s.tree();
    for row in &mut c.by_division {
        if row.name.is_empty() {
            row.name = tree.name(&row.code);
        }
    }
    Ok(axum::Json(WarningCoverage {
        figures: c,
        warning_id: w.id,
        identifier: w.identifier.clone(),
        state: w.state,
        sent: w.sent_at.is_some(),
        rule: super::COVERAGE_RULE.into(),
        broadcast_configured: s.config.warnings.channels.broadcast.is_some()
            || s.config.warnings.channels.cell_broadcast.is_some(),
    }))
}

/// The message an Update refers to, as a CAP reference (none for an Alert).
async fn references_of(s: &AppState, w: &Warning) -> Result<Vec<Reference>, ApiError> {
    Ok(match w.refers_to {
        Some(old) => store::get(&s.db, old)
            .await?
            .as_ref()
            .and_then(reference_of)
            .into_iter()
            .collect(),
        None => Vec::new(),
    })
}

fn reference_of(w: &Warning) -> Option<Reference> {
    let xml = w.cap_xml.as_deref()?;
    yingji_cap::parse(xml.as_bytes())
        .ok()
        .map(|d| Reference::to(&d.alert))
}

command_body! {
    /// A step of the approval: the version read and the command.
    #[schema(as = WarningEventBody)]
    pub struct EventBody { command: WarningCommand }
}

#[utoipa::path(post, path = "/api/v1/warnings/{id}/events", tag = "warnings", request_body = EventBody,
    responses((status = 200, body = WarningView, description = "The warning after the step, with what the user may do now"), (status = 409, body = crate::http::error::Problem)))]
async fn event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<EventBody>,
) -> Result<axum::Json<WarningView>, ApiError> {
    let (mut w, _) = load(&s, &p, id, Action::Write).await?;
    w.expect_version(b.version)?;
    if super::commander_only(&b.command) && !is_commander(&p) {
        return Err(ApiError::NotAllowed(Refusal::new(
            "warning_commander_only",
            "预警须由指挥长（领导）审批、签发",
        )));
    }
    let ev = b.command.event(&p.username);
    let from = w.state;
    w.state = from.transition(&ev, &w.author)?;
    if ev == WarningEvent::Submit {
        // What goes to approval must be sendable: its CAP is checked now.
        let now = OffsetDateTime::now_utc();
        let references = references_of(&s, &w).await?;
        let c = compose(
            &s,
            &w,
            references,
            now.replace_nanosecond(0).unwrap_or(now),
            0,
        )
        .await?;
        refuse_invalid(&c.problems)?;
    }
    let now = OffsetDateTime::now_utc();
    w.updated_at = now.into();
    match &ev {
        WarningEvent::Approve { approver } => w.approver = approver.clone(),
        WarningEvent::Reject { reason } => w.note = reason.clone(),
        _ => {}
    }
    let mut tx = s.change().await?;
    let mut entries = Vec::new();
    if ev == WarningEvent::Publish {
        let mut references = Vec::new();
        if let Some(old_id) = w.refers_to {
            // An Update replaces the warning it refers to.
            if let Some(mut old) = store::get_tx(&mut tx, old_id).await? {
                references.extend(reference_of(&old));
                old.state = old
                    .state
                    .transition(&WarningEvent::Supersede, &old.author)?;
                old.updated_at = now.into();
                tx.save(&old).await?;
                entries.push(entry(&p, &old, "superseded", json!({ "by": w.id })));
            }
        }
        // A relay refers to the upstream alert it passes on.
        if let Some((sender, identifier, sent)) =
            crate::upstream::store::relay_of(&mut tx, w.id).await?
        {
            let sent = yingji_cap::DateTime::parse(&sent)
                .map_err(|e| ApiError::Internal(format!("upstream sent {sent:?}: {e}")))?;
            references.push(Reference {
                sender,
                identifier,
                sent,
            });
        }
        send(&s, &mut tx, &mut w, references, now).await?;
    }
    tx.save(&w).await?;
    // The deliveries are planned in the background (`jobs::plan_step`,
    // journaled as `deliveries_planned` when done): publishing answers at once.
    if let (WarningEvent::Publish, Some(ident)) = (&ev, w.identifier.as_deref()) {
        super::jobs::enqueue_plan(&mut tx, w.id, ident, now).await?;
    }
    entries.insert(
        0,
        entry(&p, &w, ev.as_str(), json!({ "from": from.as_str(), "to": w.state.as_str(), "identifier": w.identifier, "reason": match &ev { WarningEvent::Reject { reason } => Some(reason), _ => None } })),
    );
    tx.commit(now, entries).await?;
    super::jobs::wake_planner();
    let w = store::get(&s.db, id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(view_for(&w, &s, &p)))
}

#[utoipa::path(post, path = "/api/v1/warnings/{id}/revise", tag = "warnings",
    responses((status = 201, body = WarningView, description = "A draft Update of a published warning (approved and published like any warning)")))]
async fn revise(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (old, _) = load(&s, &p, id, Action::Write).await?;
    if !old.state.in_force() || old.msg_type == "Cancel" {
        return Err(ApiError::Refused(Refusal::new(
            "warning_not_active_update",
            "只有生效中的预警可以更新",
        )));
    }
    let now = OffsetDateTime::now_utc();
    let mut w = old.clone();
    w.id = 0;
    w.identifier = None;
    w.msg_type = "Update".into();
    w.refers_to = Some(old.id);
    w.state = WarningState::Draft;
    w.author = p.username.clone();
    w.approver = String::new();
    w.note = String::new();
    w.cap_xml = None;
    w.sent_at = None;
    w.created_at = now.into();
    w.updated_at = now.into();
    w.version = 1;
    let mut tx = s.change().await?;
    w.id = store::insert(&mut tx, &w).await?;
    tx.commit(
        now,
        vec![entry(&p, &w, "drafted", json!({ "updates": old.id }))],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(view_for(&w, &s, &p))).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    pub version: i64,
    pub reason: String,
}

/// 解除: the cancelled warning and the Cancel message published for it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Cancelled {
    pub cancelled: WarningView,
    pub cancel_message: WarningView,
}

#[utoipa::path(post, path = "/api/v1/warnings/{id}/cancel", tag = "warnings", request_body = CancelBody,
    responses((status = 200, body = Cancelled, description = "解除: a Cancel message referencing the warning is published; the warning is cancelled")))]
async fn cancel(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<CancelBody>,
) -> Result<axum::Json<Cancelled>, ApiError> {
    let (mut old, _) = load(&s, &p, id, Action::Write).await?;
    if !is_commander(&p) {
        return Err(ApiError::NotAllowed(Refusal::new(
            "warning_cancel_commander_only",
            "解除预警须由指挥长（领导）签发",
        )));
    }
    old.expect_version(b.version)?;
    let ev = WarningEvent::Cancel {
        reason: b.reason.clone(),
    };
    old.state = old.state.transition(&ev, &old.author)?;
    let now = OffsetDateTime::now_utc();
    old.note = b.reason.trim().into();
    old.updated_at = now.into();
    let mut c = old.clone();
    c.id = 0;
    c.msg_type = "Cancel".into();
    c.refers_to = Some(old.id);
    c.state = WarningState::Published;
    c.author = p.username.clone();
    c.approver = p.username.clone();
    c.description = format!("{}（{}）", b.reason.trim(), old.headline);
    c.instruction = "预警解除，请恢复正常生产生活秩序。".into();
    c.created_at = now.into();
    let mut tx = s.change().await?;
    let references: Vec<Reference> = reference_of(&old).into_iter().collect();
    send(&s, &mut tx, &mut c, references, now).await?;
    tx.save(&old).await?;
    c.id = store::insert(&mut tx, &c).await?;
    if let Some(ident) = c.identifier.as_deref() {
        super::jobs::enqueue_plan(&mut tx, c.id, ident, now).await?;
    }
    tx.commit(
        now,
        vec![
            entry(
                &p,
                &old,
                "cancel",
                json!({ "reason": b.reason, "by": c.id }),
            ),
            entry(
                &p,
                &c,
                "publish",
                json!({ "identifier": c.identifier, "cancels": old.id }),
            ),
        ],
    )
    .await?;
    super::jobs::wake_planner();
    let old = store::get(&s.db, id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(Cancelled {
        cancelled: view_for(&old, &s, &p),
        cancel_message: view_for(&c, &s, &p),
    }))
}

// The public CAP feed: published alerts are public by definition (the
// purpose of a warning is to be read); like `/healthz`, these two routes are
// deliberately outside authentication and serve nothing but sent CAP.

#[utoipa::path(get, path = "/api/v1/public/cap/feed.atom", tag = "warnings", responses((status = 200, description = "Atom index of the sent CAP alerts (application/atom+xml)")))]
async fn feed(State(s): State<AppState>) -> Result<Response, ApiError> {
    let ws = store::list(&s.db, "", true).await?;
    let entries: Vec<yingji_channels::FeedEntry> = ws
        .iter()
        .filter_map(|w| {
            let id = w.identifier.as_deref()?;
            let doc = yingji_cap::parse(w.cap_xml.as_deref()?.as_bytes()).ok()?;
            Some(yingji_channels::FeedEntry::from_alert(
                &doc.alert,
                &format!("/api/v1/public/cap/{id}.xml"),
                "zh-CN",
            ))
        })
        .collect();
    let info = yingji_channels::FeedInfo {
        id: "urn:yingji:cap-feed".into(),
        title: "突发事件预警信息".into(),
        subtitle: Some("yingji CAP 1.2".into()),
        self_url: "/api/v1/public/cap/feed.atom".into(),
        html_url: None,
        author_name: "应急管理局".into(),
        author_email: None,
        author_uri: None,
        language: Some("zh-CN".into()),
        updated: None,
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        yingji_channels::atom_index(&info, &entries),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/public/cap/{file}", tag = "warnings", responses((status = 200, description = "One sent alert as CAP 1.2 XML (application/cap+xml); file = IDENTIFIER.xml")))]
async fn cap_file(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let id = file.strip_suffix(".xml").ok_or(ApiError::NotFound)?;
    let w = store::by_identifier(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let xml = w.cap_xml.ok_or(ApiError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}/deliveries", tag = "warnings", responses((status = 200, body = Deliveries, description = "Per-recipient delivery records (dead letters included) and counts per channel and state")))]
async fn deliveries(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<Deliveries>, ApiError> {
    let (w, _) = load(&s, &p, id, Action::Read).await?;
    let (mut list, counts) = super::jobs::of_warning(&s.db, w.id).await?;
    // Recipients are subscribers' personal data: in clear only for a reader
    // who may read the subscriber registry in clear there.
    let clear = authorize(&p, Action::ReadPersonal, "registry.subscriber").ok();
    for d in &mut list {
        if !clear.as_ref().is_some_and(|c| c.covers(&d.division, "")) {
            if let Value::Object(r) = &mut d.recipient {
                for k in ["phone", "address", "url"] {
                    if let Some(v) = r.get_mut(k) {
                        *v = crate::registry::mask(v);
                    }
                }
            }
        }
    }
    Ok(axum::Json(Deliveries {
        counts,
        deliveries: list,
    }))
}

/// A warning's delivery records (`GET /warnings/{id}/deliveries`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Deliveries {
    /// Counts per channel and state.
    #[schema(value_type = Object)]
    pub counts: Value,
    pub deliveries: Vec<super::jobs::Delivery>,
}
