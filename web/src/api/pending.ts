// API types the server does not describe yet: each names the handler that
// still returns untyped JSON (`json!`, `Object` in the OpenAPI document).
// Move a type to ./types.ts (from the generated schema) once its handler
// returns a typed body.
import type { AreaSpec, AttachmentMeta, ItemInput, JournalEntry } from './types'

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

/** Response level Ⅰ–Ⅳ as the API writes it. */
export type ResponseLevel = 'I' | 'II' | 'III' | 'IV'

export interface IncidentTypeNode {
  code: string
  name_zh: string
  name_en: string
  grading: 'production_safety' | 'plan' | string
  children: IncidentTypeNode[]
}

export interface ReviewStatus {
  last_evaluated_on: string
  due_on: string
  overdue: boolean
  overdue_days: number
}

export interface DrillStatus {
  cycle_months: number
  last_held_on: string | null
  due_on: string | null
  overdue: boolean
  overdue_days: number
  never_drilled: boolean
  next_planned_on: string | null
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

export type PlanType = 'overall' | 'special' | 'department' | 'unit' | 'onsite'

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

/** A plan proposed for an incident (most specific first). */
export interface PlanMatch {
  code: string
  title: string
  plan_type: PlanType | string
  version: string
  revision: number
  owner: string
  command: string | null
  level: ResponseLevel | null
  level_name: string | null
  reasons: string[]
  met: string[]
  specificity: number
  review: ReviewStatus
  drill: DrillStatus
  warnings: string[]
}

export type IncidentFacts = {
  deaths: number
  missing: number
  trapped: number
  injured: number
  direct_loss_yuan: number
  affected_people: number
  relocated_people: number
  collapsed_houses: number
  burned_area_ha: number
  fire_duration_h: number
  magnitude: number
  rain_mm_24h: number
  evacuated_people: number
  blackout_households: number
  hazmat_leak: boolean
  cross_county: boolean
}
export type FactKey = keyof IncidentFacts

export type IncidentStateValue = 'reported' | 'verified' | 'graded' | 'responding' | 'ended' | 'reviewed' | 'dismissed'
export type ClockStatusValue = 'running' | 'warning' | 'met' | 'breached'

export interface RescueClock {
  deadline: string
  remaining_s: number
  status: ClockStatusValue | string
  status_zh: string
  /** Not yet ended (the clock is shown). */
  active: boolean
}

export type IncidentSource = 'phone' | 'system' | 'report' | 'superior'

export interface IncidentSummary {
  id: number
  title: string
  incident_type: string
  type_name: string
  division: string
  division_name: string
  lon: number | null
  lat: number | null
  address: string
  onset_at: string
  received_at: string
  source: IncidentSource | string
  reporter: string
  reporter_phone: string
  facts: IncidentFacts
  description: string
  state: IncidentStateValue | string
  state_zh: string
  /** The grade set by the last 定级. */
  grade: ResponseLevel | null
  response_level: ResponseLevel | null
  plan_code: string
  /** The revision of plan_code the response started under (0: none). */
  plan_revision?: number
  helped_at: string | null
  ended_at: string | null
  created_by: string
  created_at: string
  updated_at: string
  version: number
  clock: RescueClock
}

export interface ProposedGrade {
  level: ResponseLevel | null
  basis: { kind: 'production_safety' | 'plan' | 'unmatched' | string; code?: string; title?: string }
  reasons: string[]
}

export type InstructionStateValue = 'issued' | 'received' | 'in_progress' | 'feedback_given' | 'accepted' | 'returned'

export interface InstructionFeedback {
  text: string
  /** Attachment ids. */
  photos: number[]
  location: [number, number] | null
  by: string
  at: string
}

export interface Instruction {
  id: number
  incident_id: number
  division: string
  assignee_kind: 'department' | 'team_kind' | 'command' | 'person' | string
  assignee: string
  task: string
  due_at: string
  state: InstructionStateValue | string
  state_zh?: string
  issued_by: string
  issued_at: string
  received_at: string | null
  feedback: InstructionFeedback[]
  closed_at: string | null
  version: number
  /** Past due while the assignee still owes it (in the incident detail only). */
  overdue?: boolean
}

export type DispatchStateValue = 'requested' | 'approved' | 'departed' | 'arrived' | 'returned' | 'cancelled'

export interface DispatchOrder {
  id: number
  incident_id: number
  division: string
  resource_kind: string
  resource_id: number
  resource_name: string
  state: DispatchStateValue | string
  requested_by: string
  requested_at: string
  approved_by: string
  steps: { state: string; by: string; at: string; reason: string | null }[]
  version: number
}

export interface IncidentDetail extends IncidentSummary {
  proposed_grade: ProposedGrade
  plans: PlanMatch[]
  instructions: Instruction[]
  dispatch_orders: DispatchOrder[]
  timeline: JournalEntry[]
  attachments: AttachmentMeta[]
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
