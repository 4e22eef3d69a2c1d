//! 数字预案 (digital emergency plans): the catalogue the command-and-rescue
//! module works from — the incident-type tree, the “1+19” commands, the
//! departments, the plans (总体 / 专项 / 部门 / 单位 / 现场处置方案) with their
//! response levels, activation criteria and task templates, the drills and the
//! revision triggers — and the rules on it: plan matching, the review and
//! drill cycles, and immutable plan versions.
//!
//! Pure rules: no SQL, no HTTP, no clock (the day is a parameter). The demo
//! catalogue in `data/plans/` is embedded and validated by
//! [`Catalog::embedded`]; its conventions (`data/plans/README.md`) are the
//! rules here:
//!
//! - A type code covers itself and all its descendants. Codes are dotted and
//!   every child's code extends its parent's by one segment (the catalogue
//!   checks this), so “is `a` in the subtree of `b`” is a whole-segment
//!   prefix test ([`type_within`]) that also works for a sub-type the tree
//!   does not list yet.
//! - A division covers every code that starts with its significant prefix
//!   ([`Code::is_within`](crate::divisions::Code::is_within)): the city
//!   plan `140200000000` covers `1402…`.
//! - A level activates when **any** of its criteria is met; when several
//!   activate, the highest wins; a level without criteria is started only by
//!   decision and never proposed.
//! - Ⅰ is the highest level: `Level::I > Level::IV`.
//! - A published version never changes: a revision is a new version
//!   ([`Plan::revise`]) that is published in its turn ([`Plan::publish`]).
//!
//! The rules are split by topic: `catalogue.rs` (the records and their
//! validation), `versions.rs` (immutable versions and revisions),
//! `review.rs` (the evaluation cycle), `drills.rs` (drill cycle and life),
//! `improvements.rs` (整改事项) and `matching.rs` (an incident's facts
//! against the plans' level criteria). Everything is re-exported here:
//! `crate::plans::Plan`, ….

pub mod api;
pub mod model;
pub mod store;

mod catalogue;
mod drills;
pub mod filing;
mod improvements;
mod matching;
mod review;
mod versions;

pub use crate::grading::Level;

/// Who asks for a step, and when: the rules of versions, drills and
/// improvement items take it instead of the clock and the session.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub username: &'a str,
    /// A commander (or admin): publishes versions.
    pub commander: bool,
    /// May write this record (its area lies in the user's jurisdiction);
    /// who may not is offered no step.
    pub may_write: bool,
    pub now: time::OffsetDateTime,
}

impl Actor<'_> {
    /// The day of `now` in the platform's time zone.
    pub fn today(&self) -> time::Date {
        self.now.to_offset(crate::clock::CST).date()
    }
}

/// Why a step of a drill or an improvement item is refused: the rule's
/// refusal, or fields of the command that are wrong.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("invalid command")]
    Invalid(Vec<crate::error::FieldError>),
}
pub use catalogue::{
    embedded, iso_date, type_within, AssigneeKind, Catalog, CatalogJson, Command, CommandKind,
    Department, DepartmentKind, Grading, IncidentType, Plan, PlanError, PlanLevel, PlanStatus,
    PlanType, Problem, RevisionTrigger, TaskTemplate, COMMANDS_FILE, DEPARTMENTS_FILE, DRILLS_FILE,
    PLANS_FILE, TRIGGERS_FILE, TYPES_FILE,
};
pub use drills::{
    apply_drill, drill_allowed, drill_history, drill_status, schedule_drill, Drill, DrillBody,
    DrillCommand, DrillEvent, DrillKind, DrillState, DrillStatus, DrillStep,
};
pub use improvements::{
    apply_improvement, check_improvement, default_due, improvement_allowed, improvement_overdue,
    items_from, new_items, ImprovementCommand, ImprovementEvent, ImprovementState, ItemInput,
};
pub use matching::{match_plans, Criterion, Facts, Metric, Op, PlanMatch};
pub use review::{
    add_months, check_evaluation, evaluation, review_due, review_due_from, with_evaluations,
    Conclusion, ReviewStatus, MAX_REVIEW_YEARS,
};
pub use versions::{
    check_triggers, current_plans, edit_version, listed, new_plan, plan_allowed, plans_in_force,
    publish_version, revisable, revision, version_state, Revision, VersionState,
};
