//! Plan versions: a published version never changes; a revision is a new
//! draft version ([`Plan::revise`]) that is published in its turn
//! ([`Plan::publish`]); the highest published revision is in force.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::Date;

use super::catalogue::{input, Plan, PlanError, PlanStatus, PlanType, RevisionTrigger};
use super::model::{PlanVersion, VersionStamp};
use super::Actor;
use crate::db::UtcText;
use crate::error::Refusal;

/// What a revision records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// New version label, e.g. `2026版`.
    pub version: String,
    /// Revision-trigger codes (at least one).
    pub triggers: Vec<String>,
    pub reason: String,
}

impl Plan {
    /// Refuses any change to a published version.
    pub fn ensure_editable(&self) -> Result<(), PlanError> {
        if self.is_published() {
            Err(PlanError::Immutable {
                code: self.code.clone(),
                version: self.version.clone(),
            })
        } else {
            Ok(())
        }
    }

    /// A new draft version from this published one; `self` is unchanged.
    /// The triggers must be codes of `known`.
    pub fn revise(&self, r: &Revision, known: &[RevisionTrigger]) -> Result<Plan, PlanError> {
        if !self.is_published() {
            return Err(PlanError::State(
                Refusal::new(
                    "version_is_draft",
                    format!(
                        "预案 {}（{}）是尚未发布的草稿，可直接修改，无需修订",
                        self.code, self.version
                    ),
                )
                .param("code", self.code.as_str())
                .param("version", self.version.as_str()),
            ));
        }
        let version = r.version.trim();
        if version.is_empty() {
            return Err(input("version", "新版本号不能为空").code("required"));
        }
        if version == self.version {
            return Err(input(
                "version",
                format!("新版本号不能与当前版本（{}）相同", self.version),
            )
            .code("same_version")
            .param("version", self.version.as_str()));
        }
        if r.reason.trim().is_empty() {
            return Err(input("reason", "修订须说明理由").code("required"));
        }
        check_triggers(&r.triggers, known)?;
        let mut next = self.clone();
        next.version = version.to_string();
        next.revision = self.revision.saturating_add(1);
        next.status = PlanStatus::Draft;
        next.revision_triggers = r.triggers.clone();
        next.revision_reason = Some(r.reason.trim().to_string());
        Ok(next)
    }

    /// Publish a draft on `on`: it is then immutable. Publishing a revised
    /// version restarts its evaluation cycle.
    pub fn publish(mut self, on: Date) -> Result<Plan, PlanError> {
        if self.is_published() {
            return Err(PlanError::State(
                Refusal::new(
                    "version_already_published",
                    format!("预案 {}（{}）已经发布", self.code, self.version),
                )
                .param("code", self.code.as_str())
                .param("version", self.version.as_str()),
            ));
        }
        self.status = PlanStatus::Published;
        self.published_on = on;
        self.last_evaluated_on = on;
        Ok(self)
    }
}

/// Every code must be a known trigger; at least one is required.
pub fn check_triggers(codes: &[String], known: &[RevisionTrigger]) -> Result<(), PlanError> {
    if codes.is_empty() {
        return Err(input("triggers", "修订须记录至少一项修订情形").code("triggers_required"));
    }
    for c in codes {
        if !known.iter().any(|k| k.code == *c) {
            return Err(PlanError::UnknownTrigger(c.clone()));
        }
    }
    Ok(())
}

/// The current (highest published revision) version of each plan code, in
/// input order. Drafts are never current.
pub fn current_plans(plans: &[Plan]) -> Vec<&Plan> {
    latest(plans, |p| p.is_published())
}

/// Each plan once, in input order, as the plan list shows it: its
/// highest published revision (or, never published, its draft), with its
/// open draft if any.
pub fn listed(plans: &[Plan]) -> Vec<(&Plan, Option<&Plan>)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for code in plans.iter().map(|x| x.code.as_str()) {
        if !seen.insert(code) {
            continue;
        }
        let mine = || plans.iter().filter(move |x| x.code == code);
        let draft = mine().find(|x| !x.is_published());
        let shown = mine()
            .filter(|x| x.is_published())
            .max_by_key(|x| x.revision)
            .or(draft);
        if let Some(pl) = shown {
            out.push((pl, draft));
        }
    }
    out
}

/// The version of each plan in force on `on`: the highest published
/// revision published on or before that day.
pub fn plans_in_force(plans: &[Plan], on: Date) -> Vec<&Plan> {
    latest(plans, |p| p.is_published() && p.published_on <= on)
}

fn latest(plans: &[Plan], keep: impl Fn(&Plan) -> bool) -> Vec<&Plan> {
    let mut best: HashMap<&str, u32> = HashMap::new();
    for p in plans.iter().filter(|p| keep(p)) {
        let r = best.entry(p.code.as_str()).or_insert(p.revision);
        *r = (*r).max(p.revision);
    }
    plans
        .iter()
        .filter(|p| keep(p) && best.get(p.code.as_str()) == Some(&p.revision))
        .collect()
}

/// Where a stored version stands: a draft being edited, the version in
/// force, or an older published version (superseded, still readable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    Draft,
    InForce,
    Superseded,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InForce => "in_force",
            VersionState::Superseded => "superseded",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            VersionState::Draft => "草稿",
            VersionState::InForce => "现行有效",
            VersionState::Superseded => "已废止",
        }
    }
}

/// The state of `plan` among all versions of its code (`all` may hold
/// other codes too): the highest published revision is in force.
pub fn version_state(plan: &Plan, all: &[Plan]) -> VersionState {
    if !plan.is_published() {
        return VersionState::Draft;
    }
    let newer = all
        .iter()
        .any(|p| p.code == plan.code && p.is_published() && p.revision > plan.revision);
    if newer {
        VersionState::Superseded
    } else {
        VersionState::InForce
    }
}

/// The version a revision starts from: the current published version of
/// `code`, when no draft of it is open (one draft at a time).
pub fn revisable<'a>(code: &str, all: &'a [Plan]) -> Result<&'a Plan, PlanError> {
    if let Some(d) = all.iter().find(|p| p.code == code && !p.is_published()) {
        return Err(PlanError::State(
            Refusal::new(
                "draft_open",
                format!(
                    "预案 {code} 已有未发布的草稿（第 {} 版 {}），请先编辑发布该草稿",
                    d.revision, d.version
                ),
            )
            .param("revision", d.revision)
            .param("version", d.version.as_str()),
        ));
    }
    current_plans(all)
        .into_iter()
        .find(|p| p.code == code)
        .ok_or_else(|| {
            PlanError::State(
                Refusal::new(
                    "not_published_no_revision",
                    format!("预案 {code} 尚无已发布的版本，不能修订"),
                )
                .param("code", code),
            )
        })
}

impl PlanVersion {
    /// A version not stored yet (id 0, row version 1), drafted by `actor`.
    pub fn drafted(plan: Plan, actor: &Actor) -> PlanVersion {
        let at = UtcText(actor.now);
        PlanVersion {
            id: 0,
            plan,
            stamp: VersionStamp {
                created_by: actor.username.into(),
                created_at: at,
                published_by: String::new(),
                published_at: None,
                updated_at: at,
            },
            version: 1,
        }
    }
}

/// The first draft of a new plan `code`: capital letters, digits and “-”,
/// at most 40, not used by any plan of `all`. Its content is set by the
/// caller (and checked against the catalogue before it is stored).
pub fn new_plan(
    code: &str,
    plan_type: PlanType,
    version: &str,
    all: &[Plan],
    actor: &Actor,
) -> Result<(PlanVersion, Value), PlanError> {
    let code = code.trim();
    let well_formed = !code.is_empty()
        && code.len() <= 40
        && code
            .bytes()
            .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit() || x == b'-');
    if !well_formed {
        return Err(input(
            "code",
            "预案编号必填，只能包含大写字母、数字和“-”，最多 40 个字符",
        )
        .code("bad_plan_code"));
    }
    if all.iter().any(|x| x.code == code) {
        return Err(input("code", format!("预案编号 {code} 已存在")).code("duplicate_code"));
    }
    let on = actor.today();
    let plan = Plan {
        code: code.to_string(),
        title: String::new(),
        plan_type,
        owner: String::new(),
        command: None,
        parent: None,
        incident_types: Vec::new(),
        divisions: Vec::new(),
        version: version.trim().to_string(),
        published_on: on,
        last_evaluated_on: on,
        review_years: 3,
        drill_cycle_months: 12,
        grading_basis: String::new(),
        source: "platform".into(),
        levels: Vec::new(),
        revision: 1,
        status: PlanStatus::Draft,
        revision_triggers: Vec::new(),
        revision_reason: None,
    };
    let payload = json!({ "revision": 1, "type": plan_type });
    Ok((PlanVersion::drafted(plan, actor), payload))
}

/// A revision of plan `code`: a draft of the next version from the version
/// in force (one draft at a time), recording the triggers (codes of
/// `known`) and the reason. Returns the version to insert and the journal
/// payload.
pub fn revision(
    code: &str,
    all: &[Plan],
    r: &Revision,
    known: &[RevisionTrigger],
    actor: &Actor,
) -> Result<(PlanVersion, Value), PlanError> {
    let current = revisable(code, all)?;
    let draft = current.revise(r, known)?;
    let payload = json!({ "revision": draft.revision, "from": current.revision, "version": draft.version, "triggers": draft.revision_triggers, "reason": draft.revision_reason });
    Ok((PlanVersion::drafted(draft, actor), payload))
}

/// 预案须由指挥长（领导）审定发布: a plan version is published by a
/// commander (《大同市突发事件总体应急预案》, docs/rules.md).
fn commander_publishes(actor: &Actor) -> Result<(), PlanError> {
    if actor.commander {
        Ok(())
    } else {
        Err(PlanError::Forbidden(Refusal::new(
            "commander_publishes",
            "预案须由指挥长（领导）审定发布",
        )))
    }
}

/// Publish the stored draft `v` on `actor`'s day (a commander's step);
/// `all` are the versions known (for the one it supersedes). Returns the
/// version to save and the journal payload.
pub fn publish_version(
    mut v: PlanVersion,
    all: &[Plan],
    actor: &Actor,
) -> Result<(PlanVersion, Value), PlanError> {
    commander_publishes(actor)?;
    v.plan.ensure_editable()?;
    v.plan = v.plan.publish(actor.today())?;
    let at = UtcText(actor.now);
    v.stamp.published_by = actor.username.into();
    v.stamp.published_at = Some(at);
    v.stamp.updated_at = at;
    let supersedes = current_plans(all)
        .into_iter()
        .find(|x| x.code == v.plan.code)
        .map(|x| x.revision);
    let payload =
        json!({ "revision": v.plan.revision, "version": v.plan.version, "supersedes": supersedes });
    Ok((v, payload))
}

/// Edit the stored draft `v`: a new label (unique among the plan's
/// versions in `all`) and the content `set` writes. Returns the version to
/// save (its content still to be checked against the catalogue) and the
/// journal payload.
pub fn edit_version(
    mut v: PlanVersion,
    label: Option<&str>,
    set: impl FnOnce(&mut Plan),
    all: &[Plan],
    actor: &Actor,
) -> Result<(PlanVersion, Value), PlanError> {
    v.plan.ensure_editable()?;
    if let Some(l) = label.map(str::trim).filter(|l| !l.is_empty()) {
        let clash = all
            .iter()
            .any(|x| x.code == v.plan.code && x.revision != v.plan.revision && x.version == l);
        if clash {
            return Err(input("label", format!("版本号 {l} 已被其他版本使用"))
                .code("duplicate_version_label")
                .param("label", l));
        }
        v.plan.version = l.to_string();
    }
    set(&mut v.plan);
    v.stamp.updated_at = UtcText(actor.now);
    let payload = json!({ "revision": v.plan.revision, "version": v.plan.version });
    Ok((v, payload))
}

/// What `actor` may do to the plan `code` now, asked of the rules above:
/// `revise` the version in force when no draft is open, `edit` and (a
/// commander) `publish` the open draft, `evaluate` the version in force.
/// Empty for who may not write the plan.
pub fn plan_allowed(code: &str, all: &[Plan], actor: &Actor) -> Vec<&'static str> {
    if !actor.may_write {
        return Vec::new();
    }
    let draft = all.iter().find(|p| p.code == code && !p.is_published());
    let current = current_plans(all).into_iter().find(|p| p.code == code);
    let mut out = Vec::new();
    if revisable(code, all).is_ok() {
        out.push("revise");
    }
    if let Some(d) = draft {
        if d.ensure_editable().is_ok() {
            out.push("edit");
        }
        if commander_publishes(actor).is_ok() && d.clone().publish(actor.today()).is_ok() {
            out.push("publish");
        }
    }
    if current.is_some() {
        out.push("evaluate");
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::plans::catalogue::tests::catalog;
    use crate::plans::*;
    use time::macros::date;

    #[test]
    fn versions_are_immutable_and_revisions_record_triggers() {
        let c = catalog();
        let plan = c.plan("DT-ZX-MK").expect("plan");
        assert!(matches!(
            plan.ensure_editable(),
            Err(PlanError::Immutable { .. })
        ));
        let ok = Revision {
            version: "2026版".into(),
            triggers: vec!["law_change".into()],
            reason: "上位法修订".into(),
        };
        let next = plan.revise(&ok, &c.triggers).expect("revises");
        assert_eq!((next.revision, next.status), (2, PlanStatus::Draft));
        assert_eq!(next.revision_triggers, ["law_change"]);
        assert!(next.ensure_editable().is_ok());
        assert_eq!(plan.revision, 1, "the published version is unchanged");
        assert_eq!(plan.version, "2023版");
        let table: Vec<(Revision, &str)> = vec![
            (
                Revision {
                    triggers: vec![],
                    ..ok.clone()
                },
                "invalid_field",
            ),
            (
                Revision {
                    triggers: vec!["whim".into()],
                    ..ok.clone()
                },
                "unknown_trigger",
            ),
            (
                Revision {
                    version: "2023版".into(),
                    ..ok.clone()
                },
                "invalid_field",
            ),
            (
                Revision {
                    reason: " ".into(),
                    ..ok.clone()
                },
                "invalid_field",
            ),
        ];
        for (r, key) in table {
            let e = plan.revise(&r, &c.triggers).expect_err("refused");
            assert_eq!(e.key(), key, "{r:?}");
        }
        assert_eq!(
            next.revise(&ok, &c.triggers).expect_err("draft").key(),
            "invalid_state"
        );
        let published = next.publish(date!(2026 - 12 - 01)).expect("publishes");
        assert_eq!(published.published_on, date!(2026 - 12 - 01));
        assert_eq!(
            published
                .clone()
                .publish(date!(2026 - 12 - 02))
                .expect_err("again")
                .key(),
            "invalid_state"
        );
        // All eight triggers are recordable.
        let all: Vec<String> = c.triggers.iter().map(|t| t.code.clone()).collect();
        assert!(check_triggers(&all, &c.triggers).is_ok());
        // A published plan passes the publication checks.
        assert!(c.check_plan(&published).is_empty());
    }

    #[test]
    fn version_states_and_one_draft_at_a_time() {
        let c = catalog();
        let v1 = c.plan("DT-ZX-DZ").expect("plan").clone();
        let r = Revision {
            version: "2026版".into(),
            triggers: vec!["evaluation".into()],
            reason: "评估后修订".into(),
        };
        let v2 = v1.revise(&r, &c.triggers).expect("revises");
        let mut all = vec![v1.clone(), v2.clone()];
        assert_eq!(listed(&all)[0].0.revision, 1);
        assert_eq!(listed(&all)[0].1.map(|d| d.revision), Some(2));
        assert_eq!(version_state(&v1, &all), VersionState::InForce);
        assert_eq!(version_state(&v2, &all), VersionState::Draft);
        // A draft is open: no second revision.
        assert_eq!(
            revisable("DT-ZX-DZ", &all).expect_err("draft open").key(),
            "invalid_state"
        );
        let p2 = v2.publish(date!(2026 - 12 - 01)).expect("publishes");
        all[1] = p2.clone();
        assert_eq!(version_state(&v1, &all), VersionState::Superseded);
        assert_eq!(version_state(&p2, &all), VersionState::InForce);
        assert_eq!(revisable("DT-ZX-DZ", &all).expect("revisable").revision, 2);
        // The list shows each plan once: its version in force.
        let shown: Vec<(u32, Option<u32>)> = listed(&all)
            .iter()
            .map(|(p, d)| (p.revision, d.map(|d| d.revision)))
            .collect();
        assert_eq!(shown, [(2, None)]);
        // Other codes do not count; a plan never published cannot be revised.
        assert_eq!(
            version_state(&v1, std::slice::from_ref(&v1)),
            VersionState::InForce
        );
        let mut new = v1.clone();
        new.code = "NEW".into();
        new.status = PlanStatus::Draft;
        assert_eq!(
            revisable("NEW", &[new]).expect_err("no version").key(),
            "invalid_state"
        );
    }

    fn actor(commander: bool, may_write: bool) -> Actor<'static> {
        Actor {
            username: "boss",
            commander,
            may_write,
            now: time::macros::datetime!(2026-12-01 02:00 UTC),
        }
    }

    fn stored(plan: Plan) -> crate::plans::store::PlanVersion {
        let at = crate::db::UtcText(time::macros::datetime!(2026-11-01 00:00 UTC));
        crate::plans::store::PlanVersion {
            id: 9,
            plan,
            stamp: crate::plans::model::VersionStamp {
                created_by: "a".into(),
                created_at: at,
                published_by: String::new(),
                published_at: None,
                updated_at: at,
            },
            version: 4,
        }
    }

    #[test]
    fn the_steps_offered_on_a_plan_follow_its_versions_and_the_role() {
        let c = catalog();
        let v1 = c.plan("DT-ZX-DZ").expect("plan").clone();
        let r = Revision {
            version: "2026版".into(),
            triggers: vec!["evaluation".into()],
            reason: "评估后修订".into(),
        };
        let v2 = v1.revise(&r, &c.triggers).expect("revises");
        let mut fresh = v2.clone();
        fresh.code = "NEW".into();
        fresh.revision = 1;
        let in_force = vec![v1.clone()];
        let with_draft = vec![v1.clone(), v2.clone()];
        let only_draft = vec![fresh];
        // (versions, plan, commander, may write, offered)
        type Row<'a> = (&'a [Plan], &'a str, bool, bool, Vec<&'a str>);
        let table: Vec<Row> = vec![
            (
                &in_force,
                "DT-ZX-DZ",
                false,
                true,
                vec!["revise", "evaluate"],
            ),
            (&in_force, "DT-ZX-DZ", true, false, vec![]),
            (
                &with_draft,
                "DT-ZX-DZ",
                false,
                true,
                vec!["edit", "evaluate"],
            ),
            (
                &with_draft,
                "DT-ZX-DZ",
                true,
                true,
                vec!["edit", "publish", "evaluate"],
            ),
            (&only_draft, "NEW", true, true, vec!["edit", "publish"]),
        ];
        for (all, code, commander, may_write, offered) in table {
            assert_eq!(
                plan_allowed(code, all, &actor(commander, may_write)),
                offered,
                "{code} in {} commander={commander}",
                all.len()
            );
        }
    }

    #[test]
    fn publishing_is_a_commanders_step_on_a_draft() {
        let c = catalog();
        let v1 = c.plan("DT-ZX-DZ").expect("plan").clone();
        let r = Revision {
            version: "2026版".into(),
            triggers: vec!["evaluation".into()],
            reason: "评估后修订".into(),
        };
        let draft = stored(v1.revise(&r, &c.triggers).expect("revises"));
        let e = publish_version(draft.clone(), &c.plans, &actor(false, true))
            .expect_err("not a commander");
        assert_eq!(e.refusal().map(|r| r.code), Some("commander_publishes"));
        let (p, payload) =
            publish_version(draft.clone(), &c.plans, &actor(true, true)).expect("publishes");
        assert_eq!(p.plan.status, PlanStatus::Published);
        assert_eq!(p.plan.published_on, date!(2026 - 12 - 01));
        assert_eq!(p.stamp.published_by, "boss");
        assert_eq!(p.version, 4, "saved at the version read");
        assert_eq!(payload["supersedes"], 1);
        let e = publish_version(p.clone(), &c.plans, &actor(true, true)).expect_err("once");
        assert_eq!(e.refusal().map(|r| r.code), Some("version_published"));
        // Editing: the label must be unused by the plan's other versions,
        // and a published version never changes.
        let e = edit_version(
            draft.clone(),
            Some("2021版"),
            |_| {},
            &c.plans,
            &actor(false, true),
        )
        .expect_err("label used");
        assert_eq!(e.key(), "invalid_field");
        let (edited, payload) = edit_version(
            draft,
            Some(" 2026修订版 "),
            |x| x.title = "新标题".into(),
            &c.plans,
            &actor(false, true),
        )
        .expect("edits");
        assert_eq!(
            (edited.plan.version.as_str(), edited.plan.title.as_str()),
            ("2026修订版", "新标题")
        );
        assert_eq!(payload["version"], "2026修订版");
        let e = edit_version(p, None, |_| {}, &c.plans, &actor(true, true)).expect_err("published");
        assert_eq!(e.key(), "immutable_version");
    }
}
