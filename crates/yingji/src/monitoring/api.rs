//! HTTP routes of monitoring: devices and their tokens, sensors on
//! monitoring points, the device ingest endpoint (a device token, not a
//! user), series, alarms and their steps. Every user request: parse →
//! `auth::authorize(…, "monitoring")` (the jurisdiction's subtree) → rule →
//! `Change` + journal in one transaction.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::ingest::{receive, IngestReading};
use super::store::{self, AlarmFilter, Counts, SensorFilter, MODULE};
use super::{
    alarm_allowed, apply, AlarmCommand, AlarmState, Resolution, RuleKind, RuleSet, RuleState,
    SensorKind,
};
use super::{Alarm, Device, Sensor};
use crate::auth::{authorize, Action, Principal, Scope};
use crate::db::{JsonText, UtcText, Versioned};
use crate::error::{text, FieldError};
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_devices, create_device))
        .routes(routes!(edit_device))
        .routes(routes!(rotate_token))
        .routes(routes!(list_sensors, create_sensor))
        .routes(routes!(get_sensor, edit_sensor))
        .routes(routes!(series))
        .routes(routes!(preview))
        .routes(routes!(ingest))
        .routes(routes!(list_alarms))
        .routes(routes!(get_alarm))
        .routes(routes!(alarm_event))
        .routes(routes!(open_incident))
}

fn entry(
    p: &Principal,
    division: &str,
    entity: &str,
    id: i64,
    kind: &'static str,
    payload: Value,
) -> NewEntry {
    NewEntry::new(&p.username, MODULE, division, entity, id, kind, payload)
}

/// A monitoring point (registry record) the user may act on.
async fn point(s: &AppState, scope: &Scope, id: i64) -> Result<crate::registry::Item, ApiError> {
    crate::registry::store::get(&s.db, &s.tree(), "monitoring_point", id)
        .await?
        .filter(|e| scope.covers(&e.division, ""))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new("point_id", "找不到该监测点或不在您的管辖范围内")
                    .code("point_not_found"),
            )
        })
}

// ── devices ────────────────────────────────────────────────────────────

#[utoipa::path(get, path = "/api/v1/monitoring/devices", tag = "monitoring",
    responses((status = 200, body = [Device], description = "Devices in the jurisdiction with their ingest counters")))]
async fn list_devices(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<Device>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    Ok(axum::Json(store::devices(&s.db, &scope.prefix).await?))
}

/// A device to register.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    pub name: String,
    /// Division code (or a unique name) within the jurisdiction.
    pub division: String,
}

/// A registered device and its token, shown this once (only its hash is
/// kept).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeviceCreated {
    #[serde(flatten)]
    pub device: Device,
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/monitoring/devices", tag = "monitoring", request_body = NewDevice,
    responses((status = 201, body = DeviceCreated, description = "Registered; the token is shown this once"), (status = 422, body = crate::http::error::Problem)))]
async fn create_device(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewDevice>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let name = text("name", &b.name, 100, true)?;
    let division = s
        .tree()
        .resolve(&b.division, &p.division)
        .map_err(|e| ApiError::from(FieldError::new("division", e).code("bad_division")))?;
    if !scope.covers(division.as_str(), "") {
        return Err(FieldError::new("division", "不在您的管辖范围内")
            .code("out_of_jurisdiction")
            .into());
    }
    let (token, token_hash) = crate::auth::new_token();
    let now = OffsetDateTime::now_utc();
    let mut d = Device {
        id: 0,
        name,
        division: division.to_string(),
        token_hash,
        accepted: 0,
        duplicates: 0,
        refused_future: 0,
        refused_past: 0,
        refused_other: 0,
        malformed: 0,
        last_error: String::new(),
        last_seen_at: None,
        created_by: p.username.clone(),
        created_at: now.into(),
        version: 1,
    };
    let mut tx = s.change().await?;
    d.id = store::insert_device(&mut tx, &d).await?;
    let payload = json!({ "name": d.name });
    tx.commit(
        now,
        vec![entry(
            &p,
            &d.division,
            "device",
            d.id,
            "registered",
            payload,
        )],
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(DeviceCreated { device: d, token }),
    )
        .into_response())
}

async fn load_device(s: &AppState, p: &Principal, id: i64) -> Result<Device, ApiError> {
    let scope = authorize(p, Action::Write, MODULE)?;
    store::get_device(&s.db, id)
        .await?
        .filter(|d| scope.covers(&d.division, ""))
        .ok_or(ApiError::NotFound)
}

/// A device's new name, with the version read.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceEdit {
    pub version: i64,
    pub name: String,
}

#[utoipa::path(put, path = "/api/v1/monitoring/devices/{id}", tag = "monitoring", request_body = DeviceEdit,
    responses((status = 200, body = Device, description = "Renamed"), (status = 409, body = crate::http::error::Problem, description = "Stale version")))]
async fn edit_device(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<DeviceEdit>,
) -> Result<axum::Json<Device>, ApiError> {
    let mut d = load_device(&s, &p, id).await?;
    d.expect_version(b.version)?;
    let name = text("name", &b.name, 100, true)?;
    let payload = json!({ "before": d.name, "after": name });
    d.name = name;
    s.save_and_commit(
        &d,
        OffsetDateTime::now_utc(),
        vec![entry(&p, &d.division, "device", d.id, "renamed", payload)],
    )
    .await?;
    let d = load_device(&s, &p, id).await?;
    Ok(axum::Json(d))
}

/// The version read of the device whose token is replaced.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRotation {
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/monitoring/devices/{id}/token", tag = "monitoring", request_body = TokenRotation,
    responses((status = 200, body = DeviceCreated, description = "A new token, shown this once; the old one no longer works"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version")))]
async fn rotate_token(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<TokenRotation>,
) -> Result<axum::Json<DeviceCreated>, ApiError> {
    let mut d = load_device(&s, &p, id).await?;
    d.expect_version(b.version)?;
    let (token, token_hash) = crate::auth::new_token();
    d.token_hash = token_hash;
    s.save_and_commit(
        &d,
        OffsetDateTime::now_utc(),
        vec![entry(
            &p,
            &d.division,
            "device",
            d.id,
            "token_rotated",
            json!({}),
        )],
    )
    .await?;
    let device = load_device(&s, &p, id).await?;
    Ok(axum::Json(DeviceCreated { device, token }))
}

// ── sensors ────────────────────────────────────────────────────────────

/// A sensor as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SensorView {
    #[serde(flatten)]
    pub sensor: Sensor,
    pub point_name: String,
    pub division_name: String,
    pub kind_zh: &'static str,
    /// normal | alarm | silent | no_data
    pub status: &'static str,
    /// The rules of its active alarms.
    pub active_alarms: Vec<RuleKind>,
    /// The rules in force (the kind's defaults under the sensor's own).
    pub effective_rules: RuleSet,
    /// `yingji/<division>/<point id>/<code>`
    pub topic: String,
}

fn status(s: &Sensor, active: &[RuleKind]) -> &'static str {
    if active.contains(&RuleKind::Silence) {
        "silent"
    } else if !active.is_empty() {
        "alarm"
    } else if s.last_at.is_none() {
        "no_data"
    } else {
        "normal"
    }
}

async fn sensor_views(
    st: &AppState,
    prefix: &str,
    list: Vec<Sensor>,
) -> Result<Vec<SensorView>, ApiError> {
    let mut ids: Vec<i64> = list.iter().map(|x| x.point_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let places = store::points(&st.db, &ids).await?;
    let active = store::active_by_sensor(&st.db, prefix).await?;
    let tree = st.tree();
    Ok(list
        .into_iter()
        .map(|x| {
            let a = active.get(&x.id).cloned().unwrap_or_default();
            SensorView {
                point_name: places
                    .get(&x.point_id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                division_name: tree.name(&x.division),
                kind_zh: x.kind.label_zh(),
                status: status(&x, &a),
                active_alarms: a,
                effective_rules: x.effective_rules(),
                topic: super::mqtt::topic(&x),
                sensor: x,
            }
        })
        .collect())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SensorParams {
    pub point_id: Option<i64>,
    pub device_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/monitoring/sensors", tag = "monitoring", params(SensorParams),
    responses((status = 200, body = [SensorView], description = "Sensors in the jurisdiction with their latest value and status")))]
async fn list_sensors(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<SensorParams>,
) -> Result<axum::Json<Vec<SensorView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let list = store::sensors(
        &s.db,
        &scope.prefix,
        &SensorFilter {
            point_id: q.point_id,
            device_id: q.device_id,
        },
    )
    .await?;
    Ok(axum::Json(sensor_views(&s, &scope.prefix, list).await?))
}

async fn load_sensor(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<(Sensor, Scope), ApiError> {
    let scope = authorize(p, action, MODULE)?;
    let x = store::get_sensor(&s.db, id)
        .await?
        .filter(|x| scope.covers(&x.division, ""))
        .ok_or(ApiError::NotFound)?;
    Ok((x, scope))
}

#[utoipa::path(get, path = "/api/v1/monitoring/sensors/{id}", tag = "monitoring",
    responses((status = 200, body = SensorView, description = "One sensor")))]
async fn get_sensor(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<SensorView>, ApiError> {
    let (x, scope) = load_sensor(&s, &p, id, Action::Read).await?;
    let mut v = sensor_views(&s, &scope.prefix, vec![x]).await?;
    v.pop().map(axum::Json).ok_or(ApiError::NotFound)
}

/// A sensor as entered.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SensorBody {
    /// Only when editing: the version read.
    pub version: Option<i64>,
    /// The monitoring point (not changed by an edit).
    pub point_id: i64,
    /// The device that sends its readings (not changed by an edit).
    pub device_id: i64,
    /// Letters, digits, `-` and `_` (not changed by an edit).
    pub code: String,
    pub name: String,
    pub kind: SensorKind,
    /// Default: the kind's unit.
    #[serde(default)]
    pub unit: String,
    pub range_min: Option<f64>,
    pub range_max: Option<f64>,
    /// Sampling interval in seconds (1–86400).
    pub interval_secs: i64,
    /// Rules of this sensor over its kind's defaults.
    #[serde(default)]
    pub rules: RuleSet,
}

fn check_sensor(b: &SensorBody) -> Result<(String, String, String), ApiError> {
    let mut errors = b.rules.check();
    let code = b.code.trim().to_string();
    if code.is_empty()
        || code.len() > 32
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new("code", "1–32 位字母、数字、- 或 _").code("bad_sensor_code"));
    }
    let name = text("name", &b.name, 100, true).unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    });
    let unit = match text("unit", &b.unit, 20, false) {
        Ok(u) if u.is_empty() => b.kind.unit().to_string(),
        Ok(u) => u,
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if !(1..=86_400).contains(&b.interval_secs) {
        errors.push(
            FieldError::new("interval_secs", "应在 1–86400 秒之间")
                .code("out_of_range")
                .param("min", 1)
                .param("max", 86_400),
        );
    }
    for (n, v) in [("range_min", b.range_min), ("range_max", b.range_max)] {
        if v.is_some_and(|v| !v.is_finite()) {
            errors.push(FieldError::new(n, "应为有限数值").code("not_finite"));
        }
    }
    if let (Some(a), Some(z)) = (b.range_min, b.range_max) {
        if a >= z {
            errors.push(FieldError::new("range_max", "量程上限须大于下限").code("not_after"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok((code, name, unit))
}

/// A combination's other sensors must be on the same point (and not the
/// sensor itself, which is named by an empty code).
async fn others_exist(
    s: &AppState,
    point_id: i64,
    own: &str,
    rules: &RuleSet,
) -> Result<(), ApiError> {
    let Some(c) = &rules.combination else {
        return Ok(());
    };
    let on_point: Vec<String> = store::sensors(
        &s.db,
        "",
        &SensorFilter {
            point_id: Some(point_id),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|x| x.code)
    .collect();
    let errors: Vec<FieldError> = c
        .all
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.sensor.is_empty() && (x.sensor == own || !on_point.contains(&x.sensor)))
        .map(|(i, x)| {
            FieldError::new(
                format!("rules.combination.all[{i}].sensor"),
                format!("监测点上没有编号为 {} 的其他传感器", x.sensor),
            )
            .code("unknown_sensor")
            .param("code", x.sensor.clone())
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[utoipa::path(post, path = "/api/v1/monitoring/sensors", tag = "monitoring", request_body = SensorBody,
    responses((status = 201, body = SensorView, description = "Added to its monitoring point"), (status = 422, body = crate::http::error::Problem)))]
async fn create_sensor(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<SensorBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let (code, name, unit) = check_sensor(&b)?;
    let pt = point(&s, &scope, b.point_id).await?;
    others_exist(&s, pt.id, &code, &b.rules).await?;
    let dev = store::get_device(&s.db, b.device_id)
        .await?
        .filter(|d| scope.covers(&d.division, ""))
        .ok_or_else(|| {
            ApiError::from(
                FieldError::new("device_id", "找不到该设备或不在您的管辖范围内")
                    .code("device_not_found"),
            )
        })?;
    let now = OffsetDateTime::now_utc();
    let mut x = Sensor {
        id: 0,
        point_id: pt.id,
        device_id: dev.id,
        division: pt.division.clone(),
        code,
        name,
        kind: b.kind,
        unit,
        range_min: b.range_min,
        range_max: b.range_max,
        interval_secs: b.interval_secs,
        rules: JsonText(b.rules),
        rule_state: JsonText(RuleState::default()),
        last_value: None,
        last_at: None,
        created_by: p.username.clone(),
        created_at: now.into(),
        updated_at: now.into(),
        version: 1,
    };
    let mut tx = s.change().await?;
    x.id = store::insert_sensor(&mut tx, &x).await.map_err(|e| {
        if e.is_unique_violation() {
            ApiError::from(
                FieldError::new("code", "该监测点已有此编号的传感器").code("duplicate_code"),
            )
        } else {
            e.into()
        }
    })?;
    let payload = json!({ "point_id": x.point_id, "device_id": x.device_id, "code": x.code, "kind": x.kind, "rules": x.rules });
    tx.commit(
        now,
        vec![entry(&p, &x.division, "sensor", x.id, "added", payload)],
    )
    .await?;
    let mut v = sensor_views(&s, &scope.prefix, vec![x]).await?;
    Ok((StatusCode::CREATED, axum::Json(v.pop())).into_response())
}

#[utoipa::path(put, path = "/api/v1/monitoring/sensors/{id}", tag = "monitoring", request_body = SensorBody,
    responses((status = 200, body = SensorView, description = "Edited (name, unit, range, interval, rules)"), (status = 409, body = crate::http::error::Problem, description = "Stale version")))]
async fn edit_sensor(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<SensorBody>,
) -> Result<axum::Json<SensorView>, ApiError> {
    let (mut x, scope) = load_sensor(&s, &p, id, Action::Write).await?;
    x.expect_sent(b.version)?;
    let (_, name, unit) = check_sensor(&b)?;
    others_exist(&s, x.point_id, &x.code, &b.rules).await?;
    let now = OffsetDateTime::now_utc();
    let before = json!({ "rules": x.rules, "range_min": x.range_min, "range_max": x.range_max, "interval_secs": x.interval_secs });
    x.name = name;
    x.unit = unit;
    x.range_min = b.range_min;
    x.range_max = b.range_max;
    x.interval_secs = b.interval_secs;
    x.rules = JsonText(b.rules);
    x.updated_at = now.into();
    let payload = json!({ "before": before, "after": { "rules": x.rules, "range_min": x.range_min, "range_max": x.range_max, "interval_secs": x.interval_secs } });
    s.save_and_commit(
        &x,
        now,
        vec![entry(&p, &x.division, "sensor", x.id, "edited", payload)],
    )
    .await?;
    let (x, _) = load_sensor(&s, &p, id, Action::Read).await?;
    let mut v = sensor_views(&s, &scope.prefix, vec![x]).await?;
    v.pop().map(axum::Json).ok_or(ApiError::NotFound)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SeriesParams {
    /// RFC 3339; default 24 hours before `to`.
    pub from: Option<String>,
    /// RFC 3339; default now.
    pub to: Option<String>,
}

/// A sensor's readings over a range: raw up to 6 hours, 1-minute
/// roll-ups up to 2 days, 1-hour roll-ups beyond (`monitoring::resolution`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct SensorSeries {
    pub sensor_id: i64,
    /// raw | 1m | 1h
    pub resolution: &'static str,
    pub from: UtcText,
    pub to: UtcText,
    pub points: Vec<store::SeriesPoint>,
    /// The threshold lines in force, for the chart.
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub unit: String,
}

#[utoipa::path(get, path = "/api/v1/monitoring/sensors/{id}/series", tag = "monitoring", params(SeriesParams),
    responses((status = 200, body = SensorSeries, description = "Raw readings (ranges up to 6 h), 1-minute roll-ups (up to 2 days) or 1-hour roll-ups")))]
async fn series(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Query(q): Query<SeriesParams>,
) -> Result<axum::Json<SensorSeries>, ApiError> {
    let (x, _) = load_sensor(&s, &p, id, Action::Read).await?;
    let parse_at = |name: &str, v: &Option<String>| -> Result<Option<OffsetDateTime>, ApiError> {
        match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => crate::clock::parse_time(t).map(Some).ok_or_else(|| {
                FieldError::new(name, "不是带时区的时间（RFC 3339）")
                    .code("not_a_time")
                    .into()
            }),
        }
    };
    let to = parse_at("to", &q.to)?.unwrap_or_else(OffsetDateTime::now_utc);
    let from = parse_at("from", &q.from)?.unwrap_or(to - time::Duration::hours(24));
    if from >= to {
        return Err(FieldError::new("from", "起始时间须早于结束时间")
            .code("not_before")
            .into());
    }
    let resolution = super::resolution(from, to);
    let points = match resolution {
        Resolution::Raw => store::raw_series(&s.db, id, from.into(), to.into()).await?,
        r => store::rollup_series(&s.db, id, r, from.into(), to.into()).await?,
    };
    let t = x.effective_rules().threshold;
    Ok(axum::Json(SensorSeries {
        sensor_id: id,
        resolution: resolution.as_str(),
        from: from.into(),
        to: to.into(),
        points,
        high: t.as_ref().and_then(|t| t.high),
        low: t.as_ref().and_then(|t| t.low),
        unit: x.unit,
    }))
}

/// Rules to try on a sensor's stored readings (the rule editor's
/// preview): the sensor's own rules as they would be saved, over the
/// kind's defaults.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    #[serde(default)]
    pub rules: RuleSet,
    /// The end of the replayed range, RFC 3339 (default: now).
    pub to: Option<String>,
    /// Hours replayed before `to` (1–168, default 24).
    pub hours: Option<i64>,
}

/// What the rules would have raised and cleared.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RulePreview {
    pub from: UtcText,
    pub to: UtcText,
    /// The rules replayed (the kind's defaults under the given ones).
    pub rules: RuleSet,
    /// Readings of the sensor replayed.
    pub readings: usize,
    /// Alarms that would have been raised.
    pub raised: usize,
    pub events: Vec<super::PreviewEvent>,
}

#[utoipa::path(post, path = "/api/v1/monitoring/sensors/{id}/preview", tag = "monitoring", request_body = PreviewBody,
    responses((status = 200, body = RulePreview, description = "The stored readings of the range replayed through the rules (nothing is written)"),
        (status = 422, body = crate::http::error::Problem)))]
async fn preview(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<PreviewBody>,
) -> Result<axum::Json<RulePreview>, ApiError> {
    // Those who may edit the rules try them.
    let (x, scope) = load_sensor(&s, &p, id, Action::Write).await?;
    let errors = b.rules.check();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    others_exist(&s, x.point_id, &x.code, &b.rules).await?;
    let to = match b.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => OffsetDateTime::now_utc(),
        Some(t) => crate::clock::parse_time(t).ok_or_else(|| {
            ApiError::from(FieldError::new("to", "不是带时区的时间（RFC 3339）").code("not_a_time"))
        })?,
    };
    let hours = b.hours.unwrap_or(24);
    if !(1..=168).contains(&hours) {
        return Err(FieldError::new("hours", "应在 1–168 小时之间")
            .code("out_of_range")
            .param("min", 1)
            .param("max", 168)
            .into());
    }
    let from = to - time::Duration::hours(hours);
    let rules = x.kind.default_rules().over(&b.rules);
    let raw = |id: i64| store::raw_series(&s.db, id, from.into(), to.into());
    let own: Vec<(OffsetDateTime, f64)> =
        raw(x.id).await?.iter().map(|r| (r.at.0, r.avg)).collect();
    let mut others = std::collections::HashMap::new();
    if let Some(c) = &rules.combination {
        let siblings = store::sensors(
            &s.db,
            &scope.prefix,
            &SensorFilter {
                point_id: Some(x.point_id),
                ..Default::default()
            },
        )
        .await?;
        for code in c.others() {
            if let Some(o) = siblings.iter().find(|o| o.code == code) {
                let list: Vec<(OffsetDateTime, f64)> =
                    raw(o.id).await?.iter().map(|r| (r.at.0, r.avg)).collect();
                others.insert(code.to_string(), list);
            }
        }
    }
    let events = super::preview(&rules, x.interval_secs, &own, &others, from, to);
    Ok(axum::Json(RulePreview {
        from: from.into(),
        to: to.into(),
        readings: own.len(),
        raised: events.iter().filter(|e| e.kind == "raised").count(),
        events,
        rules,
    }))
}

// ── ingest ─────────────────────────────────────────────────────────────

/// A batch of readings (`{"readings": […]}`).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct IngestBody {
    pub readings: Vec<IngestReading>,
}

/// What became of a batch.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IngestResult {
    #[serde(flatten)]
    pub counts: Counts,
    /// Alarms raised or cleared by the batch.
    pub alarm_events: usize,
}

/// The content type of a compact binary batch (docs/monitoring.md).
pub const BINARY_CONTENT_TYPE: &str = "application/vnd.yingji.readings";

fn bearer(h: &HeaderMap) -> Option<&str> {
    h.get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

#[utoipa::path(post, path = "/api/v1/monitoring/ingest", tag = "monitoring",
    request_body(content((IngestBody = "application/json"), (Vec<u8> = "application/vnd.yingji.readings")),
        description = "JSON, or the compact binary form: 0xB2 then 24-byte little-endian records (sensor id i64, milliseconds since 1970 i64, value f64)"),
    responses((status = 200, body = IngestResult, description = "Stored (durable when answered), with what was dropped or refused"),
        (status = 401, body = crate::http::error::Problem, description = "No valid device token"),
        (status = 422, body = crate::http::error::Problem, description = "Not a batch at all (counted on the device)")))]
async fn ingest(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<IngestResult>, ApiError> {
    let token = bearer(&headers).ok_or(ApiError::Unauthenticated)?;
    let device = store::device_by_token(&s.db, &crate::auth::token_hash(token))
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let now = OffsetDateTime::now_utc();
    let binary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(BINARY_CONTENT_TYPE));
    let items = if binary {
        super::mqtt::binary_items(None, &body)
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(mut o)) => match o.remove("readings") {
                Some(Value::Array(a)) => Ok(a),
                _ => Err("readings: missing or not an array".to_string()),
            },
            Ok(_) => Err("body: not a JSON object".to_string()),
            Err(e) => Err(format!("body: {e}")),
        }
    };
    let items = match items {
        Ok(a) => a,
        Err(e) => {
            store::count_malformed(&s.db, device.id, &e, now).await?;
            return Err(FieldError::new("readings", e)
                .code("malformed_batch")
                .into());
        }
    };
    let (counts, alarm_events) = receive(&s, &device, &items, Counts::default(), None, now).await?;
    Ok(axum::Json(IngestResult {
        counts,
        alarm_events,
    }))
}

// ── alarms ─────────────────────────────────────────────────────────────

/// An alarm as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AlarmView {
    #[serde(flatten)]
    pub alarm: Alarm,
    pub sensor_name: String,
    pub sensor_kind: Option<SensorKind>,
    pub unit: String,
    pub point_name: String,
    /// Where the monitoring point is (WGS84), for the map; none when the
    /// point is gone.
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub division_name: String,
    pub state_zh: &'static str,
    pub rule_zh: &'static str,
    /// acknowledge | resolve | false_alarm (`monitoring::alarm_allowed`),
    /// and open_incident while active and without one.
    pub allowed_events: Vec<&'static str>,
    /// The public warning a draft from this alarm is about (a hazard key,
    /// `monitoring::warning_hazard`); none: no warning follows from it.
    pub warning_hazard: Option<&'static str>,
}

async fn alarm_views(s: &AppState, list: Vec<Alarm>) -> Result<Vec<AlarmView>, ApiError> {
    let mut ids: Vec<i64> = list.iter().map(|a| a.point_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let places = store::points(&s.db, &ids).await?;
    let now = OffsetDateTime::now_utc();
    let tree = s.tree();
    let mut out = Vec::with_capacity(list.len());
    let mut sensors: std::collections::HashMap<i64, Option<Sensor>> = Default::default();
    for a in list {
        if let std::collections::hash_map::Entry::Vacant(e) = sensors.entry(a.sensor_id) {
            e.insert(store::get_sensor(&s.db, a.sensor_id).await?);
        }
        let x = sensors.get(&a.sensor_id).and_then(Option::as_ref);
        let mut allowed = alarm_allowed(&a, now);
        if a.state.is_active() && a.incident_id.is_none() {
            allowed.push("open_incident");
        }
        out.push(AlarmView {
            sensor_name: x.map(|x| x.name.clone()).unwrap_or_default(),
            sensor_kind: x.map(|x| x.kind),
            unit: x.map(|x| x.unit.clone()).unwrap_or_default(),
            point_name: places
                .get(&a.point_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            lon: places.get(&a.point_id).map(|p| p.lon),
            lat: places.get(&a.point_id).map(|p| p.lat),
            division_name: tree.name(&a.division),
            state_zh: a.state.label_zh(),
            rule_zh: a.rule.label_zh(),
            allowed_events: allowed,
            warning_hazard: super::warning_hazard(x.map(|x| x.kind), a.state),
            alarm: a,
        });
    }
    Ok(out)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AlarmParams {
    pub sensor_id: Option<i64>,
    pub state: Option<AlarmState>,
    pub rule: Option<RuleKind>,
    /// Only raised or acknowledged ones.
    pub active: Option<bool>,
    /// At most (default 200).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/monitoring/alarms", tag = "monitoring", params(AlarmParams),
    responses((status = 200, body = [AlarmView], description = "Alarms in the jurisdiction, newest first")))]
async fn list_alarms(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<AlarmParams>,
) -> Result<axum::Json<Vec<AlarmView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let list = store::alarms(
        &s.db,
        &scope.prefix,
        &AlarmFilter {
            sensor_id: q.sensor_id,
            state: q.state,
            active: q.active.unwrap_or(false),
            rule: q.rule,
            limit: q.limit.unwrap_or(200),
        },
    )
    .await?;
    Ok(axum::Json(alarm_views(&s, list).await?))
}

async fn load_alarm(
    s: &AppState,
    p: &Principal,
    id: i64,
    action: Action,
) -> Result<Alarm, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_alarm(&s.db, id)
        .await?
        .filter(|a| scope.covers(&a.division, ""))
        .ok_or(ApiError::NotFound)
}

async fn alarm_view(s: &AppState, a: Alarm) -> Result<AlarmView, ApiError> {
    alarm_views(s, vec![a])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/monitoring/alarms/{id}", tag = "monitoring",
    responses((status = 200, body = AlarmView, description = "One alarm")))]
async fn get_alarm(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<AlarmView>, ApiError> {
    let a = load_alarm(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(alarm_view(&s, a).await?))
}

command_body! {
    /// A step of an alarm: the version read and the step.
    pub struct AlarmEventBody { command: AlarmCommand }
}

#[utoipa::path(post, path = "/api/v1/monitoring/alarms/{id}/events", tag = "monitoring", request_body = AlarmEventBody,
    responses((status = 200, body = AlarmView, description = "The alarm after the step"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, or the step is refused (with the reason)")))]
async fn alarm_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<AlarmEventBody>,
) -> Result<axum::Json<AlarmView>, ApiError> {
    let a = load_alarm(&s, &p, id, Action::Write).await?;
    a.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let (a, payload) = apply(a, &b.command, &p.username, now)?;
    s.save_and_commit(
        &a,
        now,
        vec![entry(
            &p,
            &a.division,
            "alarm",
            a.id,
            b.command.as_str(),
            payload,
        )],
    )
    .await?;
    let a = load_alarm(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(alarm_view(&s, a).await?))
}

/// Open an incident from an alarm: the version read; the title may be
/// changed (default: the point, the sensor and the alarm's message).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenIncidentBody {
    pub version: i64,
    pub title: Option<String>,
    /// A code of `/incident-types` (default: the sensor kind's).
    pub incident_type: Option<String>,
    #[serde(default)]
    pub description: String,
}

/// The alarm and the incident it opened.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenedIncident {
    pub alarm: AlarmView,
    pub incident_id: i64,
}

#[utoipa::path(post, path = "/api/v1/monitoring/alarms/{id}/incident", tag = "monitoring", request_body = OpenIncidentBody,
    responses((status = 201, body = OpenedIncident, description = "An incident recorded from the alarm (source 系统告警), linked to it"),
        (status = 409, body = crate::http::error::Problem, description = "Stale version, the alarm is over, or it has an incident")))]
async fn open_incident(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<OpenIncidentBody>,
) -> Result<Response, ApiError> {
    let mut a = load_alarm(&s, &p, id, Action::Write).await?;
    a.expect_version(b.version)?;
    if !a.state.is_active() || a.incident_id.is_some() {
        return Err(ApiError::Refused(
            crate::error::Refusal::new("alarm_incident_not_allowed", "该告警已结束或已转为事件")
                .param("state", a.state.as_str()),
        ));
    }
    let x = store::get_sensor(&s.db, a.sensor_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let pt = crate::registry::store::get(&s.db, &s.tree(), "monitoring_point", a.point_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let title = b
        .title
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| format!("{} {}告警：{}", pt.name, x.name, a.message));
    let new = crate::incidents::api::NewIncident {
        title: title.chars().take(200).collect(),
        incident_type: b
            .incident_type
            .unwrap_or_else(|| x.kind.incident_type().to_string()),
        division: a.division.clone(),
        lon: Some(pt.lon),
        lat: Some(pt.lat),
        address: pt.address.clone(),
        onset_at: Some(a.raised_at.text()),
        source: "system".into(),
        reporter: String::new(),
        reporter_phone: String::new(),
        facts: Default::default(),
        description: if b.description.trim().is_empty() {
            format!(
                "监测点：{}；传感器：{}（{}）；规则：{}；{}",
                pt.name,
                x.name,
                x.kind.label_zh(),
                a.rule.label_zh(),
                a.message
            )
        } else {
            b.description
        },
        attachments: Vec::new(),
    };
    let mut tx = s.change().await?;
    let incident = crate::incidents::api::intake(&s, &p, new, &mut tx, now).await?;
    a.incident_id = Some(incident.id);
    a.updated_at = now.into();
    tx.save(&a).await?;
    tx.commit(
        now,
        vec![entry(
            &p,
            &a.division,
            "alarm",
            a.id,
            "incident_opened",
            json!({ "incident_id": incident.id }),
        )],
    )
    .await?;
    let a = load_alarm(&s, &p, id, Action::Read).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(OpenedIncident {
            alarm: alarm_view(&s, a).await?,
            incident_id: incident.id,
        }),
    )
        .into_response())
}
