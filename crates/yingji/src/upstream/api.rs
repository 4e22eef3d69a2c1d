//! Upstream alerts over HTTP: list, detail, the original CAP, a map layer,
//! the sources' status, a read on demand, and relaying one as a local draft.
//!
//! Authorization: module `warnings` (reading upstream alerts is reading
//! warnings; relaying drafts one). An alert is visible to a user whose
//! jurisdiction it concerns: inside the user's subtree, or holding it (a
//! provincial alert for the whole city concerns every county).

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::store::{self, Filter, UpstreamAlert, UpstreamState};
use super::{hazard_of, jobs, level_key, main_info, relay_refusal};
use crate::auth::{authorize, Action, Principal, Scope};
use crate::db::UtcText;
use crate::error::{FieldError, Refusal};
use crate::http::geojson::{FeatureCollectionTag, FeatureTag, Geometry};
use crate::http::{ApiError, Json, Query};
use crate::state::AppState;
use crate::warnings::{CircleSpec, TargetSpec};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(layer))
        .routes(routes!(detail))
        .routes(routes!(cap))
        .routes(routes!(relay))
        .routes(routes!(sources))
        .routes(routes!(read_now))
}

/// Whether the user of `scope` sees an alert of `jurisdiction`.
fn visible(scope: &Scope, jurisdiction: &str) -> bool {
    jurisdiction.starts_with(&scope.prefix) || scope.prefix.starts_with(jurisdiction)
}

/// An upstream alert as the API shows it. Its `summary` is an
/// `UpstreamSummary` (`{}` when the message could not be read).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UpstreamAlertView {
    #[serde(flatten)]
    pub alert: UpstreamAlert,
    pub jurisdiction_name: String,
    /// The message exactly as received.
    pub cap_url: String,
    /// What the reader may do with it now (`upstream::relay_refusal`):
    /// relay.
    pub allowed_events: Vec<&'static str>,
}

/// One upstream alert with its text (`GET /upstream-alerts/{id}`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UpstreamAlertDetail {
    #[serde(flatten)]
    pub view: UpstreamAlertView,
    /// The message as text.
    pub xml: String,
}

fn view(a: &UpstreamAlert, s: &AppState, p: &Principal, now: OffsetDateTime) -> UpstreamAlertView {
    let may_relay =
        authorize(p, Action::Write, "warnings").is_ok() && relay_refusal(a, now).is_none();
    UpstreamAlertView {
        alert: a.clone(),
        jurisdiction_name: s.tree().name(&format!("{:0<12}", a.jurisdiction)),
        cap_url: format!("/api/v1/upstream-alerts/{}/cap", a.id),
        allowed_events: if may_relay { vec!["relay"] } else { Vec::new() },
    }
}

async fn load(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<UpstreamAlert, ApiError> {
    let scope = authorize(p, action, "warnings")?;
    store::get(&s.db, id)
        .await?
        .filter(|a| visible(&scope, &a.jurisdiction))
        .ok_or(ApiError::NotFound)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Only alerts in force now (active, not expired).
    pub active: Option<bool>,
    /// active | superseded | cancelled | rejected
    pub state: Option<String>,
    pub limit: Option<i64>,
}

fn filter(q: &ListParams) -> Result<Filter, ApiError> {
    let state = match &q.state {
        Some(st) => Some(UpstreamState::parse(st).ok_or_else(|| {
            ApiError::from(
                FieldError::new("state", format!("未知的状态“{st}”"))
                    .code("not_an_option")
                    .param("value", st.clone())
                    .param("options", "active/superseded/cancelled/rejected"),
            )
        })?),
        None => None,
    };
    Ok(Filter {
        active_at: q
            .active
            .unwrap_or(false)
            .then(|| UtcText(OffsetDateTime::now_utc())),
        state,
        limit: q.limit.unwrap_or(200),
    })
}

async fn visible_list(
    s: &AppState,
    p: &Principal,
    q: &ListParams,
) -> Result<Vec<UpstreamAlert>, ApiError> {
    let scope = authorize(p, Action::Read, "warnings")?;
    let f = filter(q)?;
    Ok(store::list(&s.db, &scope.prefix, &f).await?)
}

#[utoipa::path(get, path = "/api/v1/upstream-alerts", tag = "warnings", params(ListParams),
    responses((status = 200, body = [UpstreamAlertView], description = "Upstream alerts concerning the jurisdiction, newest first")))]
async fn list(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<Vec<UpstreamAlertView>>, ApiError> {
    let items = visible_list(&s, &p, &q).await?;
    let now = OffsetDateTime::now_utc();
    Ok(axum::Json(
        items.iter().map(|a| view(a, &s, &p, now)).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/upstream-alerts/{id}", tag = "warnings",
    responses((status = 200, body = UpstreamAlertDetail, description = "The alert, its summary, problems and text")))]
async fn detail(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<UpstreamAlertDetail>, ApiError> {
    let a = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(UpstreamAlertDetail {
        view: view(&a, &s, &p, OffsetDateTime::now_utc()),
        xml: String::from_utf8_lossy(&a.raw).into_owned(),
    }))
}

#[utoipa::path(get, path = "/api/v1/upstream-alerts/{id}/cap", tag = "warnings",
    responses((status = 200, description = "The message exactly as received")))]
async fn cap(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let a = load(&s, &p, id, Action::Read).await?;
    Ok(([(header::CONTENT_TYPE, "application/cap+xml")], a.raw).into_response())
}

#[utoipa::path(get, path = "/api/v1/upstream-alerts/layer", tag = "warnings", params(ListParams),
    responses((status = 200, body = UpstreamLayer, description = "GeoJSON: each alert's polygons (one MultiPolygon feature) and circles (Point features with radius_m)")))]
async fn layer(
    State(s): State<AppState>,
    p: Principal,
    Query(mut q): Query<ListParams>,
) -> Result<axum::Json<UpstreamLayer>, ApiError> {
    q.active = Some(q.active.unwrap_or(true));
    let items = visible_list(&s, &p, &q).await?;
    let mut features = Vec::new();
    for a in &items {
        let sm = &a.summary;
        let text = |k: &str| sm[k].as_str().map(String::from);
        let props = UpstreamFeatureProps {
            id: a.id,
            event: text("event"),
            level: text("level"),
            headline: text("headline"),
            sender: a.sender.clone(),
            sender_name: text("sender_name"),
            expires_at: a.expires_at,
            state: a.state,
            radius_m: None,
        };
        let rings: Vec<Vec<[f64; 2]>> =
            serde_json::from_value(sm["polygons"].clone()).unwrap_or_default();
        if !rings.is_empty() {
            features.push(UpstreamFeature {
                kind: FeatureTag::Feature,
                properties: props.clone(),
                geometry: Geometry::MultiPolygon(rings.into_iter().map(|r| vec![r]).collect()),
            });
        }
        for c in sm["circles"].as_array().into_iter().flatten() {
            let (Some(lon), Some(lat)) = (c["lon"].as_f64(), c["lat"].as_f64()) else {
                continue;
            };
            features.push(UpstreamFeature {
                kind: FeatureTag::Feature,
                properties: UpstreamFeatureProps {
                    radius_m: c["radius_m"].as_f64(),
                    ..props.clone()
                },
                geometry: Geometry::Point([lon, lat]),
            });
        }
    }
    Ok(axum::Json(UpstreamLayer {
        kind: FeatureCollectionTag::FeatureCollection,
        features,
    }))
}

/// `GET /upstream-alerts/layer`: a GeoJSON FeatureCollection.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UpstreamLayer {
    #[serde(rename = "type")]
    pub kind: FeatureCollectionTag,
    pub features: Vec<UpstreamFeature>,
}

/// An alert's polygons (MultiPolygon) or one of its circles (Point).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UpstreamFeature {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    pub properties: UpstreamFeatureProps,
    pub geometry: Geometry,
}

/// What the map shows of an alert (from its summary).
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct UpstreamFeatureProps {
    pub id: i64,
    pub event: Option<String>,
    pub level: Option<String>,
    pub headline: Option<String>,
    pub sender: String,
    pub sender_name: Option<String>,
    pub expires_at: Option<UtcText>,
    pub state: UpstreamState,
    /// A circle's radius (Point features only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius_m: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/upstream-sources", tag = "warnings",
    responses((status = 200, body = [SourceView], description = "Configured sources and their last reads")))]
async fn sources(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<SourceView>>, ApiError> {
    authorize(&p, Action::Read, "warnings")?;
    Ok(axum::Json(
        s.config
            .upstream
            .sources
            .iter()
            .map(|src| SourceView {
                name: src.name.clone(),
                url: src.url.clone(),
                dir: src.dir.clone(),
                interval_s: src.interval_s,
                status: s.upstream.status(&src.name),
            })
            .collect(),
    ))
}

/// A configured upstream source and its last reads.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceView {
    pub name: String,
    pub url: Option<String>,
    #[schema(value_type = Option<String>)]
    pub dir: Option<std::path::PathBuf>,
    pub interval_s: u64,
    pub status: super::jobs::SourceStatus,
}

/// What became of each message read.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReadNow {
    pub outcomes: Vec<super::sources::Outcome>,
}

#[utoipa::path(post, path = "/api/v1/upstream-sources/{name}/read", tag = "warnings",
    responses((status = 200, body = ReadNow, description = "Read the source now: what became of each message"),
              (status = 503, description = "The source could not be read (the reason)")))]
async fn read_now(
    State(s): State<AppState>,
    p: Principal,
    Path(name): Path<String>,
) -> Result<axum::Json<ReadNow>, ApiError> {
    authorize(&p, Action::Write, "warnings")?;
    let src = s
        .config
        .upstream
        .sources
        .iter()
        .find(|x| x.name == name)
        .ok_or(ApiError::NotFound)?;
    match jobs::read_and_record(&s, &s.upstream, src, &jobs::client()).await {
        Ok(outcomes) => Ok(axum::Json(ReadNow { outcomes })),
        Err(jobs::IngestError::Db(e)) => Err(e.into()),
        Err(e) => Err(ApiError::Unavailable(e.to_string())),
    }
}

/// What a relay may set; the rest comes from the upstream alert.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RelayBody {
    /// A template key; default guessed from the event.
    pub hazard: Option<String>,
    /// blue | yellow | orange | red; default from the severity.
    pub level: Option<String>,
    /// Default the upstream expiry (required when it has none).
    pub expires_at: Option<String>,
    /// Divisions to add to (or, without upstream geometry, to make) the area.
    pub divisions: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/upstream-alerts/{id}/relay", tag = "warnings", request_body = RelayBody,
    responses((status = 201, body = crate::warnings::api::WarningView, description = "A local draft warning that relays the alert (published with a reference to it)"),
              (status = 409, description = "The alert is not in force"),
              (status = 422, description = "hazard / level / expires_at / area cannot be derived; the fields named")))]
async fn relay(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<RelayBody>,
) -> Result<Response, ApiError> {
    let a = load(&s, &p, id, Action::Write).await?;
    let now = OffsetDateTime::now_utc();
    if let Some(r) = relay_refusal(&a, now) {
        return Err(ApiError::Refused(r));
    }
    let doc = yingji_cap::parse(&a.raw)
        .map_err(|e| ApiError::Internal(format!("stored upstream alert {id}: {e}")))?;
    let info = main_info(&doc.alert).ok_or_else(|| {
        ApiError::Refused(Refusal::new("upstream_no_info", "上游预警没有 info 段"))
    })?;
    let hazard = match b
        .hazard
        .clone()
        .or_else(|| hazard_of(&info.event).map(str::to_string))
    {
        Some(h) => h,
        None => {
            return Err(ApiError::from(
                FieldError::new(
                    "hazard",
                    format!("无法从事件“{}”判断预警种类，请选择", info.event),
                )
                .code("hazard_unknown")
                .param("event", info.event.clone()),
            ))
        }
    };
    let level = match b.level.clone().or_else(|| {
        yingji_cap::china::WarningLevel::from_severity(info.severity)
            .map(|l| level_key(l).to_string())
    }) {
        Some(l) => l,
        None => {
            return Err(ApiError::from(
                FieldError::new(
                    "level",
                    format!("上游严重程度为 {}，请选择预警级别", info.severity),
                )
                .code("level_unknown")
                .param("severity", info.severity.to_string()),
            ))
        }
    };
    let expires_at = match b
        .expires_at
        .clone()
        .or_else(|| a.expires_at.map(UtcText::text))
    {
        Some(e) => e,
        None => {
            return Err(ApiError::from(
                FieldError::new("expires_at", "上游预警没有失效时间，请填写")
                    .code("expires_required"),
            ))
        }
    };
    let mut area = TargetSpec::default();
    let mut descs = Vec::new();
    for ar in &info.areas {
        descs.push(ar.area_desc.clone());
        for poly in &ar.polygons {
            area.polygons
                .push(poly.points.iter().map(|pt| [pt.lon, pt.lat]).collect());
        }
        for c in &ar.circles {
            area.circles.push(CircleSpec {
                lon: c.center.lon,
                lat: c.center.lat,
                radius_m: c.radius_km * 1000.0,
            });
        }
    }
    area.divisions = b.divisions.clone();
    let sender = info
        .sender_name
        .clone()
        .unwrap_or_else(|| doc.alert.sender.clone());
    let description = format!(
        "{}\n\n（转发{}发布的预警，原标识 {}，发布时间 {}）",
        info.description
            .clone()
            .unwrap_or_else(|| info.headline.clone().unwrap_or_default()),
        sender,
        doc.alert.identifier,
        doc.alert.sent
    );
    let draft = crate::warnings::api::DraftBody {
        version: None,
        hazard,
        level,
        headline: info.headline.clone().unwrap_or_default(),
        description,
        instruction: info.instruction.clone(),
        area,
        area_desc: descs.join("；"),
        onset_at: info.onset.map(|d| d.to_string()),
        expires_at,
        exercise: doc.alert.status == yingji_cap::Status::Exercise,
    };
    let w = crate::warnings::api::create_draft(&s, &p, &draft, Some(a.id)).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(crate::warnings::api::view_for(&w, &s, &p)),
    )
        .into_response())
}
