//! The duty desk (值班值守): rosters of shifts per division with a leader
//! (带班领导) and officers (值班员), the handover (交接班) between shifts, and
//! the append-only duty log (值班日志).
//!
//! Pure: no SQL, no HTTP, no clock reads (times are parameters).

pub mod api;
pub mod daily;
pub mod model;
pub mod store;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::clock::CST;
pub use crate::error::RuleError;
use crate::error::{FieldError, Refusal};

/// The usual shifts of a Chinese duty desk, in China time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 白班 08:30–17:30
    Day,
    /// 夜班 17:30–次日 08:30
    Night,
    /// 全天 08:30–次日 08:30 (the leader's usual 24-hour shift)
    Full,
    /// 自定义: explicit start and end
    Custom,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Night => "night",
            Period::Full => "full",
            Period::Custom => "custom",
        }
    }
    pub fn parse(s: &str) -> Option<Period> {
        [Period::Day, Period::Night, Period::Full, Period::Custom]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Period::Day => "白班",
            Period::Night => "夜班",
            Period::Full => "全天",
            Period::Custom => "自定义",
        }
    }
}

const HANDOVER_TIME: Time = time::macros::time!(08:30);
const EVENING_TIME: Time = time::macros::time!(17:30);
/// The longest shift a roster accepts.
pub const MAX_SHIFT: Duration = Duration::hours(48);

/// Start and end of a shift. `date` is the China-time date the shift
/// starts on; custom shifts give their own times (and their date is the
/// start's date).
pub fn shift_times(
    date: Option<Date>,
    period: Period,
    starts_at: Option<OffsetDateTime>,
    ends_at: Option<OffsetDateTime>,
) -> Result<(Date, OffsetDateTime, OffsetDateTime), RuleError> {
    let at = |d: Date, t: Time| d.with_time(t).assume_offset(CST);
    let (date, start, end) = match period {
        Period::Custom => {
            let start = starts_at.ok_or_else(|| {
                FieldError::new("starts_at", "自定义班次须填写开始时间").code("required")
            })?;
            let end = ends_at.ok_or_else(|| {
                FieldError::new("ends_at", "自定义班次须填写结束时间").code("required")
            })?;
            (start.to_offset(CST).date(), start, end)
        }
        fixed => {
            let d =
                date.ok_or_else(|| FieldError::new("date", "请填写值班日期").code("required"))?;
            let next = d
                .next_day()
                .ok_or_else(|| FieldError::new("date", "日期超出范围").code("date_out_of_range"))?;
            match fixed {
                Period::Day => (d, at(d, HANDOVER_TIME), at(d, EVENING_TIME)),
                Period::Night => (d, at(d, EVENING_TIME), at(next, HANDOVER_TIME)),
                _ => (d, at(d, HANDOVER_TIME), at(next, HANDOVER_TIME)),
            }
        }
    };
    if end <= start {
        return Err(FieldError::new("ends_at", "结束时间须晚于开始时间")
            .code("end_before_start")
            .into());
    }
    if end - start > MAX_SHIFT {
        return Err(FieldError::new("ends_at", "一个班次最长 48 小时")
            .code("shift_too_long")
            .param("max_hours", 48)
            .into());
    }
    Ok((date, start, end))
}

/// Someone on a shift: a platform user (by id) or a named person with a
/// phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    #[serde(default)]
    pub user_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

fn phone_like(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')' | '转'))
}

/// A person as entered: a user needs nothing more (the name comes from the
/// account); a named person needs a name and a phone number.
pub fn check_person(p: &Person, at: &str) -> Result<(), RuleError> {
    if p.name.chars().count() > 50 {
        return Err(FieldError::new(format!("{at}.name"), "姓名最多 50 字")
            .code("too_long")
            .param("max", 50)
            .into());
    }
    if p.user_id.is_none() && p.name.trim().is_empty() {
        return Err(
            FieldError::new(format!("{at}.name"), "请选择平台用户或填写姓名")
                .code("user_or_name")
                .into(),
        );
    }
    if p.user_id.is_none() && p.phone.trim().is_empty() {
        return Err(
            FieldError::new(format!("{at}.phone"), "非平台用户须填写联系电话")
                .code("phone_required")
                .into(),
        );
    }
    if !p.phone.trim().is_empty() && !phone_like(p.phone.trim()) {
        return Err(FieldError::new(format!("{at}.phone"), "电话号码格式不正确")
            .code("not_phone")
            .param("value", p.phone.trim())
            .into());
    }
    Ok(())
}

/// Who is on a shift.
pub fn check_crew(leader: &Option<Person>, officers: &[Person]) -> Result<(), RuleError> {
    if leader.is_none() && officers.is_empty() {
        return Err(
            FieldError::new("officers", "请至少安排一名带班领导或值班员")
                .code("crew_empty")
                .into(),
        );
    }
    if officers.len() > 10 {
        return Err(FieldError::new("officers", "一个班次最多 10 名值班员")
            .code("too_many")
            .param("max", 10)
            .into());
    }
    if let Some(l) = leader {
        check_person(l, "leader")?;
    }
    for (i, o) in officers.iter().enumerate() {
        check_person(o, &format!("officers[{i}]"))?;
    }
    let mut ids: Vec<i64> = leader
        .iter()
        .chain(officers)
        .filter_map(|p| p.user_id)
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != n {
        return Err(FieldError::new("officers", "同一人在本班次中重复安排")
            .code("person_twice")
            .into());
    }
    Ok(())
}

/// The part of a shift the overlap rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub id: i64,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// Has a 带班领导.
    pub leader: bool,
    /// Has 值班员.
    pub officers: bool,
}

/// The first shift of the same division that overlaps `new` in time and
/// fills a role slot `new` fills too (two leaders, or two officer crews, at
/// once). A leader's 24-hour shift may run alongside officers' day and night
/// shifts. `others` must not contain `new` itself.
pub fn overlapping(new: &Slot, others: &[Slot]) -> Option<i64> {
    others
        .iter()
        .find(|o| {
            o.id != new.id
                && o.start < new.end
                && new.start < o.end
                && ((o.leader && new.leader) || (o.officers && new.officers))
        })
        .map(|o| o.id)
}

/// The shift that takes over from `from`: the earliest later shift of the
/// division that fills one of the same slots and starts no later than an
/// hour after `from` ends.
pub fn next_shift(from: &Slot, others: &[Slot]) -> Option<i64> {
    others
        .iter()
        .filter(|o| {
            o.id != from.id
                && o.start > from.start
                && o.start <= from.end + Duration::hours(1)
                && ((o.leader && from.leader) || (o.officers && from.officers))
        })
        .min_by_key(|o| (o.start, o.id))
        .map(|o| o.id)
}

/// Where a shift is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShiftState {
    /// 待值班
    Scheduled,
    /// 在岗
    OnDuty,
    /// 已交班
    HandedOver,
    /// 已接班确认
    Acknowledged,
}

impl ShiftState {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftState::Scheduled => "scheduled",
            ShiftState::OnDuty => "on_duty",
            ShiftState::HandedOver => "handed_over",
            ShiftState::Acknowledged => "acknowledged",
        }
    }
    pub fn parse(s: &str) -> Option<ShiftState> {
        [
            ShiftState::Scheduled,
            ShiftState::OnDuty,
            ShiftState::HandedOver,
            ShiftState::Acknowledged,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ShiftState::Scheduled => "待值班",
            ShiftState::OnDuty => "在岗",
            ShiftState::HandedOver => "已交班",
            ShiftState::Acknowledged => "已接班",
        }
    }
}

/// An open item handed to the next shift (遗留事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpenItem {
    pub text: String,
    #[serde(default)]
    pub incident_id: Option<i64>,
}

/// What can happen to a shift (`POST /duty/shifts/{id}/events`, tagged by
/// `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ShiftEvent {
    /// 上岗
    Start {},
    /// 交班: the note (交班记录) and the open items (遗留事项).
    HandOver {
        #[serde(default, rename = "handover_note")]
        note: String,
        #[serde(default)]
        open_items: Vec<OpenItem>,
    },
    /// 接班确认
    Acknowledge {},
}

impl ShiftEvent {
    pub fn as_str(&self) -> &'static str {
        match self {
            ShiftEvent::Start {} => "start",
            ShiftEvent::HandOver { .. } => "hand_over",
            ShiftEvent::Acknowledge {} => "acknowledge",
        }
    }
}

/// The actor's relation to the shift (the caller decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Actor {
    /// One of the shift's own leader or officers.
    pub member: bool,
    /// One of the next shift's leader or officers (the incoming officer).
    pub incoming: bool,
    /// A commander (or administrator) of the division.
    pub commander: bool,
    /// The user who handed this shift over.
    pub handed_over_it: bool,
}

/// How early before its start a shift may be taken up.
pub const EARLY_START: Duration = Duration::minutes(30);

impl ShiftState {
    /// The state after `event` at `now`, or why not.
    pub fn transition(
        self,
        event: &ShiftEvent,
        actor: Actor,
        starts_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<ShiftState, RuleError> {
        use ShiftEvent as E;
        use ShiftState as S;
        let own = || {
            if actor.member || actor.commander {
                Ok(())
            } else {
                Err(RuleError::Forbidden(Refusal::new(
                    "shift_members_only",
                    "只有本班次的带班领导、值班员或指挥长可以上岗和交班",
                )))
            }
        };
        let refuse = |r: Refusal| Err(RuleError::State(r));
        match (self, event) {
            (S::Scheduled, E::Start {}) => {
                own()?;
                if now < starts_at - EARLY_START {
                    return refuse(Refusal::new(
                        "shift_not_started",
                        "班次尚未开始（开始前 30 分钟内可上岗）",
                    ));
                }
                Ok(S::OnDuty)
            }
            (S::OnDuty, E::Start {}) => refuse(Refusal::new("already_on_duty", "已经在岗")),
            (_, E::Start {}) => refuse(Refusal::new("shift_handed_over", "本班次已交班")),

            (S::OnDuty, E::HandOver { note, open_items }) => {
                own()?;
                if note.trim().is_empty() {
                    return Err(FieldError::new("handover_note", "请填写交班记录")
                        .code("required")
                        .into());
                }
                if note.chars().count() > 4000 {
                    return Err(FieldError::new("handover_note", "交班记录最多 4000 字")
                        .code("too_long")
                        .param("max", 4000)
                        .into());
                }
                if open_items.len() > 50 {
                    return Err(FieldError::new("open_items", "遗留事项最多 50 条")
                        .code("too_many")
                        .param("max", 50)
                        .into());
                }
                for (i, it) in open_items.iter().enumerate() {
                    let n = it.text.trim().chars().count();
                    if n == 0 || n > 500 {
                        return Err(FieldError::new(
                            format!("open_items[{i}].text"),
                            "遗留事项不能为空，最多 500 字",
                        )
                        .code("required_max")
                        .param("max", 500)
                        .into());
                    }
                }
                Ok(S::HandedOver)
            }
            (S::Scheduled, E::HandOver { .. }) => {
                refuse(Refusal::new("not_on_duty_yet", "尚未上岗，不能交班"))
            }
            (_, E::HandOver { .. }) => refuse(Refusal::new("shift_handed_over", "本班次已交班")),

            (S::HandedOver, E::Acknowledge {}) => {
                if !(actor.incoming || actor.commander) {
                    return Err(RuleError::Forbidden(Refusal::new(
                        "incoming_only",
                        "只有接班的带班领导、值班员或指挥长可以确认接班",
                    )));
                }
                if actor.handed_over_it {
                    return refuse(Refusal::new(
                        "no_self_acknowledge",
                        "交班人不能自己确认接班",
                    ));
                }
                Ok(S::Acknowledged)
            }
            (S::Acknowledged, E::Acknowledge {}) => {
                refuse(Refusal::new("already_acknowledged", "已确认接班"))
            }
            (_, E::Acknowledge {}) => refuse(Refusal::new(
                "not_handed_over_yet",
                "尚未交班，不能确认接班",
            )),
        }
    }
}

/// What a handover step changes: the shift, and on 接班 the incoming shift
/// it puts on duty (when that one is still scheduled).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub shift: model::Shift,
    pub took_over: Option<model::Shift>,
}

/// Take `event` on shift `x` as `by` at `now`: the state machine decides
/// first, then the step's fields are set (who and when, the handover note
/// and open items). `next` is the division's incoming shift, if any.
pub fn take_step(
    mut x: model::Shift,
    next: Option<model::Shift>,
    event: &ShiftEvent,
    actor: Actor,
    by: &str,
    now: OffsetDateTime,
) -> Result<Step, RuleError> {
    x.state = x.state.transition(event, actor, x.starts_at.0, now)?;
    let t = crate::db::UtcText(now);
    let mut took_over = None;
    match event {
        ShiftEvent::Start {} => {
            x.started_by = by.to_string();
            x.started_at = Some(t);
        }
        ShiftEvent::HandOver { note, open_items } => {
            x.handover_note = note.trim().to_string();
            x.open_items = open_items
                .iter()
                .map(|i| OpenItem {
                    text: i.text.trim().to_string(),
                    incident_id: i.incident_id,
                })
                .collect();
            x.handed_over_by = by.to_string();
            x.handed_over_at = Some(t);
        }
        ShiftEvent::Acknowledge {} => {
            x.acknowledged_by = by.to_string();
            x.acknowledged_at = Some(t);
            // 接班 = the incoming shift is now on duty.
            if let Some(mut n) = next.filter(|n| n.state == ShiftState::Scheduled) {
                n.state = ShiftState::OnDuty;
                n.started_by = by.to_string();
                n.started_at = Some(t);
                n.updated_at = t;
                took_over = Some(n);
            }
        }
    }
    x.updated_at = t;
    Ok(Step {
        shift: x,
        took_over,
    })
}

/// The steps `actor` may take on a shift in `state` at `now`, asked of the
/// state machine (so the UI does not copy it): `start`, `hand_over`,
/// `acknowledge`, and `edit` while the shift is still scheduled.
pub fn shift_allowed(
    state: ShiftState,
    actor: Actor,
    starts_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Vec<&'static str> {
    let samples = [
        ShiftEvent::Start {},
        ShiftEvent::HandOver {
            note: "-".into(),
            open_items: Vec::new(),
        },
        ShiftEvent::Acknowledge {},
    ];
    let mut out: Vec<&'static str> = samples
        .iter()
        .filter(|e| state.transition(e, actor, starts_at, now).is_ok())
        .map(ShiftEvent::as_str)
        .collect();
    if state == ShiftState::Scheduled {
        out.push("edit");
    }
    out
}

/// Kinds of duty-log entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// 来电
    Call,
    /// 信息
    Info,
    /// 指示
    Instruction,
    /// 报送
    Report,
    /// 其他
    Other,
}

pub const LOG_KINDS: [LogKind; 5] = [
    LogKind::Call,
    LogKind::Info,
    LogKind::Instruction,
    LogKind::Report,
    LogKind::Other,
];

impl LogKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Call => "call",
            LogKind::Info => "info",
            LogKind::Instruction => "instruction",
            LogKind::Report => "report",
            LogKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<LogKind> {
        LOG_KINDS.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            LogKind::Call => "来电",
            LogKind::Info => "信息",
            LogKind::Instruction => "指示",
            LogKind::Report => "报送",
            LogKind::Other => "其他",
        }
    }
}

/// How far back a log entry may be dated (补记).
pub const BACKDATE: Duration = Duration::days(7);

/// A log entry's text and time: text 1–2000 characters; `at` not in the
/// future (5 minutes of clock skew allowed) and at most 7 days back.
pub fn check_log_entry(
    text: &str,
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), RuleError> {
    let n = text.trim().chars().count();
    if n == 0 {
        return Err(FieldError::new("text", "请填写内容")
            .code("required")
            .into());
    }
    if n > 2000 {
        return Err(FieldError::new("text", "最多 2000 字")
            .code("too_long")
            .param("max", 2000)
            .into());
    }
    if at > now + Duration::minutes(5) {
        return Err(FieldError::new("at", "时间不能晚于现在")
            .code("in_the_future")
            .into());
    }
    if at < now - BACKDATE {
        return Err(FieldError::new("at", "最多补记 7 天内的事项")
            .code("backdated_too_far")
            .param("days", 7)
            .into());
    }
    Ok(())
}

/// A correction (a new entry that refers to the one it corrects) stays in
/// the corrected entry's division and cannot predate it. An entry may be
/// corrected more than once; each correction stays in the log.
pub fn check_correction(
    original_division: &str,
    original_at: OffsetDateTime,
    division: &str,
    at: OffsetDateTime,
) -> Result<(), RuleError> {
    if original_division != division {
        return Err(FieldError::new("corrects", "只能更正本区划的值班日志")
            .code("correction_other_division")
            .into());
    }
    if at < original_at {
        return Err(
            FieldError::new("corrects", "更正记录的时间不能早于被更正的记录")
                .code("correction_before_original")
                .into(),
        );
    }
    Ok(())
}

/// The UTC bounds of a China-time day: `[start, end)`.
pub fn day_bounds(date: Date) -> (OffsetDateTime, OffsetDateTime) {
    let start = date.midnight().assume_offset(CST);
    (start, start + Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn shift_times_follow_the_period() {
        let d = date!(2026 - 07 - 01);
        let table = [
            (
                Period::Day,
                datetime!(2026-07-01 00:30 UTC),
                datetime!(2026-07-01 09:30 UTC),
            ),
            (
                Period::Night,
                datetime!(2026-07-01 09:30 UTC),
                datetime!(2026-07-02 00:30 UTC),
            ),
            (
                Period::Full,
                datetime!(2026-07-01 00:30 UTC),
                datetime!(2026-07-02 00:30 UTC),
            ),
        ];
        for (period, start, end) in table {
            let (date, s, e) = shift_times(Some(d), period, None, None).unwrap();
            assert_eq!((date, s, e), (d, start, end), "{period:?}");
        }
        // Custom: explicit times; its date is the start's China date.
        let s = datetime!(2026-07-01 20:00 +08:00);
        let (date, _, _) =
            shift_times(None, Period::Custom, Some(s), Some(s + Duration::hours(4))).unwrap();
        assert_eq!(date, d);
        let s = datetime!(2026-06-30 17:00 UTC); // 07-01 01:00 in China
        let (date, _, _) =
            shift_times(None, Period::Custom, Some(s), Some(s + Duration::hours(4))).unwrap();
        assert_eq!(date, d);
    }

    #[test]
    fn bad_shift_times_name_the_field() {
        let s = datetime!(2026-07-01 08:00 +08:00);
        type Case = (
            Option<Date>,
            Period,
            Option<OffsetDateTime>,
            Option<OffsetDateTime>,
            &'static str,
        );
        let table: [Case; 5] = [
            (None, Period::Day, None, None, "date"),
            (None, Period::Custom, None, Some(s), "starts_at"),
            (None, Period::Custom, Some(s), None, "ends_at"),
            (None, Period::Custom, Some(s), Some(s), "ends_at"),
            (
                None,
                Period::Custom,
                Some(s),
                Some(s + Duration::hours(49)),
                "ends_at",
            ),
        ];
        for (d, period, a, b, want) in table {
            match shift_times(d, period, a, b) {
                Err(RuleError::Field(FieldError { field, .. })) => {
                    assert_eq!(field, want, "{period:?}")
                }
                other => panic!("{period:?}: {other:?}"),
            }
        }
        assert!(shift_times(None, Period::Custom, Some(s), Some(s + MAX_SHIFT)).is_ok());
    }

    fn named(name: &str, phone: &str) -> Person {
        Person {
            user_id: None,
            name: name.into(),
            phone: phone.into(),
        }
    }
    fn user(id: i64) -> Person {
        Person {
            user_id: Some(id),
            name: String::new(),
            phone: String::new(),
        }
    }

    #[test]
    fn crews_are_checked() {
        let f = |r: Result<(), RuleError>| match r {
            Ok(()) => "ok".to_string(),
            Err(RuleError::Field(FieldError { field, .. })) => field,
            Err(e) => panic!("{e:?}"),
        };
        let table: Vec<(Option<Person>, Vec<Person>, &str)> = vec![
            (None, vec![], "officers"),
            (Some(user(1)), vec![], "ok"),
            (None, vec![named("王强", "0352-2024110")], "ok"),
            (None, vec![named("王强", "13800138000")], "ok"),
            (None, vec![named("", "13800138000")], "officers[0].name"),
            (None, vec![user(2), named("王强", "")], "officers[1].phone"),
            (Some(named("李明", "abc")), vec![], "leader.phone"),
            (Some(named("李明", "123")), vec![], "leader.phone"),
            (Some(user(1)), vec![user(1)], "officers"),
            (None, vec![user(3); 11], "officers"),
            (Some(user(1)), vec![user(2), user(3)], "ok"),
        ];
        for (leader, officers, want) in table {
            assert_eq!(
                f(check_crew(&leader, &officers)),
                want,
                "{leader:?} {officers:?}"
            );
        }
    }

    fn slot(id: i64, from_h: i64, to_h: i64, leader: bool, officers: bool) -> Slot {
        let base = datetime!(2026-07-01 00:00 UTC);
        Slot {
            id,
            start: base + Duration::hours(from_h),
            end: base + Duration::hours(to_h),
            leader,
            officers,
        }
    }

    #[test]
    fn shifts_of_a_slot_do_not_overlap() {
        let existing = [
            slot(1, 0, 9, false, true),  // officers' day shift
            slot(2, 9, 24, false, true), // officers' night shift
            slot(3, 0, 24, true, false), // leader's 24 hours
        ];
        let table = [
            (slot(9, 9, 24, false, true), Some(2)),  // a second night crew
            (slot(9, 8, 10, false, true), Some(1)),  // straddles day/night
            (slot(9, 24, 33, false, true), None),    // next day: touching is fine
            (slot(9, 0, 24, true, false), Some(3)),  // a second leader
            (slot(9, 24, 48, true, true), None),     // tomorrow's leader + crew
            (slot(9, 20, 30, true, false), Some(3)), // leader overlap
            (slot(3, 0, 24, true, false), None),     // itself (an edit)
        ];
        for (new, want) in table {
            assert_eq!(overlapping(&new, &existing), want, "{new:?}");
        }
    }

    #[test]
    fn the_next_shift_takes_over() {
        let others = [
            slot(1, 0, 9, false, true),
            slot(2, 9, 24, false, true),
            slot(3, 0, 24, true, false),
            slot(4, 24, 48, true, false),
            slot(5, 40, 48, false, true),
        ];
        let table = [
            (others[0], Some(2)),
            (others[1], None), // next officer shift starts 16 h later
            (others[2], Some(4)),
            (slot(6, 0, 9, true, true), Some(2)),
        ];
        for (from, want) in table {
            assert_eq!(next_shift(&from, &others), want, "{from:?}");
        }
    }

    #[test]
    fn the_steps_offered_are_the_ones_the_machine_allows() {
        use ShiftState as S;
        let start = datetime!(2026-07-01 00:30 UTC);
        let crew = Actor {
            member: true,
            ..Actor::default()
        };
        let incoming = Actor {
            incoming: true,
            ..Actor::default()
        };
        let handed = Actor {
            incoming: true,
            handed_over_it: true,
            ..Actor::default()
        };
        let stranger = Actor::default();
        // (state, actor, now, offered)
        let table: Vec<(S, Actor, OffsetDateTime, Vec<&str>)> = vec![
            (S::Scheduled, crew, start, vec!["start", "edit"]),
            // More than 30 minutes early: not yet.
            (
                S::Scheduled,
                crew,
                start - Duration::minutes(31),
                vec!["edit"],
            ),
            (S::Scheduled, stranger, start, vec!["edit"]),
            (S::OnDuty, crew, start, vec!["hand_over"]),
            (S::OnDuty, stranger, start, vec![]),
            (S::HandedOver, incoming, start, vec!["acknowledge"]),
            (S::HandedOver, handed, start, vec![]),
            (S::HandedOver, crew, start, vec![]),
            (S::Acknowledged, incoming, start, vec![]),
        ];
        for (state, actor, now, offered) in table {
            assert_eq!(
                shift_allowed(state, actor, start, now),
                offered,
                "{state:?} {actor:?}"
            );
        }
    }

    #[test]
    fn handover_state_machine() {
        use ShiftEvent as E;
        use ShiftState as S;
        let start = datetime!(2026-07-01 00:30 UTC);
        let on_time = start;
        let early = start - Duration::minutes(31);
        let member = Actor {
            member: true,
            ..Actor::default()
        };
        let incoming = Actor {
            incoming: true,
            ..Actor::default()
        };
        let commander = Actor {
            commander: true,
            ..Actor::default()
        };
        let stranger = Actor::default();
        let self_ack = Actor {
            incoming: true,
            handed_over_it: true,
            ..Actor::default()
        };
        let hand = |note: &str| E::HandOver {
            note: note.into(),
            open_items: vec![OpenItem {
                text: "云州区山洪续报待核".into(),
                incident_id: Some(3),
            }],
        };
        let empty_item = E::HandOver {
            note: "平稳".into(),
            open_items: vec![OpenItem {
                text: " ".into(),
                incident_id: None,
            }],
        };
        // (from, event, actor, now, Ok(to) | Err(kind: "state"|"field:<f>"|"forbidden"))
        type Case = (S, E, Actor, OffsetDateTime, Result<S, &'static str>);
        let table: Vec<Case> = vec![
            (S::Scheduled, E::Start {}, member, on_time, Ok(S::OnDuty)),
            (
                S::Scheduled,
                E::Start {},
                member,
                start - Duration::minutes(30),
                Ok(S::OnDuty),
            ),
            (S::Scheduled, E::Start {}, member, early, Err("state")),
            (S::Scheduled, E::Start {}, commander, on_time, Ok(S::OnDuty)),
            (
                S::Scheduled,
                E::Start {},
                stranger,
                on_time,
                Err("forbidden"),
            ),
            (
                S::Scheduled,
                E::Start {},
                incoming,
                on_time,
                Err("forbidden"),
            ),
            (S::OnDuty, E::Start {}, member, on_time, Err("state")),
            (S::HandedOver, E::Start {}, member, on_time, Err("state")),
            (S::Scheduled, hand("平稳"), member, on_time, Err("state")),
            (S::OnDuty, hand("平稳"), member, on_time, Ok(S::HandedOver)),
            (
                S::OnDuty,
                hand("平稳"),
                commander,
                on_time,
                Ok(S::HandedOver),
            ),
            (S::OnDuty, hand("平稳"), stranger, on_time, Err("forbidden")),
            (
                S::OnDuty,
                hand(" "),
                member,
                on_time,
                Err("field:handover_note"),
            ),
            (
                S::OnDuty,
                empty_item,
                member,
                on_time,
                Err("field:open_items[0].text"),
            ),
            (S::HandedOver, hand("平稳"), member, on_time, Err("state")),
            (S::Acknowledged, hand("平稳"), member, on_time, Err("state")),
            (
                S::HandedOver,
                E::Acknowledge {},
                incoming,
                on_time,
                Ok(S::Acknowledged),
            ),
            (
                S::HandedOver,
                E::Acknowledge {},
                commander,
                on_time,
                Ok(S::Acknowledged),
            ),
            (
                S::HandedOver,
                E::Acknowledge {},
                member,
                on_time,
                Err("forbidden"),
            ),
            (
                S::HandedOver,
                E::Acknowledge {},
                self_ack,
                on_time,
                Err("state"),
            ),
            (
                S::OnDuty,
                E::Acknowledge {},
                incoming,
                on_time,
                Err("state"),
            ),
            (
                S::Scheduled,
                E::Acknowledge {},
                incoming,
                on_time,
                Err("state"),
            ),
            (
                S::Acknowledged,
                E::Acknowledge {},
                incoming,
                on_time,
                Err("state"),
            ),
        ];
        for (from, ev, actor, now, want) in table {
            let got = from.transition(&ev, actor, start, now);
            match (got, want) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{from:?} {ev:?}"),
                (Err(RuleError::State(m)), Err("state")) => assert!(!m.message.is_empty()),
                (Err(RuleError::Forbidden(_)), Err("forbidden")) => {}
                (Err(RuleError::Field(FieldError { field, .. })), Err(w))
                    if w.strip_prefix("field:") == Some(field.as_str()) => {}
                (got, want) => panic!("{from:?} {ev:?} {actor:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn log_entries_are_checked() {
        let now = datetime!(2026-07-01 12:00 UTC);
        let f = |text: &str, at: OffsetDateTime| match check_log_entry(text, at, now) {
            Ok(()) => "ok".to_string(),
            Err(RuleError::Field(FieldError { field, .. })) => field,
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(f("云州区来电：山洪", now), "ok");
        assert_eq!(f("  ", now), "text");
        assert_eq!(f(&"长".repeat(2001), now), "text");
        assert_eq!(f(&"长".repeat(2000), now), "ok");
        assert_eq!(f("x", now + Duration::minutes(6)), "at");
        assert_eq!(f("x", now + Duration::minutes(5)), "ok");
        assert_eq!(f("x", now - Duration::days(7)), "ok");
        assert_eq!(f("x", now - Duration::days(7) - Duration::seconds(1)), "at");
    }

    #[test]
    fn corrections_stay_in_their_division_and_follow_the_original() {
        let t = datetime!(2026-07-01 12:00 UTC);
        let d = "140213000000";
        assert!(check_correction(d, t, d, t).is_ok());
        assert!(check_correction(d, t, d, t + Duration::hours(1)).is_ok());
        assert!(check_correction(d, t, "140215000000", t).is_err());
        assert!(check_correction(d, t, d, t - Duration::minutes(1)).is_err());
    }

    #[test]
    fn a_day_is_a_china_day() {
        let (s, e) = day_bounds(date!(2026 - 07 - 01));
        assert_eq!(s, datetime!(2026-06-30 16:00 UTC));
        assert_eq!(e, datetime!(2026-07-01 16:00 UTC));
    }

    fn shift(id: i64, state: ShiftState, starts_at: OffsetDateTime) -> model::Shift {
        model::Shift {
            id,
            state,
            starts_at: crate::db::UtcText(starts_at),
            ends_at: crate::db::UtcText(starts_at + Duration::hours(9)),
            ..model::Shift::scheduled("140213".into(), "t", starts_at)
        }
    }

    #[test]
    fn a_step_sets_its_fields_after_the_rule_and_acknowledging_puts_the_next_shift_on_duty() {
        use ShiftState as S;
        let start = datetime!(2026-07-01 00:30 UTC);
        let now = start + Duration::hours(9);
        let crew = Actor {
            member: true,
            incoming: true,
            ..Actor::default()
        };
        let hand_over = ShiftEvent::HandOver {
            note: "  平稳  ".into(),
            open_items: vec![OpenItem {
                text: " 复核雨量站 ".into(),
                incident_id: Some(7),
            }],
        };
        // (shift state, next shift's state, event, state after, next on duty)
        let table = [
            (S::Scheduled, None, ShiftEvent::Start {}, S::OnDuty, None),
            (
                S::OnDuty,
                Some(S::Scheduled),
                hand_over.clone(),
                S::HandedOver,
                None,
            ),
            (
                S::HandedOver,
                Some(S::Scheduled),
                ShiftEvent::Acknowledge {},
                S::Acknowledged,
                Some(S::OnDuty),
            ),
            // The next shift already started itself: left as it is.
            (
                S::HandedOver,
                Some(S::OnDuty),
                ShiftEvent::Acknowledge {},
                S::Acknowledged,
                None,
            ),
            (
                S::HandedOver,
                None,
                ShiftEvent::Acknowledge {},
                S::Acknowledged,
                None,
            ),
        ];
        for (state, next, ev, after, next_after) in table {
            let x = shift(1, state, start);
            let n = next.map(|st| shift(2, st, start + Duration::hours(9)));
            let step = take_step(x, n, &ev, crew, "zhang", now).unwrap();
            assert_eq!(step.shift.state, after, "{state:?} × {ev:?}");
            assert_eq!(step.shift.updated_at.0, now);
            assert_eq!(
                step.took_over.as_ref().map(|n| n.state),
                next_after,
                "{state:?} × {ev:?}"
            );
            if let Some(n) = &step.took_over {
                assert_eq!(
                    (n.id, n.started_by.as_str(), n.started_at),
                    (2, "zhang", Some(crate::db::UtcText(now)))
                );
            }
            match ev {
                ShiftEvent::Start {} => assert_eq!(step.shift.started_by, "zhang"),
                ShiftEvent::HandOver { .. } => {
                    assert_eq!(step.shift.handover_note, "平稳");
                    assert_eq!(step.shift.open_items[0].text, "复核雨量站");
                    assert_eq!(step.shift.handed_over_by, "zhang");
                }
                ShiftEvent::Acknowledge {} => assert_eq!(step.shift.acknowledged_by, "zhang"),
            }
        }
        // Refused by the rule: nothing is set (the caller gets the refusal).
        let refused = take_step(
            shift(1, S::Scheduled, start),
            None,
            &hand_over,
            crew,
            "zhang",
            now,
        );
        assert!(matches!(refused, Err(RuleError::State(ref r)) if r.code == "not_on_duty_yet"));
    }
}
