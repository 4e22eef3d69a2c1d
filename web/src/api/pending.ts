// API types the server does not describe yet: each names the handler that
// still returns untyped JSON (`json!`, `Object` in the OpenAPI document).
// Move a type to ./types.ts (from the generated schema) once its handler
// returns a typed body.
import type { AreaSpec, AttachmentMeta, DrillKind, DrillStatus, ItemInput, JournalEntry, PlanLevel, PlanType, PlanVersionStatus, ResponseLevel, ReviewStatus } from './types'

export type FieldType = 'text' | 'int' | 'float' | 'enum' | 'phone' | 'division' | 'lon' | 'lat' | 'list'

// ---- 灾情管理 (disasters, reports, accidents) and 核心指标 ----

export type StepStatusValue = 'on_time' | 'pending' | 'due_soon' | 'late' | 'missing'

// 就近调配 / 覆盖分析

// ---- 指挥调度 (command and rescue: incidents, plans, instructions, dispatch orders) ----

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
