export interface Division {
  code: string
  name: string
  level: 'province' | 'city' | 'county' | 'township' | 'village' | string
  parent?: string | null
}

export interface Me {
  username: string
  display_name: string
  role: string
  role_label_zh: string
  role_label_en: string
  division: Division
  can_write: boolean
  is_admin: boolean
}

export interface FieldOption {
  value: string
  label_zh: string
  label_en: string
}

export type FieldType = 'text' | 'int' | 'float' | 'enum' | 'phone' | 'division' | 'lon' | 'lat' | 'list'

export interface Field {
  key: string
  label_zh: string
  label_en: string
  type: FieldType
  required: boolean
  common: boolean
  options?: FieldOption[]
  min?: number | null
  max?: number | null
}

export interface Schema {
  kind: string
  label_zh: string
  label_en: string
  fields: Field[]
  /** Not in the v1 contract: if the server ever names the field behind `category`, use it. */
  category_field?: string
}

export interface Item {
  id: number
  kind: string
  name: string
  division: string
  division_name: string
  lon: number | null
  lat: number | null
  address: string
  responsible: string
  phone: string
  duty_phone: string
  status: string
  category: string | null
  attrs: Record<string, unknown>
  version: number
  updated_at: string
}

export interface Page<T> {
  total: number
  items: T[]
}

export interface ProblemError {
  row?: number
  field?: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  key?: string
  errors?: ProblemError[]
  /** All errors found when `errors` lists only the first ones (large imports). */
  error_total?: number
}

export interface JournalEntry {
  seq: number
  at: string
  actor: string
  jurisdiction: string
  module: string
  entity: string
  entity_id: string
  kind: string
  payload: unknown
  hash: string
}

export interface MapConfig {
  tile_url: string | null
  tile_attribution: string | null
  center: [number, number]
  zoom: number
}

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

export interface Disaster {
  id: number
  name: string
  disaster_type: string
  onset: string
  division: string
  townships: string[]
  source: string
  stable_at: string | null
  created_by: string
  created_at: string
  version: number
}

export interface DisasterSummary extends Disaster {
  steps_late: number
  steps_missing: number
  steps_due_soon: number
}

export interface Figures {
  affected: number
  dead: number
  missing: number
  injured: number
  relocated: number
  need_relief: number
  crop_affected_ha: number
  crop_failed_ha: number
  collapsed_households: number
  collapsed_rooms: number
  severe_households: number
  severe_rooms: number
  damaged_households: number
  damaged_rooms: number
  direct_loss: number
  agri_loss: number
}
export type FigureKey = keyof Figures

export interface CasualtyRow {
  name: string
  status: 'dead' | 'missing' | string
  gender: string
  age: number
  address: string
  cause: string
}

export interface HouseRow {
  householder: string
  damage: 'collapsed' | 'severe' | 'damaged' | string
  rooms: number
  address: string
}

export interface Report {
  id: number
  disaster_id: number
  kind: string
  level: string
  division: string
  division_name: string
  step_key: string
  figures: Figures
  casualties: CasualtyRow[]
  houses: HouseRow[]
  reason: string
  flags: string[]
  supersedes: number | null
  submitted_by: string
  submitted_at: string
}

export interface StepStatus {
  key: string
  label_zh: string
  by: string
  due: string
  submitted_at: string | null
  status: StepStatusValue | string
  status_zh: string
}

export interface Aggregate {
  division: string
  division_name: string
  townships_reported: number
  townships_total: number
  figures: Figures
}

export interface DisasterDetail {
  disaster: Disaster
  reports: Report[]
  steps: StepStatus[]
  aggregates: Aggregate[]
}

export interface NewDisaster {
  name: string
  disaster_type: string
  onset: string
  townships: string[]
  source: string
}

export interface ReportBody {
  kind: string
  level: string
  division: string
  figures: Figures
  casualties: CasualtyRow[]
  houses: HouseRow[]
  reason: string
  supersedes?: number | null
}

export interface OverdueItem extends StepStatus {
  entity: 'disaster' | 'accident' | string
  id: number
  name: string
  division: string
  division_name: string
}

export interface Accident {
  id: number
  name: string
  industry: string
  division: string
  occurred_at: string
  road_or_fire: boolean
  deaths: number
  serious_injuries: number
  direct_loss_yuan: number
  grade: 'ordinary' | 'larger' | 'major' | 'especially_major' | string
  grade_zh: string
  received: [string, string][]
  investigation_extended: boolean
  investigation_at: string | null
  description: string
  created_by: string
  created_at: string
  version: number
}

export interface AccidentDetail {
  accident: Accident
  steps: StepStatus[]
  grade_reasons: string[]
}

export interface NewAccident {
  name: string
  industry: string
  division: string
  occurred_at: string
  road_or_fire: boolean
  deaths: number
  serious_injuries: number
  direct_loss_yuan: number
  description: string
  received_at?: string
}

export type Verdict = 'met' | 'not_met' | 'no_data'

export interface IndicatorSources {
  accidents: number[]
  disasters: number[]
}

export interface IndicatorSeries {
  key: string
  label_zh: string
  label_en: string
  unit: string
  target: number | null
  target_text: string
  points: { year: number; value: number | null; verdict: Verdict | string }[]
  /** Per the contract; the server may instead put `sources` on the dashboard. */
  sources?: Record<string, IndicatorSources>
}

export interface IndicatorDashboard {
  division: string
  division_name: string
  years: number[]
  series: IndicatorSeries[]
  /** Not in the contract (which has it per series): year → sources. */
  sources?: Record<string, IndicatorSources>
}

export interface StatRow {
  year: number
  gdp_yi: number | null
  population: number | null
  raw_coal_wt: number | null
}

// 就近调配 / 覆盖分析
export type TravelMethod = 'road' | 'estimate'
export interface Estimate {
  detour_factor: number
  speed_kmh: number
}
export interface NearestItem {
  id: number
  kind: string
  name: string
  division: string
  division_name: string
  lon: number
  lat: number
  category: string
  status: string
  phone: string
  duty_phone: string
  time_s: number
  distance_m: number
  method: TravelMethod
  /** [lon, lat] pairs; a straight segment when estimated. */
  route: [number, number][] | null
}
export interface NearestResult {
  at: { lat: number; lon: number }
  method: TravelMethod
  note: string
  estimate: Estimate
  considered: number
  items: NearestItem[]
  unreachable: { id: number; name: string }[]
}
export interface CoverageSettlement {
  id: number
  name: string
  division: string
  division_name: string
  lon: number
  lat: number
  population: number
  time_s: number | null
  station: number | null
}
export interface CoverageResult {
  method: TravelMethod
  note: string
  estimate: Estimate
  kind: string
  category: string | null
  minutes: number
  total_population: number
  covered_population: number
  share: number
  uncovered_count: number
  stations: { id: number; name: string; lon: number; lat: number; division_name: string }[]
  off_road_stations: { id: number; name: string }[]
  by_county: { code: string; name: string; total: number; covered: number; share: number }[]
  settlements: CoverageSettlement[]
  suggested: {
    settlement: number
    name: string
    division_name: string
    lon: number
    lat: number
    added_population: number
    covered_population: number
    share: number
  }[]
}
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
  version: string
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

export interface IncidentFacts {
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
  photos: string[]
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
}

export interface NewIncident {
  title: string
  incident_type: string
  division: string
  lon?: number
  lat?: number
  address?: string
  onset_at?: string
  source: IncidentSource | string
  reporter?: string
  reporter_phone?: string
  facts: Partial<IncidentFacts>
  description?: string
}

export type IncidentEventKind = 'verify' | 'mark_false' | 'grade' | 'start_response' | 'change_level' | 'end_response' | 'review'

export interface IncidentEventBody {
  version: number
  kind: IncidentEventKind
  level?: ResponseLevel
  plan?: string
  reason?: string
  summary?: string
}

export interface NewInstruction {
  assignee_kind: 'department' | 'team_kind' | 'command' | 'person' | string
  assignee: string
  task: string
  due_minutes: number
}

export type InstructionEventBody =
  | { kind: 'receive' }
  | { kind: 'start' }
  | { kind: 'feedback'; text: string; photos?: string[]; location?: [number, number] | null }
  | { kind: 'accept' }
  | { kind: 'return'; reason: string }

export type DispatchEventKind = 'approve' | 'depart' | 'arrive' | 'return' | 'cancel'
