//! Inspections (执法检查) by 双随机、一公开: a random draw of enterprises
//! from a pool and of inspectors from a pool (《国务院办公厅关于推广随机抽查
//! 规范事中事后监管的通知》国办发〔2015〕58号: 随机抽取检查对象，随机选派执法
//! 检查人员，抽查情况及查处结果及时向社会公开), and the inspection's record:
//! planned → in progress → done, with its findings.
//!
//! The draw is reproducible by anyone from what it records: the seed, the
//! two pools (sorted), N, the inspectors per enterprise and the exclusions.
//! Its random numbers are SHA-256 of `"<seed>:<k>"` for k = 0, 1, 2, …
//! (the first 8 bytes, big-endian), so no library's generator (whose
//! output may change between versions) stands between the record and the
//! result. docs/rules.md gives the algorithm step by step.
//!
//! Pure: no SQL, no HTTP, no clock reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::RuleError;
use crate::db::UtcText;
use crate::error::{text, FieldError, Refusal};

/// The random numbers of a draw: u64s from SHA-256 of `"<seed>:<k>"`.
pub struct Stream<'a> {
    seed: &'a str,
    k: u64,
}

impl<'a> Stream<'a> {
    pub fn new(seed: &'a str) -> Self {
        Stream { seed, k: 0 }
    }
    pub fn next_u64(&mut self) -> u64 {
        let d = Sha256::digest(format!("{}:{}", self.seed, self.k).as_bytes());
        self.k += 1;
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        u64::from_be_bytes(b)
    }
    /// A uniform integer in 0..n (n > 0), by rejection: numbers at or above
    /// the largest multiple of n are drawn again, so no value is favoured.
    pub fn below(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        let zone = (u64::MAX / n) * n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// Choose `k` of `pool` (in pool order) by a partial Fisher–Yates shuffle:
/// for i in 0..k swap position i with i + below(len − i).
fn choose<T: Clone>(s: &mut Stream, pool: &[T], k: usize) -> Vec<T> {
    let mut v = pool.to_vec();
    let k = k.min(v.len());
    for i in 0..k {
        let j = i + s.below((v.len() - i) as u64) as usize;
        v.swap(i, j);
    }
    v.truncate(k);
    v
}

/// What a draw starts from (all of it is recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DrawInput {
    pub seed: String,
    /// Enterprise ids, ascending.
    pub enterprises: Vec<i64>,
    /// Inspectors' usernames, ascending (byte order).
    pub inspectors: Vec<String>,
    /// How many enterprises.
    pub n: usize,
    /// How many inspectors each (2: 《行政处罚法》第四十二条, 执法人员不得少于两人).
    pub per: usize,
    /// For an enterprise, the inspectors of its last inspection: not drawn
    /// again for it while enough others remain (never the same inspector
    /// twice running for one enterprise).
    #[serde(default)]
    pub previous: BTreeMap<i64, Vec<String>>,
}

/// One drawn enterprise and its inspectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Drawn {
    pub enterprise_id: i64,
    pub inspectors: Vec<String>,
    /// The pool without the last inspectors was too small, so they could
    /// be drawn again.
    #[serde(default)]
    pub repeat_allowed: bool,
}

/// The draw: N enterprises by a partial shuffle of the enterprise pool,
/// then, for each drawn enterprise in drawn order, `per` inspectors by a
/// partial shuffle of the inspector pool less that enterprise's last
/// inspectors (the whole pool when fewer than `per` would remain). One
/// stream serves the whole draw, in that order.
pub fn draw(d: &DrawInput) -> Result<Vec<Drawn>, RuleError> {
    if d.n == 0 || d.n > d.enterprises.len() {
        return Err(
            FieldError::new("n", format!("应为 1–{}", d.enterprises.len()))
                .code("out_of_range")
                .param("min", 1)
                .param("max", d.enterprises.len())
                .into(),
        );
    }
    if d.per == 0 || d.inspectors.len() < d.per {
        return Err(RuleError::State(
            Refusal::new("too_few_inspectors", "执法人员库人数不足")
                .param("have", d.inspectors.len())
                .param("need", d.per),
        ));
    }
    let mut s = Stream::new(&d.seed);
    let picked = choose(&mut s, &d.enterprises, d.n);
    Ok(picked
        .into_iter()
        .map(|e| {
            let last = d.previous.get(&e).cloned().unwrap_or_default();
            let others: Vec<String> = d
                .inspectors
                .iter()
                .filter(|u| !last.contains(u))
                .cloned()
                .collect();
            let repeat_allowed = others.len() < d.per;
            let pool = if repeat_allowed {
                &d.inspectors
            } else {
                &others
            };
            let mut inspectors = choose(&mut s, pool, d.per);
            inspectors.sort();
            Drawn {
                enterprise_id: e,
                inspectors,
                repeat_allowed,
            }
        })
        .collect())
}

/// Where an inspection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionState {
    /// 待检查
    Planned,
    /// 检查中
    InProgress,
    /// 已完成
    Done,
}

impl InspectionState {
    pub const ALL: [InspectionState; 3] = [
        InspectionState::Planned,
        InspectionState::InProgress,
        InspectionState::Done,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionState::Planned => "planned",
            InspectionState::InProgress => "in_progress",
            InspectionState::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<InspectionState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            InspectionState::Planned => "待检查",
            InspectionState::InProgress => "检查中",
            InspectionState::Done => "已完成",
        }
    }
}

/// A step of an inspection (`POST /supervision/inspections/{id}/events`).
#[derive(Debug, Clone, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InspectionCommand {
    /// 开始检查 (on site).
    Start {},
    /// 检查完成, with the summary (检查结论).
    Finish { summary: String },
}

impl InspectionCommand {
    pub fn as_str(&self) -> &'static str {
        match self {
            InspectionCommand::Start {} => "start",
            InspectionCommand::Finish { .. } => "finish",
        }
    }
}

/// Who acts on an inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionActor {
    pub username: String,
    /// A writer of a supervising department covering the inspection.
    pub supervisor: bool,
    /// An administrator or commander (may act on any inspection they cover).
    pub lead: bool,
}

fn may_act(inspectors: &[String], a: &InspectionActor) -> Result<(), RuleError> {
    if a.supervisor && (a.lead || inspectors.contains(&a.username)) {
        Ok(())
    } else {
        Err(RuleError::Forbidden(Refusal::new(
            "assigned_inspectors_only",
            "只有被抽中的执法人员才能办理此检查",
        )))
    }
}

fn inspection_state(st: InspectionState, kind: &str) -> RuleError {
    RuleError::State(
        Refusal::new(
            "inspection_step_not_allowed",
            format!("检查{}，不能执行此步骤", st.label_zh()),
        )
        .param("state", st.as_str())
        .param("event", kind),
    )
}

/// What a step changes: the new state, the summary, when it started or
/// finished, and the journal's payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Stepped {
    pub state: InspectionState,
    pub summary: Option<String>,
    pub started_at: Option<UtcText>,
    pub finished_at: Option<UtcText>,
    pub payload: Value,
}

/// Apply `cmd` to an inspection in `state` with these `inspectors`.
pub fn apply_inspection(
    state: InspectionState,
    inspectors: &[String],
    cmd: &InspectionCommand,
    a: &InspectionActor,
    now: OffsetDateTime,
) -> Result<Stepped, RuleError> {
    may_act(inspectors, a)?;
    let kind = cmd.as_str();
    let t = Some(UtcText(now));
    match cmd {
        InspectionCommand::Start {} => {
            if state != InspectionState::Planned {
                return Err(inspection_state(state, kind));
            }
            Ok(Stepped {
                state: InspectionState::InProgress,
                summary: None,
                started_at: t,
                finished_at: None,
                payload: json!({ "from": state.as_str(), "to": "in_progress" }),
            })
        }
        InspectionCommand::Finish { summary } => {
            if state != InspectionState::InProgress {
                return Err(inspection_state(state, kind));
            }
            let summary = text("summary", summary, 4000, true)?;
            Ok(Stepped {
                state: InspectionState::Done,
                payload: json!({ "from": state.as_str(), "to": "done", "summary": summary }),
                summary: Some(summary),
                started_at: None,
                finished_at: t,
            })
        }
    }
}

/// The steps `a` may take on an inspection now (asked of the rule).
pub fn inspection_allowed(
    state: InspectionState,
    inspectors: &[String],
    a: &InspectionActor,
    now: OffsetDateTime,
) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = [
        InspectionCommand::Start {},
        InspectionCommand::Finish {
            summary: "-".into(),
        },
    ]
    .iter()
    .filter(|c| apply_inspection(state, inspectors, c, a, now).is_ok())
    .map(InspectionCommand::as_str)
    .collect();
    if may_finding(state, inspectors, a).is_ok() {
        out.push("add_finding");
    }
    out
}

/// Findings are recorded on site: while the inspection is in progress, by
/// its inspectors (or a lead).
pub fn may_finding(
    state: InspectionState,
    inspectors: &[String],
    a: &InspectionActor,
) -> Result<(), RuleError> {
    may_act(inspectors, a)?;
    if state != InspectionState::InProgress {
        return Err(inspection_state(state, "add_finding"));
    }
    Ok(())
}

/// A finding as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub location: String,
    /// 法律依据 (the clause the finding is against).
    #[serde(default)]
    pub basis: String,
}

/// The checked fields of a finding: title, description, location, basis.
pub fn check_finding(b: &NewFinding) -> Result<[String; 4], Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut take = |r: Result<String, FieldError>| {
        r.unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        })
    };
    let out = [
        take(text("title", &b.title, 200, true)),
        take(text("description", &b.description, 4000, false)),
        take(text("location", &b.location, 200, false)),
        take(text("basis", &b.basis, 500, false)),
    ];
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A finding becomes one hidden hazard, once: refused when it has one.
pub fn may_make_hazard(hazard_id: Option<i64>) -> Result<(), RuleError> {
    match hazard_id {
        Some(id) => Err(finding_has_hazard(id)),
        None => Ok(()),
    }
}

/// The refusal of a second hazard for one finding.
pub fn finding_has_hazard(hazard_id: i64) -> RuleError {
    RuleError::State(
        Refusal::new("finding_has_hazard", "该问题已转为隐患").param("hazard_id", hazard_id),
    )
}

/// A new random seed's text from 16 random bytes (hex).
pub fn seed_text(bytes: [u8; 16]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn input(seed: &str, e: i64, i: usize, n: usize) -> DrawInput {
        DrawInput {
            seed: seed.into(),
            enterprises: (1..=e).collect(),
            inspectors: (0..i).map(|k| format!("u{k:02}")).collect(),
            n,
            per: 2,
            previous: BTreeMap::new(),
        }
    }

    #[test]
    fn the_stream_is_sha256_of_seed_and_counter() {
        // SHA-256("abc:0") = 7b1a…; its first 8 bytes big-endian. Anyone
        // can recompute this with `printf 'abc:0' | sha256sum`.
        let d = Sha256::digest(b"abc:0");
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        let mut s = Stream::new("abc");
        assert_eq!(s.next_u64(), u64::from_be_bytes(b));
        assert_ne!(s.next_u64(), u64::from_be_bytes(b));
    }

    #[test]
    fn a_draw_is_reproduced_from_its_record() {
        let d = input("2026-plan-pingcheng", 40, 7, 5);
        let a = draw(&d).unwrap();
        // The same record gives the same draw, after a round trip through
        // JSON (as stored).
        let stored: DrawInput = serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
        assert_eq!(draw(&stored).unwrap(), a);
        assert_eq!(a.len(), 5);
        // Distinct enterprises, two distinct inspectors each, from the pools.
        let mut ids: Vec<i64> = a.iter().map(|x| x.enterprise_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);
        for x in &a {
            assert_eq!(x.inspectors.len(), 2);
            assert_ne!(x.inspectors[0], x.inspectors[1]);
            assert!(d.inspectors.contains(&x.inspectors[0]));
        }
        // Another seed, another draw.
        assert_ne!(draw(&input("another", 40, 7, 5)).unwrap(), a);
    }

    #[test]
    fn a_known_draw() {
        // Computed independently of this code by the Python script in
        // docs/rules.md (SHA-256 stream, rejection, partial Fisher–Yates).
        let d = input("yingji", 10, 5, 3);
        let got: Vec<(i64, Vec<String>)> = draw(&d)
            .unwrap()
            .into_iter()
            .map(|x| (x.enterprise_id, x.inspectors))
            .collect();
        let want: Vec<(i64, Vec<String>)> = vec![
            (3, vec!["u00".into(), "u03".into()]),
            (6, vec!["u02".into(), "u03".into()]),
            (8, vec!["u00".into(), "u01".into()]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn every_enterprise_is_equally_likely() {
        // 2,000 draws of 3 of 10: each enterprise is expected 600 times;
        // a fair draw stays within ±15 % (≈ 4 standard deviations).
        let mut count = [0u32; 10];
        let mut by_inspector = [0u32; 5];
        for k in 0..2000 {
            for x in draw(&input(&format!("fair-{k}"), 10, 5, 3)).unwrap() {
                count[(x.enterprise_id - 1) as usize] += 1;
                for u in &x.inspectors {
                    by_inspector[u[1..].parse::<usize>().unwrap()] += 1;
                }
            }
        }
        for (i, c) in count.iter().enumerate() {
            assert!((510..=690).contains(c), "enterprise {}: {c}", i + 1);
        }
        // 6,000 places of 2 of 5 inspectors: 2,400 each expected.
        for (i, c) in by_inspector.iter().enumerate() {
            assert!((2_160..=2_640).contains(c), "inspector {i}: {c}");
        }
    }

    #[test]
    fn never_the_same_inspectors_twice_running_while_others_remain() {
        let mut d = input("again", 3, 4, 3);
        d.previous.insert(1, vec!["u00".into(), "u01".into()]);
        d.previous
            .insert(2, vec!["u00".into(), "u01".into(), "u02".into()]);
        for k in 0..200 {
            d.seed = format!("again-{k}");
            for x in draw(&d).unwrap() {
                match x.enterprise_id {
                    1 => {
                        assert_eq!(x.inspectors, vec!["u02".to_string(), "u03".into()]);
                        assert!(!x.repeat_allowed);
                    }
                    // Only u03 would remain: the whole pool is used, and said.
                    2 => assert!(x.repeat_allowed),
                    _ => assert!(!x.repeat_allowed),
                }
            }
        }
    }

    #[test]
    fn a_draw_needs_enough_in_each_pool() {
        let e = draw(&input("x", 3, 5, 4)).unwrap_err();
        assert!(matches!(e, RuleError::Field(f) if f.field == "n"));
        let e = draw(&input("x", 3, 5, 0)).unwrap_err();
        assert!(matches!(e, RuleError::Field(f) if f.field == "n"));
        let e = draw(&input("x", 3, 1, 2)).unwrap_err();
        assert!(matches!(e, RuleError::State(r) if r.code == "too_few_inspectors"));
    }

    #[test]
    fn the_inspection_steps_with_their_roles() {
        use InspectionState as S;
        let now = datetime!(2026-12-07 02:00 UTC);
        let team = vec!["a".to_string(), "b".to_string()];
        let who = |u: &str, supervisor: bool, lead: bool| InspectionActor {
            username: u.into(),
            supervisor,
            lead,
        };
        let start = InspectionCommand::Start {};
        let finish = InspectionCommand::Finish {
            summary: "未发现问题".into(),
        };
        // (state, command, actor, Ok(new state) or Err(code))
        let cases: Vec<(S, &InspectionCommand, InspectionActor, Result<S, &str>)> = vec![
            (S::Planned, &start, who("a", true, false), Ok(S::InProgress)),
            (
                S::Planned,
                &start,
                who("lead", true, true),
                Ok(S::InProgress),
            ),
            (
                S::Planned,
                &start,
                who("c", true, false),
                Err("assigned_inspectors_only"),
            ),
            (
                S::Planned,
                &start,
                who("a", false, false),
                Err("assigned_inspectors_only"),
            ),
            (
                S::InProgress,
                &start,
                who("a", true, false),
                Err("inspection_step_not_allowed"),
            ),
            (
                S::Planned,
                &finish,
                who("a", true, false),
                Err("inspection_step_not_allowed"),
            ),
            (S::InProgress, &finish, who("b", true, false), Ok(S::Done)),
            (
                S::Done,
                &finish,
                who("b", true, false),
                Err("inspection_step_not_allowed"),
            ),
        ];
        for (st, cmd, a, want) in cases {
            let got = apply_inspection(st, &team, cmd, &a, now).map(|x| x.state);
            match (got, want) {
                (Ok(g), Ok(w)) => assert_eq!(g, w),
                (Err(RuleError::State(r) | RuleError::Forbidden(r)), Err(w)) => {
                    assert_eq!(r.code, w)
                }
                (g, w) => panic!("{st:?} {cmd:?} {a:?}: {g:?} ≠ {w:?}"),
            }
        }
        let e = apply_inspection(
            S::InProgress,
            &team,
            &InspectionCommand::Finish {
                summary: " ".into(),
            },
            &who("a", true, false),
            now,
        )
        .unwrap_err();
        assert!(matches!(e, RuleError::Field(f) if f.field == "summary"));
        assert_eq!(
            inspection_allowed(S::InProgress, &team, &who("a", true, false), now),
            vec!["finish", "add_finding"]
        );
        assert!(inspection_allowed(S::InProgress, &team, &who("z", true, false), now).is_empty());
        assert!(may_finding(S::Done, &team, &who("a", true, false)).is_err());
        assert!(may_make_hazard(Some(3)).is_err() && may_make_hazard(None).is_ok());
    }
}
