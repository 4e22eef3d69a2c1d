//! Monitoring and alarms (监测预警): sensors on the registry's monitoring
//! points, readings from devices (HTTP batches with a per-device token, MQTT
//! with acknowledgement after commit), rules that turn readings into alarms
//! (threshold with hysteresis and minimum duration, rate of change,
//! silence), and the alarm's life: raised → acknowledged → resolved, or a
//! false alarm with its reason; escalated when nobody acknowledges it in
//! time; an alarm can open an incident.
//!
//! The plan: 三.15 强化风险监测预警预报 (物联网 … 实现重点行业领域安全联网
//! 监测), 四.6 自然灾害监测预警信息化工程, 四.9 安全生产预防能力提升工程
//! (危险源监测预警系统), 四.14 应急管理信息化建设工程.
//!
//! Pure: no SQL, no HTTP, no clock reads (times are parameters).

pub mod api;
pub mod ingest;
pub mod jobs;
pub mod model;
pub mod mqtt;
pub mod sim;
pub mod store;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::db::UtcText;
pub use crate::error::RuleError;
use crate::error::{text, FieldError, Refusal};
pub use model::{Alarm, Device, Sensor};

// ── sensors ────────────────────────────────────────────────────────────

/// What a sensor measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SensorKind {
    /// 甲烷浓度 (%CH₄)
    Gas,
    /// 水位 (m)
    WaterLevel,
    /// 小时降雨量 (mm/h)
    Rainfall,
    /// 尾矿库库水位 (m)
    TailingsLevel,
    /// 位移 (mm)
    Displacement,
    /// 温度 (°C)
    Temperature,
}

impl SensorKind {
    pub const ALL: [SensorKind; 6] = [
        SensorKind::Gas,
        SensorKind::WaterLevel,
        SensorKind::Rainfall,
        SensorKind::TailingsLevel,
        SensorKind::Displacement,
        SensorKind::Temperature,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SensorKind::Gas => "gas",
            SensorKind::WaterLevel => "water_level",
            SensorKind::Rainfall => "rainfall",
            SensorKind::TailingsLevel => "tailings_level",
            SensorKind::Displacement => "displacement",
            SensorKind::Temperature => "temperature",
        }
    }
    pub fn parse(s: &str) -> Option<SensorKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            SensorKind::Gas => "甲烷浓度",
            SensorKind::WaterLevel => "水位",
            SensorKind::Rainfall => "雨量",
            SensorKind::TailingsLevel => "尾矿库水位",
            SensorKind::Displacement => "位移",
            SensorKind::Temperature => "温度",
        }
    }
    /// The unit readings are given in.
    pub fn unit(self) -> &'static str {
        match self {
            SensorKind::Gas => "%CH4",
            SensorKind::WaterLevel | SensorKind::TailingsLevel => "m",
            SensorKind::Rainfall => "mm/h",
            SensorKind::Displacement => "mm",
            SensorKind::Temperature => "°C",
        }
    }
    /// The incident type an alarm of this kind opens (a code of
    /// `/incident-types`).
    pub fn incident_type(self) -> &'static str {
        match self {
            SensorKind::Gas => "accident.production.coal_mine",
            SensorKind::WaterLevel => "natural.flood_drought.flood",
            SensorKind::Rainfall => "natural.meteorological.rainstorm",
            SensorKind::TailingsLevel => "accident.production.non_coal_mine",
            SensorKind::Displacement => "natural.geological.landslide",
            SensorKind::Temperature => "accident.fire",
        }
    }
    /// The rules a sensor of this kind has unless it overrides them. A
    /// number is given only where a national rule gives one; the others
    /// depend on the site (a river's 警戒水位, a tailings pond's design
    /// level, a slope's displacement limit) and are set per sensor.
    pub fn default_rules(self) -> RuleSet {
        let silence = Some(Silence {
            intervals: DEFAULT_SILENCE_INTERVALS,
        });
        match self {
            // 《煤矿安全规程》(2016) 第四百九十八条: 采煤工作面甲烷传感器
            // 报警浓度 ≥1.0%CH₄, 复电浓度 <1.0%CH₄; the 0.1 band is the
            // hysteresis, so a reading wavering at 1.0 raises once.
            SensorKind::Gas => RuleSet {
                threshold: Some(Threshold {
                    high: Some(1.0),
                    low: None,
                    hysteresis: 0.1,
                    min_duration_secs: 0,
                }),
                rate: None,
                silence,
                combination: None,
            },
            // 中国气象局: 短时强降水 — 1 小时降水量 ≥ 20 mm (《短时
            // 临近预报业务规定》, 气发〔2017〕2号); held 10 minutes so one
            // gust of a tipping bucket does not raise.
            SensorKind::Rainfall => RuleSet {
                threshold: Some(Threshold {
                    high: Some(20.0),
                    low: None,
                    hysteresis: 2.0,
                    min_duration_secs: 600,
                }),
                rate: None,
                silence,
                combination: None,
            },
            _ => RuleSet {
                threshold: None,
                rate: None,
                silence,
                combination: None,
            },
        }
    }
}

/// A sensor is silent after this many sampling intervals without a reading
/// (this platform's default; a sensor may set its own).
pub const DEFAULT_SILENCE_INTERVALS: i64 = 3;

/// Threshold: beyond `high` (≥) or `low` (≤) for at least
/// `min_duration_secs` raises; back inside by more than `hysteresis`
/// clears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub high: Option<f64>,
    pub low: Option<f64>,
    #[serde(default)]
    pub hysteresis: f64,
    #[serde(default)]
    pub min_duration_secs: i64,
}

/// Rate of change: more than `max_per_minute` (either way) between two
/// consecutive readings raises; a later rate within it clears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateOfChange {
    pub max_per_minute: f64,
}

/// Silence: no reading for `intervals` sampling intervals raises; the next
/// reading clears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Silence {
    pub intervals: i64,
}

/// The rules of a sensor. As an override, each present rule replaces the
/// kind's default of that rule (see [`RuleSet::over`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub threshold: Option<Threshold>,
    pub rate: Option<RateOfChange>,
    pub silence: Option<Silence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combination: Option<Combination>,
}

/// One condition of a [`Combination`]: a sensor of the same monitoring
/// point, by its code (empty: the sensor the rule is on), at or above
/// `at_least` and/or at or below `at_most`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default)]
    pub sensor: String,
    pub at_least: Option<f64>,
    pub at_most: Option<f64>,
}

impl Condition {
    pub fn holds(&self, v: f64) -> bool {
        self.at_least.is_none_or(|l| v >= l) && self.at_most.is_none_or(|m| v <= m)
    }
}

/// Combination (组合): every condition holds at once — e.g. 甲烷 ≥ 0.8 %
/// and the same face's 风速 ≤ 0.25 m/s (ventilation stopped). Evaluated at
/// each reading of the sensor the rule is on, with the latest reading of
/// each other sensor named, if not older than `max_age_secs` before it (an
/// older or missing one does not hold). Raises when all hold; clears when
/// one no longer does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    pub all: Vec<Condition>,
    #[serde(default = "default_max_age")]
    pub max_age_secs: i64,
}

fn default_max_age() -> i64 {
    600
}

/// The latest reading (time, value) of the other sensors of a point, by
/// code.
pub type Latest = std::collections::HashMap<String, (OffsetDateTime, f64)>;

impl Combination {
    /// Do all conditions hold for this sensor's reading `value` at `at`
    /// and the other sensors' latest readings?
    pub fn holds(&self, at: OffsetDateTime, value: f64, others: &Latest) -> bool {
        let max_age = Duration::seconds(self.max_age_secs);
        self.all.iter().all(|c| {
            if c.sensor.is_empty() {
                return c.holds(value);
            }
            others
                .get(&c.sensor)
                .is_some_and(|(t, v)| (at - *t).abs() <= max_age && c.holds(*v))
        })
    }

    /// The codes of the other sensors it reads.
    pub fn others(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .all
            .iter()
            .map(|c| c.sensor.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn describe(&self) -> String {
        self.all
            .iter()
            .map(|c| {
                let who = if c.sensor.is_empty() {
                    "本传感器".to_string()
                } else {
                    c.sensor.clone()
                };
                match (c.at_least, c.at_most) {
                    (Some(l), Some(m)) => format!("{who} 在 {l}–{m}"),
                    (Some(l), None) => format!("{who} ≥ {l}"),
                    (None, Some(m)) => format!("{who} ≤ {m}"),
                    (None, None) => who,
                }
            })
            .collect::<Vec<_>>()
            .join(" 且 ")
    }
}

impl RuleSet {
    /// `overrides` over `self` (the kind's defaults), rule by rule.
    pub fn over(&self, overrides: &RuleSet) -> RuleSet {
        RuleSet {
            threshold: overrides
                .threshold
                .clone()
                .or_else(|| self.threshold.clone()),
            rate: overrides.rate.clone().or_else(|| self.rate.clone()),
            silence: overrides.silence.clone().or_else(|| self.silence.clone()),
            combination: overrides
                .combination
                .clone()
                .or_else(|| self.combination.clone()),
        }
    }

    /// Every wrong field, named `rules.<rule>.<field>`.
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(t) = &self.threshold {
            for (name, v) in [
                ("high", t.high),
                ("low", t.low),
                ("hysteresis", Some(t.hysteresis)),
            ] {
                if v.is_some_and(|v| !v.is_finite()) {
                    out.push(
                        FieldError::new(format!("rules.threshold.{name}"), "应为有限数值")
                            .code("not_finite"),
                    );
                }
            }
            if t.hysteresis < 0.0 {
                out.push(
                    FieldError::new("rules.threshold.hysteresis", "不能为负数").code("negative"),
                );
            }
            if !(0..=86_400).contains(&t.min_duration_secs) {
                out.push(
                    FieldError::new("rules.threshold.min_duration_secs", "应在 0–86400 秒之间")
                        .code("out_of_range")
                        .param("min", 0)
                        .param("max", 86_400),
                );
            }
            if let (Some(h), Some(l)) = (t.high, t.low) {
                if l + 2.0 * t.hysteresis >= h {
                    out.push(
                        FieldError::new("rules.threshold.low", "下限加两倍回差须小于上限")
                            .code("low_not_below_high"),
                    );
                }
            }
        }
        if let Some(r) = &self.rate {
            if !(r.max_per_minute.is_finite() && r.max_per_minute > 0.0) {
                out.push(
                    FieldError::new("rules.rate.max_per_minute", "应为正数").code("not_positive"),
                );
            }
        }
        if let Some(c) = &self.combination {
            if !(1..=8).contains(&c.all.len()) {
                out.push(
                    FieldError::new("rules.combination.all", "应有 1–8 个条件")
                        .code("out_of_range")
                        .param("min", 1)
                        .param("max", 8),
                );
            }
            for (i, x) in c.all.iter().enumerate() {
                let f = |n: &str| format!("rules.combination.all[{i}].{n}");
                if x.at_least.is_none() && x.at_most.is_none() {
                    out.push(
                        FieldError::new(f("at_least"), "至少给出下限或上限之一")
                            .code("condition_empty"),
                    );
                }
                for (n, v) in [("at_least", x.at_least), ("at_most", x.at_most)] {
                    if v.is_some_and(|v| !v.is_finite()) {
                        out.push(FieldError::new(f(n), "应为有限数值").code("not_finite"));
                    }
                }
                if let (Some(l), Some(m)) = (x.at_least, x.at_most) {
                    if l > m {
                        out.push(
                            FieldError::new(f("at_most"), "上限须不小于下限").code("not_after"),
                        );
                    }
                }
            }
            if !c.all.iter().any(|x| x.sensor.is_empty()) {
                out.push(
                    FieldError::new("rules.combination.all", "须含本传感器自身的条件")
                        .code("combination_without_own"),
                );
            }
            if !(1..=86_400).contains(&c.max_age_secs) {
                out.push(
                    FieldError::new("rules.combination.max_age_secs", "应在 1–86400 秒之间")
                        .code("out_of_range")
                        .param("min", 1)
                        .param("max", 86_400),
                );
            }
        }
        if let Some(s) = &self.silence {
            if !(1..=1000).contains(&s.intervals) {
                out.push(
                    FieldError::new("rules.silence.intervals", "应在 1–1000 之间")
                        .code("out_of_range")
                        .param("min", 1)
                        .param("max", 1000),
                );
            }
        }
        out
    }
}

/// Which rule an alarm comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Threshold,
    Rate,
    Silence,
    Combination,
}

impl RuleKind {
    pub const ALL: [RuleKind; 4] = [
        RuleKind::Threshold,
        RuleKind::Rate,
        RuleKind::Silence,
        RuleKind::Combination,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Threshold => "threshold",
            RuleKind::Rate => "rate",
            RuleKind::Silence => "silence",
            RuleKind::Combination => "combination",
        }
    }
    pub fn parse(s: &str) -> Option<RuleKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RuleKind::Threshold => "超限",
            RuleKind::Rate => "突变",
            RuleKind::Silence => "离线",
            RuleKind::Combination => "组合",
        }
    }
}

/// What the rules remember of a sensor between readings (stored with the
/// sensor as JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleState {
    /// The first reading of the current run beyond the threshold.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub beyond_since: Option<UtcText>,
    /// The threshold rule is in alarm.
    #[serde(default)]
    pub threshold_on: bool,
    /// The last reading the rules saw (time, value).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub last_at: Option<UtcText>,
    #[serde(default)]
    pub last_value: Option<f64>,
    #[serde(default)]
    pub rate_on: bool,
    #[serde(default)]
    pub silence_on: bool,
    #[serde(default)]
    pub combination_on: bool,
}

/// What the rules say of a reading or of the passing of time.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// A rule goes into alarm: the value that did it and the limit passed.
    Raise {
        rule: RuleKind,
        value: Option<f64>,
        limit: Option<f64>,
        message: String,
    },
    /// A rule's condition is back to normal.
    Clear { rule: RuleKind, value: Option<f64> },
}

impl Signal {
    pub fn rule(&self) -> RuleKind {
        match self {
            Signal::Raise { rule, .. } | Signal::Clear { rule, .. } => *rule,
        }
    }
}

fn beyond(t: &Threshold, v: f64) -> Option<f64> {
    match (t.high, t.low) {
        (Some(h), _) if v >= h => Some(h),
        (_, Some(l)) if v <= l => Some(l),
        _ => None,
    }
}

fn back_inside(t: &Threshold, v: f64) -> bool {
    t.high.is_none_or(|h| v < h - t.hysteresis) && t.low.is_none_or(|l| v > l + t.hysteresis)
}

/// Evaluate a reading `value` taken at `at` against `rules`, after `st`,
/// with the latest readings of the point's other sensors (`others`, for a
/// combination). Readings older than the last one seen change nothing
/// (they are stored, but the rules follow time forwards only).
pub fn on_reading(
    rules: &RuleSet,
    mut st: RuleState,
    at: OffsetDateTime,
    value: f64,
    others: &Latest,
) -> (RuleState, Vec<Signal>) {
    let mut out = Vec::new();
    if st.last_at.is_some_and(|l| at <= l.0) {
        return (st, out);
    }
    if st.silence_on {
        st.silence_on = false;
        out.push(Signal::Clear {
            rule: RuleKind::Silence,
            value: Some(value),
        });
    }
    if let Some(t) = &rules.threshold {
        if st.threshold_on {
            if back_inside(t, value) {
                st.threshold_on = false;
                st.beyond_since = None;
                out.push(Signal::Clear {
                    rule: RuleKind::Threshold,
                    value: Some(value),
                });
            }
        } else if let Some(limit) = beyond(t, value) {
            let since = st.beyond_since.map_or(at, |s| s.0);
            st.beyond_since = Some(since.into());
            if at - since >= Duration::seconds(t.min_duration_secs) {
                st.threshold_on = true;
                let side = if t.high == Some(limit) {
                    "超过上限"
                } else {
                    "低于下限"
                };
                out.push(Signal::Raise {
                    rule: RuleKind::Threshold,
                    value: Some(value),
                    limit: Some(limit),
                    message: format!("读数 {value} {side} {limit}"),
                });
            }
        } else {
            st.beyond_since = None;
        }
    }
    if let (Some(r), Some(last_at), Some(last)) = (&rules.rate, st.last_at, st.last_value) {
        let minutes = (at - last_at.0).as_seconds_f64() / 60.0;
        let rate = (value - last) / minutes;
        if rate.abs() > r.max_per_minute {
            if !st.rate_on {
                st.rate_on = true;
                out.push(Signal::Raise {
                    rule: RuleKind::Rate,
                    value: Some(value),
                    limit: Some(r.max_per_minute),
                    message: format!("变化速率 {:.3}/分钟 超过 {}/分钟", rate, r.max_per_minute),
                });
            }
        } else if st.rate_on {
            st.rate_on = false;
            out.push(Signal::Clear {
                rule: RuleKind::Rate,
                value: Some(value),
            });
        }
    }
    if let Some(c) = &rules.combination {
        let holds = c.holds(at, value, others);
        if holds && !st.combination_on {
            st.combination_on = true;
            out.push(Signal::Raise {
                rule: RuleKind::Combination,
                value: Some(value),
                limit: None,
                message: format!("组合条件成立：{}", c.describe()),
            });
        } else if !holds && st.combination_on {
            st.combination_on = false;
            out.push(Signal::Clear {
                rule: RuleKind::Combination,
                value: Some(value),
            });
        }
    }
    st.last_at = Some(at.into());
    st.last_value = Some(value);
    (st, out)
}

/// What a rule set would have raised and cleared over stored readings (the
/// rule editor's preview): one step of [`preview`].
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PreviewEvent {
    pub at: UtcText,
    pub rule: RuleKind,
    /// raised | cleared
    pub kind: &'static str,
    pub value: Option<f64>,
    pub message: String,
}

/// Replay a sensor's readings `own` (time order) from `from` to `to`
/// through `rules`, with the other sensors' readings `others` (by code,
/// time order) for combinations, and the clock at each reading and at `to`
/// for silence: every raise and clear, in order. The same functions as
/// the ingest ([`on_reading`], [`on_tick`]), from a fresh state.
pub fn preview(
    rules: &RuleSet,
    interval_secs: i64,
    own: &[(OffsetDateTime, f64)],
    others: &std::collections::HashMap<String, Vec<(OffsetDateTime, f64)>>,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Vec<PreviewEvent> {
    let mut st = RuleState::default();
    let mut out = Vec::new();
    let mut latest = Latest::new();
    let mut next: std::collections::HashMap<&str, usize> = Default::default();
    let push = |at: OffsetDateTime, sigs: Vec<Signal>, out: &mut Vec<PreviewEvent>| {
        for sig in sigs {
            out.push(match sig {
                Signal::Raise {
                    rule,
                    value,
                    message,
                    ..
                } => PreviewEvent {
                    at: at.into(),
                    rule,
                    kind: "raised",
                    value,
                    message,
                },
                Signal::Clear { rule, value } => PreviewEvent {
                    at: at.into(),
                    rule,
                    kind: "cleared",
                    value,
                    message: String::new(),
                },
            });
        }
    };
    // The clock's turn when the silence rule comes due (not later: the job
    // ticks every `tick_secs`), at `at` otherwise.
    let due = |st: &RuleState, at: OffsetDateTime| match &rules.silence {
        Some(s) => {
            let last = st.last_at.map_or(from, |l| l.0);
            at.min(last + Duration::seconds(interval_secs.saturating_mul(s.intervals)))
        }
        None => at,
    };
    for &(at, v) in own.iter().filter(|(t, _)| *t >= from && *t <= to) {
        let tick = due(&st, at);
        let (s2, sigs) = on_tick(rules, st, interval_secs, from, tick);
        st = s2;
        push(tick, sigs, &mut out);
        for (code, list) in others {
            let i = next.entry(code.as_str()).or_insert(0);
            while *i < list.len() && list[*i].0 <= at {
                latest.insert(code.clone(), list[*i]);
                *i += 1;
            }
        }
        let (s2, sigs) = on_reading(rules, st, at, v, &latest);
        st = s2;
        push(at, sigs, &mut out);
    }
    let tick = due(&st, to);
    let (_, sigs) = on_tick(rules, st, interval_secs, from, tick);
    push(tick, sigs, &mut out);
    out
}

/// The passing of time for a sensor sampled every `interval_secs` and
/// watched since `since` (its creation): silent when no reading came for
/// the silence rule's intervals.
pub fn on_tick(
    rules: &RuleSet,
    mut st: RuleState,
    interval_secs: i64,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> (RuleState, Vec<Signal>) {
    let mut out = Vec::new();
    if let Some(s) = &rules.silence {
        let last = st.last_at.map_or(since, |l| l.0);
        let quiet = Duration::seconds(interval_secs.saturating_mul(s.intervals));
        if !st.silence_on && now - last >= quiet {
            st.silence_on = true;
            out.push(Signal::Raise {
                rule: RuleKind::Silence,
                value: None,
                limit: None,
                message: format!(
                    "{} 个采样周期（{} 秒）无数据",
                    s.intervals,
                    quiet.whole_seconds()
                ),
            });
        }
    }
    (st, out)
}

// ── ingest: what a reading must be to be stored ────────────────────────

/// How far ahead of this server's clock and how far back a reading's time
/// may be (`[monitoring] max_future_secs`, `max_past_hours`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub future: Duration,
    pub past: Duration,
}

/// Why a reading is not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Refused {
    /// Its time is further ahead than the allowed clock skew.
    Future,
    /// Its time is older than the allowed past.
    Past,
    /// Not a number, or outside the sensor's range.
    OutOfRange,
}

/// Check a reading's time and value: the time cut to milliseconds (the
/// precision readings are stored and deduplicated at), or why not.
pub fn admit(
    at: OffsetDateTime,
    value: f64,
    range: (Option<f64>, Option<f64>),
    w: Window,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, Refused> {
    if at > now + w.future {
        return Err(Refused::Future);
    }
    if at < now - w.past {
        return Err(Refused::Past);
    }
    if !value.is_finite()
        || range.0.is_some_and(|min| value < min)
        || range.1.is_some_and(|max| value > max)
    {
        return Err(Refused::OutOfRange);
    }
    let ms = at.millisecond();
    Ok(at
        .replace_nanosecond(u32::from(ms) * 1_000_000)
        .unwrap_or(at))
}

/// The minute a reading's roll-up row is (its time cut to the minute).
pub fn minute_of(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(at)
}

/// The hour a reading's 1-hour roll-up row is (its time cut to the hour).
pub fn hour_of(at: OffsetDateTime) -> OffsetDateTime {
    minute_of(at).replace_minute(0).unwrap_or(at)
}

/// A series over a range up to this is read raw. Six hours and five
/// minutes: a client asking for "the last 6 hours" by its own clock still
/// gets raw readings.
pub const RAW_SERIES_MAX: Duration = Duration::minutes(6 * 60 + 5);
/// Up to this, from the 1-minute roll-ups (at most 2,885 points); longer
/// ranges from the 1-hour ones (a year is 8,760 points).
pub const MINUTE_SERIES_MAX: Duration = Duration::minutes(2 * 24 * 60 + 5);

/// What a series is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Raw,
    Minute,
    Hour,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Raw => "raw",
            Resolution::Minute => "1m",
            Resolution::Hour => "1h",
        }
    }
}

/// The resolution of a series over `from`–`to`: raw readings for a few
/// hours, minutes for up to two days, hours beyond.
pub fn resolution(from: OffsetDateTime, to: OffsetDateTime) -> Resolution {
    let span = to - from;
    if span <= RAW_SERIES_MAX {
        Resolution::Raw
    } else if span <= MINUTE_SERIES_MAX {
        Resolution::Minute
    } else {
        Resolution::Hour
    }
}

// ── alarms ─────────────────────────────────────────────────────────────

/// Where an alarm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    /// 已报警
    Raised,
    /// 已确认
    Acknowledged,
    /// 已解除
    Resolved,
    /// 误报
    FalseAlarm,
}

impl AlarmState {
    pub const ALL: [AlarmState; 4] = [
        AlarmState::Raised,
        AlarmState::Acknowledged,
        AlarmState::Resolved,
        AlarmState::FalseAlarm,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Raised => "raised",
            AlarmState::Acknowledged => "acknowledged",
            AlarmState::Resolved => "resolved",
            AlarmState::FalseAlarm => "false_alarm",
        }
    }
    pub fn parse(s: &str) -> Option<AlarmState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            AlarmState::Raised => "报警中",
            AlarmState::Acknowledged => "已确认",
            AlarmState::Resolved => "已解除",
            AlarmState::FalseAlarm => "误报",
        }
    }
    /// Active: one per sensor and rule at most (a unique index holds it).
    pub fn is_active(self) -> bool {
        matches!(self, AlarmState::Raised | AlarmState::Acknowledged)
    }
}

/// A step of an alarm (`POST /monitoring/alarms/{id}/events`, tagged by
/// `kind`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlarmCommand {
    /// 确认: someone on duty has seen it and acts.
    Acknowledge {
        #[serde(default)]
        note: String,
    },
    /// 解除: the danger is over.
    Resolve {
        #[serde(default)]
        note: String,
    },
    /// 误报: there was no danger, and why (a faulty sensor, maintenance …).
    FalseAlarm { reason: String },
}

impl AlarmCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            AlarmCommand::Acknowledge { .. } => "acknowledge",
            AlarmCommand::Resolve { .. } => "resolve",
            AlarmCommand::FalseAlarm { .. } => "false_alarm",
        }
    }
}

fn wrong_state(a: &Alarm, kind: &str) -> RuleError {
    RuleError::State(
        Refusal::new(
            "alarm_step_not_allowed",
            format!("告警{}，不能执行此步骤", a.state.label_zh()),
        )
        .param("state", a.state.as_str())
        .param("event", kind),
    )
}

/// Apply `cmd` to `a` by `actor` at `now`: the alarm after the step and
/// what the journal says of it, or why not.
pub fn apply(
    mut a: Alarm,
    cmd: &AlarmCommand,
    actor: &str,
    now: OffsetDateTime,
) -> Result<(Alarm, Value), RuleError> {
    use AlarmCommand as C;
    use AlarmState as S;
    let kind = cmd.as_str();
    let t = UtcText(now);
    let from = a.state;
    let payload = match cmd {
        C::Acknowledge { note } => {
            if a.state != S::Raised {
                return Err(wrong_state(&a, kind));
            }
            let note = text("note", note, 1000, false)?;
            a.state = S::Acknowledged;
            a.acknowledged_by = actor.to_string();
            a.acknowledged_at = Some(t);
            json!({ "note": note })
        }
        C::Resolve { note } => {
            if !a.state.is_active() {
                return Err(wrong_state(&a, kind));
            }
            a.resolution_note = text("note", note, 1000, false)?;
            a.state = S::Resolved;
            a.resolved_by = actor.to_string();
            a.resolved_at = Some(t);
            json!({ "note": a.resolution_note })
        }
        C::FalseAlarm { reason } => {
            if !a.state.is_active() {
                return Err(wrong_state(&a, kind));
            }
            a.resolution_note = text("reason", reason, 1000, true)?;
            a.state = S::FalseAlarm;
            a.resolved_by = actor.to_string();
            a.resolved_at = Some(t);
            json!({ "reason": a.resolution_note })
        }
    };
    a.updated_at = t;
    let mut payload = payload;
    if let Value::Object(m) = &mut payload {
        m.insert("from".into(), from.as_str().into());
        m.insert("to".into(), a.state.as_str().into());
    }
    Ok((a, payload))
}

/// The steps that may be taken on `a` now, asked of [`apply`].
pub fn alarm_allowed(a: &Alarm, now: OffsetDateTime) -> Vec<&'static str> {
    let samples = [
        AlarmCommand::Acknowledge {
            note: String::new(),
        },
        AlarmCommand::Resolve {
            note: String::new(),
        },
        AlarmCommand::FalseAlarm { reason: "-".into() },
    ];
    samples
        .iter()
        .filter(|c| apply(a.clone(), c, "-", now).is_ok())
        .map(AlarmCommand::as_str)
        .collect()
}

/// The public warning (预警, a `warnings` hazard key) an alarm may be
/// drafted into: rain gauges lead to 暴雨 (`rainstorm`), slope displacement
/// to 地质灾害 (`geohazard`); mine gas, temperature, tailings and river
/// levels lead to none (the enterprise, the dam or the flood office handles
/// them first, so no public-warning template is proposed). A false alarm
/// leads to nothing. The alarm list and the warning form ask this, not a copy.
pub fn warning_hazard(kind: Option<SensorKind>, state: AlarmState) -> Option<&'static str> {
    if state == AlarmState::FalseAlarm {
        return None;
    }
    match kind? {
        SensorKind::Rainfall => Some("rainstorm"),
        SensorKind::Displacement => Some("geohazard"),
        SensorKind::Gas
        | SensorKind::WaterLevel
        | SensorKind::TailingsLevel
        | SensorKind::Temperature => None,
    }
}

/// Escalation (`[monitoring] escalate_after_mins`, `max_escalation`): an
/// alarm nobody acknowledged goes one level up (county duty room → city →
/// province) each `after` since it was raised, up to `max` levels. The
/// level it should be at now, when higher than its own.
pub fn escalation_due(a: &Alarm, after: Duration, max: i64, now: OffsetDateTime) -> Option<i64> {
    if a.state != AlarmState::Raised || after <= Duration::ZERO {
        return None;
    }
    let waited = now - a.raised_at.0;
    let due = (waited.whole_seconds() / after.whole_seconds().max(1)).min(max);
    (due > a.escalation_level).then_some(due)
}

// ── configuration ──────────────────────────────────────────────────────

/// `[monitoring]`: the MQTT broker (none: no MQTT ingest), the readings'
/// time window, escalation and retention.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitoringConfig {
    /// `mqtt://host:1883`; none: readings come over HTTP only.
    pub mqtt_url: Option<String>,
    /// The consumer's client id: its session (and the readings the broker
    /// keeps for it while it is away) is kept across restarts.
    pub mqtt_client_id: String,
    pub mqtt_username: Option<String>,
    pub mqtt_password: Option<String>,
    /// Topic filter (`yingji/<division>/<point id>/<sensor code>`).
    pub mqtt_topic: String,
    /// Messages between the broker connection and storage: when storage
    /// is slower, the connection stops reading and the broker holds back.
    pub queue: usize,
    /// Readings committed in one transaction at most.
    pub batch: usize,
    /// A reading may be this far ahead of the server's clock.
    pub max_future_secs: i64,
    /// A reading may be this old.
    pub max_past_hours: i64,
    /// An alarm nobody acknowledged goes up one level after this long.
    pub escalate_after_mins: i64,
    /// Levels above the duty room of the sensor's division.
    pub max_escalation: i64,
    /// Raw readings are kept this long, the 1-minute roll-ups longer and
    /// the 1-hour ones longest.
    pub raw_retention_days: i64,
    pub rollup_retention_days: i64,
    pub hourly_retention_days: i64,
    /// Seconds between the silence, escalation and retention checks.
    pub tick_secs: u64,
}

impl Default for MonitoringConfig {
    fn default() -> Self {
        MonitoringConfig {
            mqtt_url: None,
            mqtt_client_id: "yingji-monitoring".into(),
            mqtt_username: None,
            mqtt_password: None,
            mqtt_topic: "yingji/+/+/+".into(),
            queue: 1000,
            batch: 200,
            max_future_secs: 300,
            max_past_hours: 72,
            escalate_after_mins: 15,
            max_escalation: 2,
            raw_retention_days: 30,
            rollup_retention_days: 400,
            hourly_retention_days: 3660,
            tick_secs: 30,
        }
    }
}

impl MonitoringConfig {
    pub fn window(&self) -> Window {
        Window {
            future: Duration::seconds(self.max_future_secs.max(0)),
            past: Duration::hours(self.max_past_hours.max(1)),
        }
    }
}

#[cfg(test)]
mod tests;
