//! The catalogue the plan rules work from: the incident-type tree, the
//! “1+19” commands, the departments, the plans (one value per version) with
//! their response levels and task templates, and the revision triggers —
//! parsed from the JSON of `data/plans/` (which seeds the database) and
//! validated, every problem naming its file and entry.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use super::drills::Drill;
use super::matching::{num, Criterion, Facts, Metric, Op};
use super::review::MAX_REVIEW_YEARS;
use super::versions::current_plans;
use crate::divisions::Code;
use crate::error::{FieldError, Refusal};
use crate::grading::Level;

time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

/// File names of the catalogue (errors name them).
pub const TYPES_FILE: &str = "incident-types.json";
pub const COMMANDS_FILE: &str = "commands.json";
pub const DEPARTMENTS_FILE: &str = "departments.json";
pub const PLANS_FILE: &str = "plans.json";
pub const DRILLS_FILE: &str = "drills.json";
pub const TRIGGERS_FILE: &str = "revision-triggers.json";

// ── errors ─────────────────────────────────────────────────────────────

/// One problem in the catalogue, naming the file and the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub entry: String,
    /// In English, the catalogue's language (its authors read it).
    pub message: String,
    /// A stable code for the UI's translation of the problems of a plan an
    /// API user edits ([`Catalog::check_plan`]); `invalid` for the problems
    /// of the catalogue's files, which reach no user.
    pub code: &'static str,
    /// The values the message names, for the translation of `code`.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: crate::error::Params,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.entry, self.message)
    }
}

fn join_problems(p: &[Problem]) -> String {
    p.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The catalogue is invalid; every problem names its file and entry.
    #[error("{}", join_problems(.0))]
    Invalid(Vec<Problem>),
    /// A malformed division code.
    #[error("{0}")]
    Division(String),
    /// Bad input, naming the field, with a code (and the values its
    /// message names) for the UI's translation.
    #[error("{field}: {message}")]
    Input {
        field: &'static str,
        code: &'static str,
        params: crate::error::Params,
        message: String,
    },
    /// A revision trigger that is not in the catalogue.
    #[error("未知的预案修订情形代码 {0:?}")]
    UnknownTrigger(String),
    /// A published version was about to change.
    #[error("预案 {code}（{version}）已发布，已发布的版本不可修改，请修订为新版本")]
    Immutable { code: String, version: String },
    /// The record is in the wrong state for the step (a coded refusal).
    #[error("{0}")]
    State(Refusal),
    /// This user may not take the step (a coded refusal).
    #[error("{0}")]
    Forbidden(Refusal),
}

impl PlanError {
    /// The refusal of a step refused by the state or the role, with its
    /// code for the UI; `None` for bad input.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            PlanError::State(r) | PlanError::Forbidden(r) => Some(r.clone()),
            PlanError::Immutable { code, version } => Some(
                Refusal::new("version_published", self.to_string())
                    .param("code", code.as_str())
                    .param("version", version.as_str()),
            ),
            _ => None,
        }
    }
}

/// Bad input of `field`; give it a code with [`PlanError::code`].
pub(super) fn input(field: &'static str, message: impl Into<String>) -> PlanError {
    PlanError::Input {
        field,
        code: "invalid",
        params: crate::error::Params::new(),
        message: message.into(),
    }
}

impl PlanError {
    /// Bad input's stable code for the UI (`invalid` until given).
    pub(super) fn code(mut self, c: &'static str) -> Self {
        if let PlanError::Input { code, .. } = &mut self {
            *code = c;
        }
        self
    }
    /// A value bad input's message names, for the UI's translation.
    pub(super) fn param(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        if let PlanError::Input { params, .. } = &mut self {
            params.insert(name.into(), value.into());
        }
        self
    }
    /// Bad input as the field error the API answers.
    pub fn field_error(&self) -> Option<FieldError> {
        match self {
            PlanError::Input {
                field,
                code,
                params,
                message,
            } => {
                let mut e = FieldError::new(*field, message.clone()).code(code);
                e.params = params.clone();
                Some(e)
            }
            PlanError::Division(m) => {
                Some(FieldError::new("divisions", m.clone()).code("bad_division"))
            }
            PlanError::UnknownTrigger(t) => Some(
                FieldError::new("triggers", self.to_string())
                    .code("unknown_trigger")
                    .param("code", t.as_str()),
            ),
            _ => None,
        }
    }
}

// ── the catalogue's records ────────────────────────────────────────────

/// How a type is graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grading {
    /// By 《生产安全事故报告和调查处理条例》 (493号令), see `reports::grading`.
    ProductionSafety,
    /// By the criteria of the plan that covers it.
    Plan,
}

/// A node of the incident-type tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IncidentType {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub grading: Grading,
    #[serde(default)]
    #[schema(no_recursion)]
    pub children: Vec<IncidentType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    General,
    Special,
}

/// A command (指挥部) of the “1+19” structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PlanCommand)]
pub struct Command {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub kind: CommandKind,
    pub commander: String,
    /// Department code of the command's office.
    pub office: String,
    /// Department codes.
    pub members: Vec<String>,
    pub incident_types: Vec<String>,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    Government,
    Party,
    Vertical,
    Enterprise,
    Military,
    Organisation,
    Unit,
}

/// A body that owns plans or receives tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub short: String,
    pub name_en: String,
    pub kind: DepartmentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// 总体 / 专项 / 部门 / 单位 / 现场处置方案.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanType {
    Overall,
    Special,
    Department,
    Unit,
    Onsite,
}

impl PlanType {
    /// Order among matches of equal specificity: special, department,
    /// unit, on-site, and the overall plan last.
    pub(super) fn rank(self) -> u8 {
        match self {
            PlanType::Special => 0,
            PlanType::Department => 1,
            PlanType::Unit => 2,
            PlanType::Onsite => 3,
            PlanType::Overall => 4,
        }
    }
}

/// Who a task template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeKind {
    /// A command code (`cmd.…`).
    Command,
    /// A department code.
    Department,
    /// One of the platform's team kinds (resources dictionary `team_kind`).
    TeamKind,
}

impl AssigneeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssigneeKind::Command => "command",
            AssigneeKind::Department => "department",
            AssigneeKind::TeamKind => "team_kind",
        }
    }
}

/// A task a level starts; it becomes an instruction when the response starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskTemplate {
    pub assignee_kind: AssigneeKind,
    pub assignee: String,
    pub task: String,
    /// Due this many minutes after the response starts.
    pub within_minutes: u32,
}

/// A response level of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanLevel {
    pub level: Level,
    pub name: String,
    /// Authoritative wording; `criteria` is its structured reading.
    pub criteria_text: String,
    /// Any one met activates the level; empty: started only by decision.
    pub criteria: Vec<Criterion>,
    pub commander: String,
    pub tasks: Vec<TaskTemplate>,
}

impl PlanLevel {
    /// The criteria the facts meet.
    pub fn met<'a>(&'a self, f: &Facts) -> Vec<&'a Criterion> {
        self.criteria.iter().filter(|c| c.met(f)).collect()
    }
    /// Started only by a decision, never proposed.
    pub fn decision_only(&self) -> bool {
        self.criteria.is_empty()
    }
}

/// Draft (editable) or published (never changes again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    #[default]
    Published,
}

fn first_revision() -> u32 {
    1
}

/// One version of a plan. The demo data holds the current, published
/// version of each plan (`revision` 1, `status` published by default); a
/// revision is a new value with the same code and the next `revision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    pub code: String,
    pub title: String,
    #[serde(rename = "type")]
    pub plan_type: PlanType,
    /// Department code.
    pub owner: String,
    /// Command code.
    pub command: Option<String>,
    /// Plan code it sits under.
    pub parent: Option<String>,
    pub incident_types: Vec<String>,
    /// 12-digit division codes.
    pub divisions: Vec<String>,
    /// The version label, e.g. `2022版`.
    pub version: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String)]
    pub published_on: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String)]
    pub last_evaluated_on: Date,
    pub review_years: u8,
    pub drill_cycle_months: u16,
    pub grading_basis: String,
    pub source: String,
    /// Listed from Ⅰ down.
    pub levels: Vec<PlanLevel>,
    /// Version number within the code, from 1.
    #[serde(default = "first_revision")]
    #[schema(required = true)]
    pub revision: u32,
    /// Read from the catalogue; not written: the `plan_versions.status`
    /// column is the authority on a stored version's status, and the API
    /// shows the version's state among the versions instead
    /// (`api::PlanView::status`).
    #[serde(default, skip_serializing)]
    #[schema(ignore)]
    pub status: PlanStatus,
    /// Revision-trigger codes that caused this version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revision_triggers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_reason: Option<String>,
}

impl Plan {
    pub fn level(&self, level: Level) -> Option<&PlanLevel> {
        self.levels.iter().find(|l| l.level == level)
    }

    pub fn is_published(&self) -> bool {
        self.status == PlanStatus::Published
    }
}

/// A situation in which a plan must be revised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RevisionTrigger {
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
    pub basis: String,
}

// ── types and divisions ────────────────────────────────────────────────

/// Is type `a` the type `b` or in its subtree (whole dotted segments)?
pub fn type_within(a: &str, b: &str) -> bool {
    a == b || (a.len() > b.len() && a.starts_with(b) && a.as_bytes()[b.len()] == b'.')
}

pub(super) fn depth(code: &str) -> usize {
    code.split('.').count()
}

fn walk<'a>(nodes: &'a [IncidentType], out: &mut Vec<&'a IncidentType>) {
    for n in nodes {
        out.push(n);
        walk(&n.children, out);
    }
}

// ── catalogue ──────────────────────────────────────────────────────────

/// The JSON texts of a catalogue.
#[derive(Debug, Clone, Copy)]
pub struct CatalogJson<'a> {
    pub types: &'a str,
    pub commands: &'a str,
    pub departments: &'a str,
    pub plans: &'a str,
    pub drills: &'a str,
    pub triggers: &'a str,
}

impl CatalogJson<'static> {
    /// The Datong demo catalogue, `data/plans/`.
    pub const EMBEDDED: CatalogJson<'static> = CatalogJson {
        types: include_str!("../../../../data/plans/incident-types.json"),
        commands: include_str!("../../../../data/plans/commands.json"),
        departments: include_str!("../../../../data/plans/departments.json"),
        plans: include_str!("../../../../data/plans/plans.json"),
        drills: include_str!("../../../../data/plans/drills.json"),
        triggers: include_str!("../../../../data/plans/revision-triggers.json"),
    };
}

/// Everything the plan rules work from.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Catalog {
    pub types: Vec<IncidentType>,
    pub commands: Vec<Command>,
    pub departments: Vec<Department>,
    /// Every version held (the demo data: one published version per plan).
    pub plans: Vec<Plan>,
    pub drills: Vec<Drill>,
    pub triggers: Vec<RevisionTrigger>,
}

fn entry_name(v: &Value, i: usize) -> String {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match (s("code"), s("title")) {
        (Some(c), _) => c,
        (None, Some(t)) => format!("#{i} {t}"),
        (None, None) => format!("#{i}"),
    }
}

fn parse_list<T: DeserializeOwned>(file: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<T> {
    let mut add = |entry: String, message: String| {
        problems.push(Problem {
            file: file.to_string(),
            entry,
            message,
            code: "invalid",
            params: crate::error::Params::new(),
        })
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            add("(file)".into(), format!("invalid JSON: {e}"));
            return Vec::new();
        }
    };
    let Value::Array(items) = value else {
        add("(file)".into(), "top level must be an array".into());
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.into_iter().enumerate() {
        let entry = entry_name(&v, i);
        match serde_json::from_value::<T>(v) {
            Ok(x) => out.push(x),
            Err(e) => add(entry, e.to_string()),
        }
    }
    out
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, file: &str, entry: &str, message: impl Into<String>) {
        // The catalogue files' own problems reach no user: no code.
        const UNCODED: &str = "invalid";
        self.coded(UNCODED, file, entry, &[], message);
    }

    /// A problem with its code and the values its message names.
    fn coded(
        &mut self,
        code: &'static str,
        file: &str,
        entry: &str,
        params: &[(&str, Value)],
        message: impl Into<String>,
    ) {
        self.0.push(Problem {
            file: file.to_string(),
            entry: entry.to_string(),
            message: message.into(),
            code,
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        });
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
}

fn twelve_digit(code: &str) -> Result<Code, String> {
    if code.len() != 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("division {code:?} is not a 12-digit code"));
    }
    Code::parse(code).map_err(|e| e.to_string())
}

/// The lower bound a criterion puts on its metric (for `>=` and `>`).
fn lower_bound(c: &Criterion) -> Option<f64> {
    match c.op {
        Op::Ge => Some(c.value),
        Op::Gt => Some(c.value + 1e-9),
        _ => None,
    }
}

fn team_kinds() -> HashSet<String> {
    crate::resources::default_dictionaries()
        .into_iter()
        .find(|(k, _)| *k == "team_kind")
        .map(|(_, opts)| opts.into_iter().map(|o| o.value).collect())
        .unwrap_or_default()
}

/// The embedded catalogue, parsed and validated once. Its types, commands,
/// departments and triggers are fixed; its plans and drills only seed the
/// database (afterwards the stored versions are the truth).
pub fn embedded() -> Result<&'static Catalog, PlanError> {
    static CATALOG: std::sync::OnceLock<Result<Catalog, PlanError>> = std::sync::OnceLock::new();
    CATALOG
        .get_or_init(Catalog::embedded)
        .as_ref()
        .map_err(Clone::clone)
}

impl Catalog {
    /// The embedded demo catalogue (`data/plans/`), validated.
    pub fn embedded() -> Result<Catalog, PlanError> {
        Catalog::from_json(&CatalogJson::EMBEDDED)
    }

    /// Parse and validate; every problem names its file and entry.
    pub fn from_json(src: &CatalogJson<'_>) -> Result<Catalog, PlanError> {
        let mut problems = Vec::new();
        let catalog = Catalog {
            types: parse_list(TYPES_FILE, src.types, &mut problems),
            commands: parse_list(COMMANDS_FILE, src.commands, &mut problems),
            departments: parse_list(DEPARTMENTS_FILE, src.departments, &mut problems),
            plans: parse_list(PLANS_FILE, src.plans, &mut problems),
            drills: parse_list(DRILLS_FILE, src.drills, &mut problems),
            triggers: parse_list(TRIGGERS_FILE, src.triggers, &mut problems),
        };
        if problems.is_empty() {
            problems = catalog.validate();
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(PlanError::Invalid(problems))
        }
    }

    /// Referential and rule checks of the whole catalogue.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Problems(Vec::new());

        // Types: dotted slugs, each child one segment below its parent.
        fn check_types(
            nodes: &[IncidentType],
            parent: Option<&str>,
            seen: &mut HashSet<String>,
            p: &mut Problems,
        ) {
            for n in nodes {
                let e = n.code.as_str();
                if !is_slug(e) {
                    p.add(TYPES_FILE, e, "code must be a dotted lower-case slug");
                }
                match parent {
                    Some(pc) if !(type_within(e, pc) && depth(e) == depth(pc) + 1) => p.add(
                        TYPES_FILE,
                        e,
                        format!("code must add exactly one segment to its parent's ({pc})"),
                    ),
                    None if e.contains('.') => p.add(TYPES_FILE, e, "a category code has no dot"),
                    _ => {}
                }
                if !seen.insert(n.code.clone()) {
                    p.add(TYPES_FILE, e, "duplicate code");
                }
                if n.name_zh.trim().is_empty() {
                    p.add(TYPES_FILE, e, "missing name_zh");
                }
                check_types(&n.children, Some(e), seen, p);
            }
        }
        let mut type_codes = HashSet::new();
        check_types(&self.types, None, &mut type_codes, &mut p);

        let mut depts = HashSet::new();
        for d in &self.departments {
            if d.code.trim().is_empty() {
                p.add(DEPARTMENTS_FILE, "(no code)", "missing code");
            } else if !depts.insert(d.code.as_str()) {
                p.add(DEPARTMENTS_FILE, &d.code, "duplicate code");
            }
        }

        let mut cmds = HashSet::new();
        for c in &self.commands {
            let e = c.code.as_str();
            if !cmds.insert(e) {
                p.add(COMMANDS_FILE, e, "duplicate code");
            }
            if c.name_en.trim().is_empty() {
                p.add(COMMANDS_FILE, e, "missing name_en");
            }
            if !depts.contains(c.office.as_str()) {
                p.add(
                    COMMANDS_FILE,
                    e,
                    format!("office {:?} is not a department", c.office),
                );
            }
            for m in &c.members {
                if !depts.contains(m.as_str()) {
                    p.add(
                        COMMANDS_FILE,
                        e,
                        format!("member {m:?} is not a department"),
                    );
                }
            }
            if !c.members.contains(&c.office) {
                p.add(COMMANDS_FILE, e, "the office's department must be a member");
            }
            for t in &c.incident_types {
                if !type_codes.contains(t) {
                    p.add(
                        COMMANDS_FILE,
                        e,
                        format!("incident type {t:?} does not exist"),
                    );
                }
            }
        }

        let mut versions = HashSet::new();
        for plan in &self.plans {
            if !versions.insert((plan.code.as_str(), plan.revision)) {
                p.add(
                    PLANS_FILE,
                    &plan.code,
                    format!("duplicate code and revision {}", plan.revision),
                );
            }
            p.0.extend(self.check_plan(plan));
        }

        let plans: HashMap<&str, &Plan> = self.plans.iter().map(|x| (x.code.as_str(), x)).collect();
        for (i, d) in self.drills.iter().enumerate() {
            let e = format!("#{i} {}", d.title);
            let plan = plans.get(d.plan.as_str());
            if plan.is_none() {
                p.add(DRILLS_FILE, &e, format!("plan {:?} does not exist", d.plan));
            }
            if d.divisions.is_empty() {
                p.add(DRILLS_FILE, &e, "divisions must be a non-empty array");
            }
            for code in &d.divisions {
                match twelve_digit(code) {
                    Err(m) => p.add(DRILLS_FILE, &e, m),
                    Ok(c) => {
                        if let Some(plan) = plan {
                            let inside = plan
                                .divisions
                                .iter()
                                .filter_map(|a| Code::parse(a).ok())
                                .any(|a| c.is_within(&a));
                            if !inside {
                                p.add(
                                    DRILLS_FILE,
                                    &e,
                                    format!(
                                        "division {code} is outside plan {}'s divisions",
                                        plan.code
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            if d.participants.is_empty() {
                p.add(DRILLS_FILE, &e, "participants must be a non-empty array");
            }
            for x in &d.participants {
                if !depts.contains(x.as_str()) {
                    p.add(
                        DRILLS_FILE,
                        &e,
                        format!("participant {x:?} is not a department"),
                    );
                }
            }
            if d.held_on.is_none() && (d.evaluation.is_some() || !d.problems.is_empty()) {
                p.add(
                    DRILLS_FILE,
                    &e,
                    "a drill not yet held has no evaluation and no problems",
                );
            }
            if d.people == 0 {
                p.add(DRILLS_FILE, &e, "people must be a positive integer");
            }
        }

        let mut triggers = HashSet::new();
        for t in &self.triggers {
            if !is_slug(&t.code) || t.code.contains('.') {
                p.add(TRIGGERS_FILE, &t.code, "code must be a lower-case slug");
            }
            if !triggers.insert(t.code.as_str()) {
                p.add(TRIGGERS_FILE, &t.code, "duplicate code");
            }
            if t.text_zh.trim().is_empty() {
                p.add(TRIGGERS_FILE, &t.code, "missing text_zh");
            }
        }
        p.0
    }

    /// The checks of one plan version against the catalogue (also run
    /// before a draft is published).
    pub fn check_plan(&self, plan: &Plan) -> Vec<Problem> {
        let mut p = Problems(Vec::new());
        let e = plan.code.as_str();
        let dept = |c: &str| self.departments.iter().any(|d| d.code == c);
        let command = |c: &str| self.commands.iter().any(|x| x.code == c);
        if e.trim().is_empty() {
            p.coded("required", PLANS_FILE, "(no code)", &[], "missing code");
        }
        if plan.title.trim().is_empty() {
            p.coded("required", PLANS_FILE, e, &[], "missing title");
        }
        if !dept(&plan.owner) {
            p.coded(
                "department_not_found",
                PLANS_FILE,
                e,
                &[("code", plan.owner.clone().into())],
                format!("owner {:?} is not a department", plan.owner),
            );
        }
        if let Some(c) = &plan.command {
            if !command(c) {
                p.coded(
                    "command_not_found",
                    PLANS_FILE,
                    e,
                    &[("code", c.clone().into())],
                    format!("command {c:?} is neither null nor a command"),
                );
            }
        }
        match &plan.parent {
            Some(x) if x == &plan.code => p.coded(
                "own_parent",
                PLANS_FILE,
                e,
                &[],
                "a plan cannot be its own parent",
            ),
            Some(x) if !self.plans.iter().any(|q| q.code == *x) => p.coded(
                "parent_not_found",
                PLANS_FILE,
                e,
                &[("code", x.clone().into())],
                format!("parent {x:?} is neither null nor a plan"),
            ),
            None if plan.plan_type == PlanType::Onsite => p.coded(
                "onsite_needs_parent",
                PLANS_FILE,
                e,
                &[],
                "an on-site plan's parent must be a unit plan",
            ),
            Some(_) if plan.plan_type == PlanType::Overall => p.coded(
                "overall_no_parent",
                PLANS_FILE,
                e,
                &[],
                "the overall plan has no parent",
            ),
            _ => {}
        }
        if plan.incident_types.is_empty() {
            p.coded(
                "at_least_one",
                PLANS_FILE,
                e,
                &[],
                "incident_types must be a non-empty array",
            );
        }
        for t in &plan.incident_types {
            if self.type_node(t).is_none() {
                p.coded(
                    "unknown_incident_type",
                    PLANS_FILE,
                    e,
                    &[("value", t.clone().into())],
                    format!("incident type {t:?} does not exist"),
                );
            }
        }
        if plan.divisions.is_empty() {
            p.coded(
                "at_least_one",
                PLANS_FILE,
                e,
                &[],
                "divisions must be a non-empty array",
            );
        }
        for d in &plan.divisions {
            if let Err(m) = twelve_digit(d) {
                p.coded("bad_division", PLANS_FILE, e, &[], m);
            }
        }
        if plan.version.trim().is_empty() {
            p.coded("required", PLANS_FILE, e, &[], "missing version");
        }
        if plan.last_evaluated_on < plan.published_on {
            p.coded(
                "evaluated_before_published",
                PLANS_FILE,
                e,
                &[],
                "last_evaluated_on is before published_on",
            );
        }
        if !(1..=MAX_REVIEW_YEARS).contains(&plan.review_years) {
            p.coded(
                "out_of_range",
                PLANS_FILE,
                e,
                &[("min", 1.into()), ("max", MAX_REVIEW_YEARS.into())],
                "review_years must be an integer from 1 to 3 (evaluate at least every 3 years)",
            );
        }
        if !(1..=60).contains(&plan.drill_cycle_months) {
            p.coded(
                "out_of_range",
                PLANS_FILE,
                e,
                &[("min", 1.into()), ("max", 60.into())],
                "drill_cycle_months must be an integer from 1 to 60",
            );
        }
        if plan.levels.is_empty() {
            p.coded(
                "at_least_one",
                PLANS_FILE,
                e,
                &[],
                "levels must be a non-empty array",
            );
        }
        let kinds = team_kinds();
        for (i, l) in plan.levels.iter().enumerate() {
            let le = format!("{e} level {}", l.level.as_str());
            if i > 0 && l.level >= plan.levels[i - 1].level {
                p.coded(
                    "levels_order",
                    PLANS_FILE,
                    &le,
                    &[],
                    "levels must be unique and listed from the highest (I) down",
                );
            }
            if l.name.trim().is_empty() {
                p.coded("required", PLANS_FILE, &le, &[], "missing name");
            }
            if l.commander.trim().is_empty() {
                p.coded("required", PLANS_FILE, &le, &[], "missing commander");
            }
            for (j, c) in l.criteria.iter().enumerate() {
                let ce = format!("{le} criteria[{j}]");
                if !c.value.is_finite() || c.value < 0.0 {
                    p.coded(
                        "not_non_negative",
                        PLANS_FILE,
                        &ce,
                        &[("value", num(c.value).into())],
                        "value must be a finite number ≥ 0",
                    );
                }
                if c.metric.is_flag() && !(c.op == Op::Equal && c.value == 1.0) {
                    p.coded(
                        "flag_equals_one",
                        PLANS_FILE,
                        &ce,
                        &[("metric", c.metric.as_str().into())],
                        format!("{} is a 0/1 flag: use == 1", c.metric.as_str()),
                    );
                }
            }
            // "死亡（含失踪）" is one sum (deaths + missing), compared as
            // `dead_or_missing`: a level whose text says 含失踪 may not compare
            // deaths or missing alone, and no level splits the sum into two
            // thresholds of the same value (docs/rules.md, 含失踪).
            let has = |m: Metric| l.criteria.iter().any(|c| c.metric == m);
            if l.criteria_text.contains("含失踪") {
                if !has(Metric::DeadOrMissing) {
                    p.coded(
                        "use_dead_or_missing",
                        PLANS_FILE,
                        &le,
                        &[],
                        "the text says 含失踪: compare dead_or_missing",
                    );
                }
                if has(Metric::Deaths) || has(Metric::Missing) {
                    p.coded("dead_or_missing_one_sum", PLANS_FILE, &le, &[], "the text says 含失踪: deaths and missing are one sum (dead_or_missing), not separate thresholds");
                }
            }
            for d in l.criteria.iter().filter(|c| c.metric == Metric::Deaths) {
                if l.criteria
                    .iter()
                    .any(|c| c.metric == Metric::Missing && c.op == d.op && c.value == d.value)
                {
                    p.coded(
                        "dead_or_missing_one_sum",
                        PLANS_FILE,
                        &le,
                        &[],
                        "deaths and missing with the same threshold: use dead_or_missing (one sum)",
                    );
                }
            }
            if l.tasks.is_empty() {
                p.coded(
                    "at_least_one",
                    PLANS_FILE,
                    &le,
                    &[],
                    "a level needs at least one task",
                );
            }
            for (j, t) in l.tasks.iter().enumerate() {
                let te = format!("{le} tasks[{j}]");
                let ok = match t.assignee_kind {
                    AssigneeKind::Command => command(&t.assignee),
                    AssigneeKind::Department => dept(&t.assignee),
                    AssigneeKind::TeamKind => kinds.contains(&t.assignee),
                };
                if !ok {
                    p.coded(
                        "assignee_not_found",
                        PLANS_FILE,
                        &te,
                        &[
                            ("kind", t.assignee_kind.as_str().into()),
                            ("code", t.assignee.clone().into()),
                        ],
                        format!(
                            "{} {:?} does not exist",
                            t.assignee_kind.as_str(),
                            t.assignee
                        ),
                    );
                }
                if t.task.trim().is_empty() {
                    p.coded("required", PLANS_FILE, &te, &[], "missing task");
                }
                if !(1..=10_080).contains(&t.within_minutes) {
                    p.coded(
                        "out_of_range",
                        PLANS_FILE,
                        &te,
                        &[("min", 1.into()), ("max", 10_080.into())],
                        "within_minutes must be an integer from 1 to 10080",
                    );
                }
            }
        }
        // Thresholds never fall as the level rises.
        for pair in plan.levels.windows(2) {
            let (hi, lo) = (&pair[0], &pair[1]);
            for ch in &hi.criteria {
                let Some(bh) = lower_bound(ch) else { continue };
                for cl in lo.criteria.iter().filter(|c| c.metric == ch.metric) {
                    if lower_bound(cl).is_some_and(|bl| bh < bl) {
                        p.coded(
                            "threshold_below_lower_level",
                            PLANS_FILE,
                            &format!("{e} level {}", hi.level.as_str()),
                            &[
                                ("metric", ch.metric.as_str().into()),
                                ("op", ch.op.as_str().into()),
                                ("value", num(ch.value).into()),
                                ("level", lo.level.as_str().into()),
                                ("lower_op", cl.op.as_str().into()),
                                ("lower_value", num(cl.value).into()),
                            ],
                            format!(
                                "{} {} {} is below level {}'s {} {}",
                                ch.metric.as_str(),
                                ch.op.as_str(),
                                num(ch.value),
                                lo.level.as_str(),
                                cl.op.as_str(),
                                num(cl.value)
                            ),
                        );
                    }
                }
            }
        }
        p.0
    }

    /// Every node of the type tree, depth first.
    pub fn all_types(&self) -> Vec<&IncidentType> {
        let mut out = Vec::new();
        walk(&self.types, &mut out);
        out
    }

    pub fn type_node(&self, code: &str) -> Option<&IncidentType> {
        self.all_types().into_iter().find(|t| t.code == code)
    }

    /// The Chinese name of a type (the code itself when it is unknown).
    pub fn type_name(&self, code: &str) -> String {
        self.type_node(code)
            .map_or_else(|| code.to_string(), |t| t.name_zh.clone())
    }

    /// How a type is graded: its own node's rule, or that of its nearest
    /// known ancestor for a sub-type the tree does not list.
    pub fn grading_of(&self, code: &str) -> Option<Grading> {
        let mut c = code;
        loop {
            if let Some(t) = self.type_node(c) {
                return Some(t.grading);
            }
            c = &c[..c.rfind('.')?];
        }
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// The current (highest published) version of each plan.
    pub fn current_plans(&self) -> Vec<&Plan> {
        current_plans(&self.plans)
    }

    /// The current version of one plan.
    pub fn plan(&self, code: &str) -> Option<&Plan> {
        self.current_plans().into_iter().find(|p| p.code == code)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use crate::plans::*;

    pub(in crate::plans) fn catalog() -> Catalog {
        Catalog::embedded().expect("embedded catalogue is valid")
    }

    /// Read from the file itself, not through the catalogue's validation:
    /// every level of data/plans/plans.json whose text says 死亡（含失踪）
    /// compares the one sum `dead_or_missing`, and no level anywhere keeps
    /// the old pair of `deaths` and `missing` thresholds.
    #[test]
    fn every_han_shizong_criterion_in_plans_json_compares_the_sum() {
        let plans: serde_json::Value =
            serde_json::from_str(include_str!("../../../../data/plans/plans.json"))
                .expect("plans.json is JSON");
        let mut with_text = 0;
        for plan in plans.as_array().expect("an array") {
            for level in plan["levels"].as_array().expect("levels") {
                let at = format!("{} {}", plan["code"], level["level"]);
                let metrics: Vec<&str> = level["criteria"]
                    .as_array()
                    .expect("criteria")
                    .iter()
                    .map(|c| c["metric"].as_str().expect("metric"))
                    .collect();
                if level["criteria_text"]
                    .as_str()
                    .expect("text")
                    .contains("含失踪")
                {
                    with_text += 1;
                    assert!(metrics.contains(&"dead_or_missing"), "{at}: {metrics:?}");
                    assert!(
                        !metrics.contains(&"deaths") && !metrics.contains(&"missing"),
                        "{at}: {metrics:?}"
                    );
                }
                assert!(
                    !(metrics.contains(&"deaths") && metrics.contains(&"missing")),
                    "{at}: deaths and missing as two thresholds"
                );
            }
        }
        // 地震 4, 地质灾害 4, 自然灾害救助 4, 旅游 4.
        assert_eq!(with_text, 16);
    }

    #[test]
    fn a_split_han_shizong_threshold_is_refused() {
        let base = include_str!("../../../../data/plans/plans.json");
        let split = base.replacen(
            "\"metric\": \"dead_or_missing\",\n            \"op\": \">=\",\n            \"value\": 300\n          }",
            "\"metric\": \"deaths\",\n            \"op\": \">=\",\n            \"value\": 300\n          },\n          {\n            \"metric\": \"missing\",\n            \"op\": \">=\",\n            \"value\": 300\n          }",
            1,
        );
        assert_ne!(
            split, base,
            "the earthquake plan's Ⅰ criterion is in the file"
        );
        let sources = CatalogJson {
            plans: &split,
            ..CatalogJson::EMBEDDED
        };
        let err = Catalog::from_json(&sources).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("DT-ZX-DZ") && text.contains("dead_or_missing"),
            "{text}"
        );
    }

    impl PlanError {
        /// The variant, for assertions.
        pub(in crate::plans) fn key(&self) -> &'static str {
            match self {
                PlanError::Invalid(_) => "invalid_catalog",
                PlanError::Division(_) => "invalid_division",
                PlanError::Input { .. } => "invalid_field",
                PlanError::UnknownTrigger(_) => "unknown_trigger",
                PlanError::Immutable { .. } => "immutable_version",
                PlanError::State(_) => "invalid_state",
                PlanError::Forbidden(_) => "forbidden",
            }
        }
    }

    #[test]
    fn embedded_catalogue_loads_with_the_documented_counts() {
        let c = catalog();
        assert_eq!(c.types.len(), 4);
        assert_eq!(c.all_types().len(), 77);
        assert_eq!(c.commands.len(), 20);
        assert_eq!(c.departments.len(), 31);
        assert_eq!(c.plans.len(), 24);
        assert_eq!(c.plans.iter().map(|p| p.levels.len()).sum::<usize>(), 87);
        assert_eq!(
            c.plans
                .iter()
                .flat_map(|p| &p.levels)
                .map(|l| l.tasks.len())
                .sum::<usize>(),
            453
        );
        assert_eq!(c.drills.len(), 10);
        assert_eq!(c.triggers.len(), 8);
        let count = |t: PlanType| c.plans.iter().filter(|p| p.plan_type == t).count();
        let by_type = [
            (PlanType::Overall, 1),
            (PlanType::Special, 15),
            (PlanType::Department, 4),
            (PlanType::Unit, 2),
            (PlanType::Onsite, 2),
        ];
        for (t, n) in by_type {
            assert_eq!(count(t), n, "{t:?}");
        }
        assert!(c.plans.iter().all(|p| p.is_published() && p.revision == 1));
    }

    #[test]
    fn validation_names_the_file_and_entry() {
        let base = CatalogJson::EMBEDDED;
        let bad_plans = base
            .plans
            .replacen("\"owner\": \"emergency\"", "\"owner\": \"nobody\"", 1);
        let bad_metric = base
            .plans
            .replacen("\"metric\": \"deaths\"", "\"metric\": \"dead\"", 1);
        let bad_drills =
            base.drills
                .replacen("\"plan\": \"DT-ZX-WHP\"", "\"plan\": \"DT-NONE\"", 1);
        let bad_division = base.plans.replacen("140226000000", "140226", 1);
        let bad_task =
            base.plans
                .replacen("\"assignee\": \"fire\"", "\"assignee\": \"wizards\"", 1);
        let table: Vec<(CatalogJson, &str)> = vec![
            (
                CatalogJson {
                    plans: &bad_plans,
                    ..base
                },
                "plans.json: DT-ZT: owner \"nobody\" is not a department",
            ),
            (
                CatalogJson {
                    plans: &bad_metric,
                    ..base
                },
                "plans.json: DT-ZT: unknown variant `dead`",
            ),
            (
                CatalogJson {
                    drills: &bad_drills,
                    ..base
                },
                "drills.json: #0 2020年大同市危险化学品泄漏事故应急演练: plan \"DT-NONE\" does not exist",
            ),
            (
                CatalogJson {
                    plans: &bad_division,
                    ..base
                },
                "plans.json: DT-DW-MK01: division \"140226\" is not a 12-digit code",
            ),
            (
                CatalogJson {
                    plans: &bad_task,
                    ..base
                },
                "team_kind \"wizards\" does not exist",
            ),
            (
                CatalogJson {
                    triggers: "{}",
                    ..base
                },
                "revision-triggers.json: (file): top level must be an array",
            ),
            (
                CatalogJson {
                    types: "[",
                    ..base
                },
                "incident-types.json: (file): invalid JSON",
            ),
        ];
        for (src, want) in table {
            let e = Catalog::from_json(&src).expect_err("invalid");
            assert_eq!(e.key(), "invalid_catalog");
            assert!(e.to_string().contains(want), "{e} lacks {want}");
        }
    }
}
