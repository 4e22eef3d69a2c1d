// API types the server does not describe yet: each names the handler that
// still returns untyped JSON (`json!`, `Object` in the OpenAPI document).
// Move a type to ./types.ts (from the generated schema) once its handler
// returns a typed body.
import type { AreaSpec, AttachmentMeta, DrillStatus, ItemInput, JournalEntry, PlanType, ResponseLevel, ReviewStatus } from './types'

export type FieldType = 'text' | 'int' | 'float' | 'enum' | 'phone' | 'division' | 'lon' | 'lat' | 'list'

export interface PointFeature {
  type: 'Feature'
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: { id: number; kind: string; name: string; category: string | null; status: string; division: string; division_name?: string }
}

export interface FeatureCollection<F = unknown> {
  type: 'FeatureCollection'
  features: F[]
}

// ---- 灾情管理 (disasters, reports, accidents) and 核心指标 ----

export type StepStatusValue = 'on_time' | 'pending' | 'due_soon' | 'late' | 'missing'

// 就近调配 / 覆盖分析
export interface NearestQuery {
  at: string
  kind: string
  category?: string | null
  supply?: string | null
  min_capacity?: number | null
  limit?: number
}
export interface CoverageQuery {
  kind: string
  category?: string | null
  minutes: number
  division?: string | null
  sites?: number
}

// ---- 指挥调度 (command and rescue: incidents, plans, instructions, dispatch orders) ----

export interface IncidentTypeNode {
  code: string
  name_zh: string
  name_en: string
  grading: 'production_safety' | 'plan' | string
  children: IncidentTypeNode[]
}

export interface PlanCriterion {
  metric: string
  op: string
  value: number
}

export interface PlanTask {
  assignee_kind: 'command' | 'department' | 'team_kind' | string
  assignee: string
  task: string
  within_minutes: number
}

export interface PlanLevel {
  level: ResponseLevel
  name: string
  criteria_text: string
  criteria: PlanCriterion[]
  commander: string
  tasks: PlanTask[]
}

/** GET /plans: a plan in force. */
export interface PlanSummary {
  code: string
  title: string
  type: PlanType | string
  owner: string
  owner_name?: string
  version: string
  revision: number
  /** draft | in_force | superseded */
  status: PlanVersionStatus
  status_zh?: string
  /** The revision of an open draft, if any. */
  draft_revision: number | null
  incident_types: string[]
  divisions: string[]
  levels: PlanLevel[]
  review: ReviewStatus
  drill: DrillStatus
}

export type IncidentSource = 'phone' | 'system' | 'report' | 'superior'

/** One step of a dispatch order after the request. `Order.steps` is stored
 * as JSON (incidents::store::Order, `Vec<Value>`). */
export interface DispatchStep {
  state: string
  by: string
  at: string
  reason: string | null
}

/** One feedback on an instruction. `Instruction.feedback` is stored as JSON
 * (incidents::store::Instruction, `Vec<Value>`). */
export interface InstructionFeedback {
  text: string
  /** Attachment ids. */
  photos: number[]
  location: [number, number] | null
  by: string
  at: string
}

export type IncidentEventKind = 'verify' | 'mark_false' | 'grade' | 'start_response' | 'change_level' | 'end_response' | 'review'

export interface IncidentEventBody {
  version: number
  kind: IncidentEventKind
  level?: ResponseLevel
  plan?: string
  reason?: string
  summary?: string
  /** review: improvement items found. */
  improvements?: ItemInput[]
}

export type InstructionEventBody =
  | { kind: 'receive' }
  | { kind: 'start' }
  | { kind: 'feedback'; text: string; photos?: number[]; location?: [number, number] | null }
  | { kind: 'accept' }
  | { kind: 'return'; reason: string }

export type DispatchEventKind = 'approve' | 'depart' | 'arrive' | 'return' | 'cancel'

// 附件

// 值班值守
export type ShiftPeriod = 'day' | 'night' | 'full' | 'custom'

// ---- 预警信息发布 (public warnings) ----
export type WarningColour = 'blue' | 'yellow' | 'orange' | 'red'
export interface WarningDraft {
  version?: number
  hazard: string
  level: WarningColour
  headline: string
  description: string
  instruction: string
  area: AreaSpec
  area_desc: string
  onset_at: string | null
  expires_at: string
  exercise: boolean
}

// ---- 数字预案: stored versions, drills, improvement items ----
export type PlanVersionStatus = 'draft' | 'in_force' | 'superseded'

export interface Department {
  code: string
  name: string
  short: string
  name_en: string
  kind: string
}

export interface Command {
  code: string
  name: string
  name_en: string
  kind: 'general' | 'special'
  commander: string
  office: string
  members: string[]
  incident_types: string[]
}

export interface RevisionTrigger {
  code: string
  text_zh: string
  text_en: string
  basis: string
}

/** One stored version of a plan (GET /plans/{code}/versions/{n}). */
export interface PlanVersion {
  code: string
  title: string
  type: PlanType | string
  owner: string
  owner_name: string
  command: string | null
  parent: string | null
  incident_types: string[]
  divisions: string[]
  version: string
  published_on: string
  last_evaluated_on: string
  review_years: number
  drill_cycle_months: number
  grading_basis: string
  source: string
  levels: PlanLevel[]
  revision: number
  revision_triggers?: string[]
  revision_reason?: string | null
  status: PlanVersionStatus
  status_zh: string
  review: ReviewStatus
  drill: DrillStatus
  /** Row version for edits and publication. */
  lock_version: number
  created_by: string
  created_at: string
  published_by: string
  published_at: string | null
}

export interface PlanVersionRow {
  revision: number
  version: string
  status: PlanVersionStatus
  status_zh: string
  published_on: string | null
  published_by: string
  published_at: string | null
  created_by: string
  created_at: string
  revision_triggers: string[]
  revision_reason: string | null
}

export interface PlanEvaluation {
  id: number
  code: string
  revision: number
  evaluated_on: string
  conclusion: 'adequate' | 'revise'
  note: string
  recorded_by: string
  recorded_at: string
}

export interface PlanDetail {
  code: string
  current: PlanVersion | null
  draft: PlanVersion | null
  versions: PlanVersionRow[]
  evaluations: PlanEvaluation[]
  drills: StoredDrill[]
  drill_history: { title: string; kind: string; planned_on: string; held_on: string | null }[]
  improvements: Improvement[]
  can_write: boolean
  can_publish: boolean
}

export type DrillKind = 'tabletop' | 'live' | 'double_blind'
export type DrillState = 'planned' | 'held' | 'evaluated' | 'cancelled'

export interface StoredDrill {
  id: number
  plan: string
  plan_title: string
  title: string
  kind: DrillKind
  state: DrillState
  state_zh: string
  planned_on: string
  held_on: string | null
  divisions: string[]
  participants: string[]
  people: number
  evaluation: string
  problems: { title: string; improvement: number | null }[]
  note: string
  late: boolean
  version: number
}

export type ImprovementState = 'open' | 'in_progress' | 'done' | 'verified'

export interface Improvement {
  id: number
  source: 'drill' | 'incident' | string
  source_id: number
  plan_code: string
  division: string
  title: string
  owner_department: string
  owner_name: string
  due_on: string
  state: ImprovementState
  state_zh: string
  overdue: boolean
  overdue_days: number
  created_by: string
  done_by: string
  verified_by: string
  version: number
}

/** The editable content of a plan draft (PUT /plans/{code}/versions/{n}). */
export interface PlanContent {
  title: string
  owner: string
  command: string | null
  parent: string | null
  incident_types: string[]
  divisions: string[]
  review_years: number
  drill_cycle_months: number
  grading_basis?: string
  levels: PlanLevel[]
}
