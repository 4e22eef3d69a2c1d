//! HTTP routes of the duty desk: rosters, who is on duty now, the handover,
//! the duty log and its CSV export. Every write: parse → authorize → rules →
//! store + journal in one transaction.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Date, Duration, OffsetDateTime};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::model::{LogEntry, Shift};
use super::store::{self, DutyUser, LogFilter};
use super::{
    check_correction, check_crew, check_log_entry, day_bounds, next_shift, overlapping,
    shift_times, Actor, LogKind, Period, Person, ShiftEvent, ShiftState, Slot,
};
use crate::auth::{authorize, Action, Principal, Role, Scope};
use crate::clock::parse_time;
use crate::clock::CST;
use crate::db::{UtcText, Versioned};
use crate::divisions::Code;
use crate::error::{FieldError, Refusal};
use crate::http::date_param as parse_date;
use crate::http::{command_body, ApiError, Json, Query};
use crate::journal::NewEntry;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users))
        .routes(routes!(list_shifts, create_shift))
        .routes(routes!(get_shift, edit_shift))
        .routes(routes!(shift_event))
        .routes(routes!(now_on_duty))
        .routes(routes!(list_log, add_log))
        .routes(routes!(export_log))
        .routes(routes!(daily_docx))
}

const MODULE: &str = "duty";

fn is_commander(p: &Principal) -> bool {
    matches!(p.role, Role::Commander | Role::Admin)
}

fn date_text(d: Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn today(now: OffsetDateTime) -> Date {
    now.to_offset(CST).date()
}

/// The division a request names (default: the user's own), inside the scope.
fn division_param(
    s: &AppState,
    p: &Principal,
    scope: &Scope,
    input: Option<&str>,
) -> Result<Code, ApiError> {
    let input = input.map(str::trim).filter(|x| !x.is_empty());
    let d = match input {
        None => p.division.clone(),
        Some(x) => s
            .tree()
            .resolve(x, &p.division)
            .map_err(|e| ApiError::from(FieldError::new("division", e).code("bad_division")))?,
    };
    if !scope.covers(d.as_str(), "") {
        return Err(ApiError::from(
            FieldError::new("division", "不在您的管辖范围内").code("out_of_jurisdiction"),
        ));
    }
    Ok(d)
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

/// A shift as the API shows it: the stored shift with its labels.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    #[serde(flatten)]
    pub shift: Shift,
    pub division_name: String,
    pub state_zh: String,
    pub period_zh: String,
    /// What the reader may do to it now: start | hand_over | acknowledge |
    /// edit (`duty::shift_allowed`).
    pub allowed_events: Vec<&'static str>,
}

/// The next shift of `x`'s slot (who takes over from it).
async fn next_of(s: &AppState, x: &Shift) -> Result<Option<Shift>, ApiError> {
    let me = x.slot();
    let later = store::shifts_between(
        &s.db,
        &x.division,
        me.start.into(),
        (me.end + Duration::hours(1) + super::MAX_SHIFT).into(),
    )
    .await?;
    let slots: Vec<Slot> = later.iter().map(Shift::slot).collect();
    Ok(next_shift(&me, &slots).and_then(|nid| later.into_iter().find(|o| o.id == nid)))
}

/// The user's relation to a shift whose slot `next` takes over.
fn actor_of(p: &Principal, x: &Shift, next: Option<&Shift>) -> Actor {
    Actor {
        member: crew_member(p, x),
        incoming: match next {
            Some(n) => crew_member(p, n),
            None => p.role == Role::Operator,
        },
        commander: is_commander(p),
        handed_over_it: x.handed_over_by == p.username,
    }
}

/// A shift as `p` sees it now, with the steps `p` may take.
async fn view_of(s: &AppState, p: &Principal, x: &Shift) -> Result<ShiftView, ApiError> {
    let may_write = authorize(p, Action::Write, MODULE).is_ok_and(|w| w.covers(&x.division, ""));
    let allowed_events = if may_write {
        // Only acknowledging depends on the next shift.
        let next = match x.state {
            ShiftState::HandedOver => next_of(s, x).await?,
            _ => None,
        };
        let now = OffsetDateTime::now_utc();
        super::shift_allowed(x.state, actor_of(p, x, next.as_ref()), x.starts_at.0, now)
    } else {
        Vec::new()
    };
    Ok(ShiftView {
        shift: x.clone(),
        division_name: s.tree().name(&x.division),
        state_zh: x.state.label_zh().into(),
        period_zh: x.period.label_zh().into(),
        allowed_events,
    })
}

async fn views_of(s: &AppState, p: &Principal, xs: &[Shift]) -> Result<Vec<ShiftView>, ApiError> {
    let mut out = Vec::with_capacity(xs.len());
    for x in xs {
        out.push(view_of(s, p, x).await?);
    }
    Ok(out)
}

/// The shift if the user may `action` it; another jurisdiction's shift does
/// not exist for them.
async fn load(s: &AppState, p: &Principal, id: i64, action: Action) -> Result<Shift, ApiError> {
    let scope = authorize(p, action, MODULE)?;
    store::get_shift(&s.db, id)
        .await?
        .filter(|x| scope.covers(&x.division, ""))
        .ok_or(ApiError::NotFound)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DivisionParam {
    /// Division code (default: the user's own).
    pub division: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/duty/users", tag = "duty", params(DivisionParam), responses((status = 200, body = [DutyUser], description = "Platform users who may be put on the division's roster")))]
async fn users(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DivisionParam>,
) -> Result<axum::Json<Vec<DutyUser>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    Ok(axum::Json(store::users_under(&s.db, d.prefix()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ShiftListParams {
    pub division: Option<String>,
    /// First day (YYYY-MM-DD, China time; default: Monday of this week).
    pub from: Option<String>,
    /// Last day, inclusive (default: 6 days after `from`).
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/duty/shifts", tag = "duty", params(ShiftListParams), responses((status = 200, body = [ShiftView], description = "Shifts of the division that touch the days, by start time")))]
async fn list_shifts(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<ShiftListParams>,
) -> Result<axum::Json<Vec<ShiftView>>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let now = OffsetDateTime::now_utc();
    let from = match q.from.as_deref() {
        Some(x) => parse_date(x, "from")?,
        None => {
            let t = today(now);
            t - Duration::days(t.weekday().number_days_from_monday() as i64)
        }
    };
    let to = match q.to.as_deref() {
        Some(x) => parse_date(x, "to")?,
        None => from + Duration::days(6),
    };
    if to < from || to - from > Duration::days(62) {
        return Err(ApiError::from(
            FieldError::new("to", "结束日期须不早于开始日期，且跨度不超过 62 天")
                .code("date_span")
                .param("max_days", 62),
        ));
    }
    let (start, _) = day_bounds(from);
    let (_, end) = day_bounds(to);
    let items = store::shifts_between(&s.db, d.as_str(), start.into(), end.into()).await?;
    Ok(axum::Json(views_of(&s, &p, &items).await?))
}

#[utoipa::path(get, path = "/api/v1/duty/shifts/{id}", tag = "duty", responses((status = 200, body = ShiftView, description = "One shift")))]
async fn get_shift(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
) -> Result<axum::Json<ShiftView>, ApiError> {
    let x = load(&s, &p, id, Action::Read).await?;
    Ok(axum::Json(view_of(&s, &p, &x).await?))
}

/// A shift as entered.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftBody {
    /// Only when editing: the version read.
    pub version: Option<i64>,
    /// Division code (default: the user's own); not changed by an edit.
    pub division: Option<String>,
    /// YYYY-MM-DD (China time) for day / night / full shifts.
    pub date: Option<String>,
    /// day (08:30–17:30) | night (17:30–08:30) | full (08:30–08:30) | custom
    pub period: String,
    /// custom: RFC 3339 with offset.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// 带班领导: `{user_id}` or `{name, phone}`.
    pub leader: Option<Person>,
    /// 值班员.
    #[serde(default)]
    pub officers: Vec<Person>,
}

/// Parse and check a shift body for `division`: times, crew, users (they
/// must exist, be active and belong to the division's subtree), no overlap.
async fn shift_from_body(
    s: &AppState,
    division: &Code,
    b: &ShiftBody,
) -> Result<
    (
        Date,
        Period,
        OffsetDateTime,
        OffsetDateTime,
        Option<Person>,
        Vec<Person>,
    ),
    ApiError,
> {
    let mut errors = Vec::new();
    let period = Period::parse(b.period.trim());
    if period.is_none() {
        errors.push(
            FieldError::new(
                "period",
                "应为 day/night/full/custom（白班/夜班/全天/自定义）",
            )
            .code("not_an_option")
            .param("value", b.period.clone())
            .param("options", "day/night/full/custom"),
        );
    }
    let date = match b.date.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => match parse_date(x, "date") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("date", "日期格式应为 YYYY-MM-DD").code("not_a_date"));
                None
            }
        },
    };
    let time_of = |v: &Option<String>, f: &str, errors: &mut Vec<FieldError>| match v.as_deref() {
        None | Some("") => None,
        Some(t) => {
            let r = parse_time(t);
            if r.is_none() {
                errors.push(
                    FieldError::new(f, "不是带时区的时间（例如 2026-07-01T08:30:00+08:00）")
                        .code("not_a_time"),
                );
            }
            r
        }
    };
    let starts = time_of(&b.starts_at, "starts_at", &mut errors);
    let ends = time_of(&b.ends_at, "ends_at", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let Some(period) = period else {
        return Err(ApiError::from(
            FieldError::new("period", "未知的班次").code("unknown_period"),
        ));
    };
    let (date, start, end) = shift_times(date, period, starts, ends)?;
    let mut leader = b.leader.clone();
    let mut officers = b.officers.clone();
    check_crew(&leader, &officers)?;
    // Users: exist, active, inside the division's subtree; names from the account.
    if let Some(l) = leader.as_mut() {
        fill_person(&s.db, division.prefix(), l, "leader").await?;
    }
    for (i, o) in officers.iter_mut().enumerate() {
        fill_person(&s.db, division.prefix(), o, &format!("officers[{i}]")).await?;
    }
    Ok((date, period, start, end, leader, officers))
}

async fn fill_person(
    db: &crate::db::Db,
    prefix: &str,
    person: &mut Person,
    at: &str,
) -> Result<(), ApiError> {
    person.name = person.name.trim().to_string();
    person.phone = person.phone.trim().to_string();
    let Some(id) = person.user_id else {
        return Ok(());
    };
    match store::user(db, id).await? {
        Some(u) if u.active && u.division.starts_with(prefix) && u.role != "enterprise" => {
            person.name = u.display_name;
            Ok(())
        }
        Some(_) => Err(ApiError::from(
            FieldError::new(format!("{at}.user_id"), "该用户不属于本区划")
                .code("user_other_division"),
        )),
        None => Err(ApiError::from(
            FieldError::new(format!("{at}.user_id"), "找不到该用户").code("user_not_found"),
        )),
    }
}

/// The overlap check inside the write transaction: 422 naming `period`.
async fn ensure_no_overlap(
    tx: &mut crate::db::Tx,
    division: &str,
    candidate: &Slot,
) -> Result<(), ApiError> {
    let others =
        store::shifts_between_tx(tx, division, candidate.start.into(), candidate.end.into())
            .await?;
    let slots: Vec<Slot> = others.iter().map(Shift::slot).collect();
    if let Some(id) = overlapping(candidate, &slots) {
        let o = others.iter().find(|x| x.id == id);
        let when = o
            .map(|o| format!("{} {}", o.date, o.period.label_zh()))
            .unwrap_or_default();
        return Err(ApiError::from(
            FieldError::new(
                "period",
                format!(
                    "与已有班次（{when}）时间重叠：同一区划同一时间只能有一位带班领导、一组值班员"
                ),
            )
            .code("shift_overlap")
            .param("date", o.map(|o| o.date.clone()).unwrap_or_default())
            .param("period", o.map(|o| o.period.as_str()).unwrap_or_default()),
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/duty/shifts", tag = "duty", request_body = ShiftBody,
    responses((status = 201, body = ShiftView, description = "Scheduled"), (status = 422, body = crate::http::error::Problem)))]
async fn create_shift(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<ShiftBody>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let division = division_param(&s, &p, &scope, b.division.as_deref())?;
    let (date, period, start, end, leader, officers) = shift_from_body(&s, &division, &b).await?;
    let now = OffsetDateTime::now_utc();
    let mut x = Shift {
        date: date_text(date),
        period,
        starts_at: start.into(),
        ends_at: end.into(),
        leader,
        officers,
        ..Shift::scheduled(division.to_string(), &p.username, now)
    };
    let mut tx = s.change().await?;
    store::lock_roster(&s.db, &mut tx, &x.division).await?;
    ensure_no_overlap(&mut tx, &x.division, &x.slot()).await?;
    x.id = store::insert_shift(&mut tx, &x).await?;
    let payload = json!({ "date": x.date, "period": x.period, "starts_at": x.starts_at, "ends_at": x.ends_at, "leader": x.leader, "officers": x.officers });
    tx.commit(
        now,
        vec![entry(
            &p,
            &x.division,
            "shift",
            x.id,
            "shift_scheduled",
            payload,
        )],
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(view_of(&s, &p, &x).await?)).into_response())
}

#[utoipa::path(put, path = "/api/v1/duty/shifts/{id}", tag = "duty", request_body = ShiftBody,
    responses((status = 200, body = ShiftView, description = "Changed (only while scheduled)"), (status = 409, body = crate::http::error::Problem)))]
async fn edit_shift(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ShiftBody>,
) -> Result<axum::Json<ShiftView>, ApiError> {
    let mut x = load(&s, &p, id, Action::Write).await?;
    x.expect_sent(b.version)?;
    if x.state != ShiftState::Scheduled {
        return Err(ApiError::Refused(
            Refusal::new(
                "shift_not_editable",
                format!("班次{}，不能再修改排班", x.state.label_zh()),
            )
            .param("state", x.state.as_str()),
        ));
    }
    let division = Code::parse(&x.division).map_err(|e| ApiError::Internal(e.to_string()))?;
    let (date, period, start, end, leader, officers) = shift_from_body(&s, &division, &b).await?;
    let now = OffsetDateTime::now_utc();
    let before =
        json!({ "date": x.date, "period": x.period, "leader": x.leader, "officers": x.officers });
    x.date = date_text(date);
    x.period = period;
    x.starts_at = start.into();
    x.ends_at = end.into();
    x.leader = leader;
    x.officers = officers;
    x.updated_at = now.into();
    let mut tx = s.change().await?;
    store::lock_roster(&s.db, &mut tx, &x.division).await?;
    ensure_no_overlap(&mut tx, &x.division, &x.slot()).await?;
    tx.save(&x).await?;
    let payload = json!({ "before": before, "after": { "date": x.date, "period": x.period, "leader": x.leader, "officers": x.officers } });
    tx.commit(
        now,
        vec![entry(
            &p,
            &x.division,
            "shift",
            x.id,
            "shift_changed",
            payload,
        )],
    )
    .await?;
    let x = store::get_shift(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(view_of(&s, &p, &x).await?))
}

command_body! {
    /// A step of the handover: the version read and the step.
    pub struct ShiftEventBody { event: ShiftEvent }
}

/// Whether `p` counts as one of the crew `x`: a user on it, or — for a crew
/// of named people without accounts — a writer of the division acting for
/// them.
fn crew_member(p: &Principal, x: &Shift) -> bool {
    let ids = x.user_ids();
    if ids.is_empty() {
        p.role == Role::Operator
    } else {
        ids.contains(&p.user_id)
    }
}

/// Open items handed over may name incidents: they must be ones the user
/// can read.
async fn open_items_readable(s: &AppState, p: &Principal, ev: &ShiftEvent) -> Result<(), ApiError> {
    let ShiftEvent::HandOver { open_items, .. } = ev else {
        return Ok(());
    };
    let scope = authorize(p, Action::Read, "incidents")?;
    for (i, it) in open_items.iter().enumerate() {
        if let Some(iid) = it.incident_id {
            let ok = crate::incidents::store::get_incident(&s.db, iid)
                .await?
                .is_some_and(|inc| scope.covers(&inc.division, ""));
            if !ok {
                return Err(ApiError::from(
                    FieldError::new(
                        format!("open_items[{i}].incident_id"),
                        "找不到该事件或不在您的管辖范围内",
                    )
                    .code("incident_not_found"),
                ));
            }
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/duty/shifts/{id}/events", tag = "duty", request_body = ShiftEventBody,
    responses((status = 200, body = ShiftView, description = "The shift after the step (acknowledging also puts the next shift on duty)"), (status = 409, body = crate::http::error::Problem, description = "Stale version, or the step is refused (with the reason)")))]
async fn shift_event(
    State(s): State<AppState>,
    p: Principal,
    Path(id): Path<i64>,
    Json(b): Json<ShiftEventBody>,
) -> Result<axum::Json<ShiftView>, ApiError> {
    let x = load(&s, &p, id, Action::Write).await?;
    x.expect_version(b.version)?;
    let now = OffsetDateTime::now_utc();
    let ev = b.event;
    // The incoming shift: the next one of the division in the same slot.
    let next = next_of(&s, &x).await?;
    let actor = actor_of(&p, &x, next.as_ref());
    let from = x.state;
    let next_id = next.as_ref().map(|n| n.id);
    let step = super::take_step(x, next, &ev, actor, &p.username, now)?;
    open_items_readable(&s, &p, &ev).await?;
    let x = &step.shift;
    let payload = json!({
        "from": from.as_str(), "to": x.state.as_str(), "handover_note": x.handover_note,
        "open_items": x.open_items, "next_shift": next_id,
    });
    let mut entries = vec![entry(&p, &x.division, "shift", x.id, ev.as_str(), payload)];
    let mut saved = vec![x];
    if let Some(n) = &step.took_over {
        entries.push(entry(
            &p,
            &n.division,
            "shift",
            n.id,
            "start",
            json!({ "from": "scheduled", "to": "on_duty", "took_over": x.id }),
        ));
        saved.push(n);
    }
    s.save_all_and_commit(&saved, now, entries).await?;
    let x = store::get_shift(&s.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(view_of(&s, &p, &x).await?))
}

#[utoipa::path(get, path = "/api/v1/duty/now", tag = "duty", params(DivisionParam), responses((status = 200, body = OnDutyNow, description = "Who is on duty now: the shifts running now and those not yet handed over")))]
async fn now_on_duty(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<DivisionParam>,
) -> Result<axum::Json<OnDutyNow>, ApiError> {
    let scope = authorize(&p, Action::Read, MODULE)?;
    let d = division_param(&s, &p, &scope, q.division.as_deref())?;
    let now = OffsetDateTime::now_utc();
    let t = UtcText(now);
    let t1 = UtcText(now + Duration::milliseconds(1));
    let mut shifts = store::shifts_between(&s.db, d.as_str(), t, t1).await?;
    // A crew stays on duty until it hands over (未交班不离岗).
    for x in store::shifts_on_duty(&s.db, d.as_str()).await? {
        if !shifts.iter().any(|y| y.id == x.id) {
            shifts.push(x);
        }
    }
    shifts.retain(|x| {
        !matches!(x.state, ShiftState::HandedOver | ShiftState::Acknowledged) || x.ends_at > t
    });
    shifts.sort_by_key(|x| (x.starts_at, x.id));
    Ok(axum::Json(OnDutyNow {
        division: d.to_string(),
        division_name: s.tree().name(d.as_str()),
        at: t,
        leaders: shifts.iter().filter_map(|x| x.leader.clone()).collect(),
        officers: shifts.iter().flat_map(|x| x.officers.clone()).collect(),
        shifts: views_of(&s, &p, &shifts).await?,
    }))
}

/// Who is on duty now (`GET /duty/now`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct OnDutyNow {
    pub division: String,
    pub division_name: String,
    pub at: UtcText,
    /// 带班领导 of the shifts, in shift order.
    pub leaders: Vec<Person>,
    /// 值班员 of the shifts, in shift order.
    pub officers: Vec<Person>,
    pub shifts: Vec<ShiftView>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LogParams {
    pub division: Option<String>,
    /// A China-time day (YYYY-MM-DD); default today unless `shift` is given.
    pub date: Option<String>,
    /// Only this shift's entries.
    pub shift: Option<i64>,
}

/// A duty-log entry as the API shows it: its attachments' metadata and the
/// entries that correct it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LogEntryView {
    #[serde(flatten)]
    pub entry: LogEntry,
    pub kind_zh: String,
    /// The attachments' metadata (the entry's ids replaced).
    pub attachments: Vec<crate::attachments::model::Meta>,
    /// The entries that correct this one.
    pub corrected_by: Vec<i64>,
}

async fn log_entries(
    s: &AppState,
    p: &Principal,
    q: &LogParams,
) -> Result<(Code, String, Vec<LogEntryView>), ApiError> {
    let scope = authorize(p, Action::Read, MODULE)?;
    let d = division_param(s, p, &scope, q.division.as_deref())?;
    let mut f = LogFilter {
        division: d.to_string(),
        shift_id: None,
        from: None,
        to: None,
    };
    let label;
    if let Some(id) = q.shift {
        let x = load(s, p, id, Action::Read).await?;
        if x.division != f.division {
            return Err(ApiError::from(
                FieldError::new("shift", "该班次不属于所选区划").code("shift_other_division"),
            ));
        }
        f.shift_id = Some(id);
        label = format!("{}-{}", x.date, x.period.as_str());
    } else {
        let day = match q.date.as_deref() {
            Some(x) => parse_date(x, "date")?,
            None => today(OffsetDateTime::now_utc()),
        };
        let (a, b) = day_bounds(day);
        f.from = Some(a.into());
        f.to = Some(b.into());
        label = date_text(day);
    }
    let items = store::list_log(&s.db, &f).await?;
    let ids: Vec<i64> = items.iter().map(|e| e.id).collect();
    let corrections = store::corrections_of(&s.db, &ids).await?;
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        let attachments = crate::attachments::store::metas(&s.db, &e.attachments).await?;
        let corrected_by = corrections
            .iter()
            .filter(|(c, _)| *c == e.id)
            .map(|(_, by)| *by)
            .collect();
        out.push(LogEntryView {
            kind_zh: e.kind.label_zh().into(),
            entry: e,
            attachments,
            corrected_by,
        });
    }
    Ok((d, label, out))
}

#[utoipa::path(get, path = "/api/v1/duty/log", tag = "duty", params(LogParams), responses((status = 200, body = [LogEntryView], description = "Duty-log entries, oldest first, each with the entries that correct it")))]
async fn list_log(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<LogParams>,
) -> Result<axum::Json<Vec<LogEntryView>>, ApiError> {
    let (_, _, items) = log_entries(&s, &p, &q).await?;
    Ok(axum::Json(items))
}

#[utoipa::path(get, path = "/api/v1/duty/log/export", tag = "duty", params(LogParams), responses((status = 200, description = "The day's (or shift's) duty log as CSV (UTF-8 with BOM)")))]
async fn export_log(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<LogParams>,
) -> Result<Response, ApiError> {
    let (d, label, items) = log_entries(&s, &p, &q).await?;
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(e.to_string());
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record([
        "编号",
        "时间",
        "类别",
        "内容",
        "关联事件",
        "附件",
        "更正记录",
        "被更正为",
        "记录人",
        "班次",
    ])
    .map_err(|e| internal(&e))?;
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    // Text cells are neutralised against formula injection; numbers stay.
    let safe = |t: &str| crate::sheet::csv_text(t).into_owned();
    for it in &items {
        let e = &it.entry;
        let at =
            e.at.to_offset(CST)
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .map_err(|e| internal(&e))?;
        let atts: Vec<&str> = it.attachments.iter().map(|m| m.name.as_str()).collect();
        let by: Vec<String> = it.corrected_by.iter().map(i64::to_string).collect();
        w.write_record([
            e.id.to_string(),
            at,
            safe(e.kind.label_zh()),
            safe(&e.text),
            num(e.incident_id),
            safe(&atts.join("; ")),
            num(e.corrects),
            by.join("; "),
            safe(&e.author_name),
            num(e.shift_id),
        ])
        .map_err(|e| internal(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| internal(&e))?;
    let disposition = format!(
        "attachment; filename=\"duty-log-{}-{label}.csv\"",
        d.prefix()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// 值班日报 of a day as a Word document (`duty::daily`).
#[utoipa::path(get, path = "/api/v1/duty/daily.docx", tag = "duty", params(LogParams), responses((status = 200, description = "The day's 值班日报 (.docx): shifts, the duty log with its corrections, handovers, signature lines; Beijing time")))]
async fn daily_docx(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<LogParams>,
) -> Result<Response, ApiError> {
    if q.shift.is_some() {
        return Err(ApiError::from(
            FieldError::new("shift", "值班日报按日期生成，不按班次").code("not_an_option"),
        ));
    }
    let (d, label, items) = log_entries(&s, &p, &q).await?;
    let day = parse_date(&label, "date")?;
    let (start, end) = day_bounds(day);
    let shifts = store::shifts_between(&s.db, d.as_str(), start.into(), end.into()).await?;
    let log: Vec<super::daily::Entry> = items
        .iter()
        .map(|x| super::daily::Entry {
            entry: &x.entry,
            corrected_by: &x.corrected_by,
        })
        .collect();
    let now = OffsetDateTime::now_utc();
    let made = format!("{} 由 {} 导出", crate::clock::format_local(now), p.username);
    let unit = s.tree().name(d.as_str());
    let bytes = super::daily::document(&unit, &label, &shifts, &log, &made)
        .write()
        .map_err(|e| ApiError::Internal(format!("docx: {e}")))?;
    Ok(crate::docx::response(
        bytes,
        &format!("duty-daily-{}-{label}.docx", d.prefix()),
        &format!("值班日报-{unit}-{label}.docx"),
    ))
}

/// A duty-log entry. Entries are never edited: a correction is a new entry
/// with `corrects`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLogEntry {
    pub division: Option<String>,
    /// call 来电 | info 信息 | instruction 指示 | report 报送 | other 其他
    pub kind: String,
    pub text: String,
    /// When it happened (RFC 3339; default now; at most 7 days back).
    pub at: Option<String>,
    pub incident_id: Option<i64>,
    /// Attachment ids (`POST /attachments`).
    #[serde(default)]
    pub attachments: Vec<i64>,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/duty/log", tag = "duty", request_body = NewLogEntry,
    responses((status = 201, body = LogEntryView, description = "Appended (to the shift on duty at `at`)"), (status = 422, body = crate::http::error::Problem)))]
async fn add_log(
    State(s): State<AppState>,
    p: Principal,
    Json(b): Json<NewLogEntry>,
) -> Result<Response, ApiError> {
    let scope = authorize(&p, Action::Write, MODULE)?;
    let d = division_param(&s, &p, &scope, b.division.as_deref())?;
    let now = OffsetDateTime::now_utc();
    let kind = LogKind::parse(b.kind.trim()).ok_or_else(|| {
        ApiError::from(
            FieldError::new(
                "kind",
                "应为 call/info/instruction/report/other（来电/信息/指示/报送/其他）",
            )
            .code("not_an_option")
            .param("value", b.kind.clone())
            .param("options", "call/info/instruction/report/other"),
        )
    })?;
    let at = match b.at.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => now,
        Some(t) => parse_time(t).ok_or_else(|| {
            ApiError::from(FieldError::new("at", "不是带时区的时间").code("not_a_time"))
        })?,
    };
    check_log_entry(&b.text, at, now)?;
    if let Some(iid) = b.incident_id {
        let iscope = authorize(&p, Action::Read, "incidents")?;
        let ok = crate::incidents::store::get_incident(&s.db, iid)
            .await?
            .is_some_and(|i| iscope.covers(&i.division, ""));
        if !ok {
            return Err(ApiError::from(
                FieldError::new("incident_id", "找不到该事件或不在您的管辖范围内")
                    .code("incident_not_found"),
            ));
        }
    }
    if let Some(cid) = b.corrects {
        let orig = store::get_log(&s.db, cid)
            .await?
            .filter(|o| scope.covers(&o.division, ""))
            .ok_or_else(|| {
                ApiError::from(
                    FieldError::new("corrects", "找不到要更正的记录").code("correction_not_found"),
                )
            })?;
        check_correction(&orig.division, orig.at.0, d.as_str(), at)?;
    }
    // The shift on duty at `at` (the officers' shift before a leader-only one).
    let running = store::shifts_between(
        &s.db,
        d.as_str(),
        at.into(),
        (at + Duration::milliseconds(1)).into(),
    )
    .await?;
    let shift_id = running
        .iter()
        .find(|x| !x.officers.is_empty())
        .or(running.first())
        .map(|x| x.id);
    let mut e = LogEntry {
        id: 0,
        division: d.to_string(),
        shift_id,
        at: at.into(),
        kind,
        text: b.text.trim().to_string(),
        incident_id: b.incident_id,
        attachments: b.attachments.clone(),
        corrects: b.corrects,
        author: p.username.clone(),
        author_name: p.display_name.clone(),
        created_at: now.into(),
    };
    let mut tx = s.change().await?;
    let ascope = authorize(&p, Action::Write, "attachments")?;
    crate::attachments::link(&mut tx, &ascope, &e.attachments, &e.division, "attachments").await?;
    e.id = store::insert_log(&mut tx, &e).await?;
    let payload = json!({ "kind": kind.as_str(), "text": e.text, "at": e.at, "incident_id": e.incident_id, "attachments": e.attachments, "corrects": e.corrects, "shift_id": e.shift_id });
    tx.commit(
        now,
        vec![entry(&p, &e.division, "log", e.id, "log_entry", payload)],
    )
    .await?;
    let metas = crate::attachments::store::metas(&s.db, &e.attachments).await?;
    let v = LogEntryView {
        kind_zh: e.kind.label_zh().into(),
        entry: e,
        attachments: metas,
        corrected_by: Vec::new(),
    };
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}
