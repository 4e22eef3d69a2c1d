// API types the generated schema (./schema.d.ts) cannot give yet, each with
// the reason. Move a type to ./types.ts once the server describes it; keep
// this file as small as possible.
import type { AreaSpec, PlanLevel } from './types'

// ---- JSON stored inside typed records (the schema says `object`) ----

/** One step of a dispatch order after the request: incidents::store::Order
 * keeps `steps` as `Vec<Value>`. */
export interface DispatchStep {
  state: string
  by: string
  at: string
  reason: string | null
}

/** One feedback on an instruction: incidents::store::Instruction keeps
 * `feedback` as `Vec<Value>`. */
export interface InstructionFeedback {
  text: string
  /** Attachment ids. */
  photos: number[]
  location: [number, number] | null
  by: string
  at: string
}

// ---- Request bodies of write handlers not yet typed by the server ----

/** POST /warnings, PUT /warnings/{id}: DraftBody.area is declared as an
 * untyped object (`#[schema(value_type = Object)]`). */
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

/** PUT /plans/{code}/versions/{n}: ContentBody.levels is declared as
 * untyped objects. */
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

// ---- Vocabularies the server keeps as strings ----

/** Warning.level (warnings::store::Warning, a String). */
export type WarningColour = 'blue' | 'yellow' | 'orange' | 'red'
/** Shift.period (duty::store::Shift, a String). */
export type ShiftPeriod = 'day' | 'night' | 'full' | 'custom'
