import type {
  UserView,
  TokenInfo,
  NewToken,
  Accident,
  AccidentDetail,
  InvestigationEventBody,
  NotifyBody,
  DutyReportBody,
  InvestigationView,
  OpenInvestigationBody,
  Disaster,
  DisasterDetail,
  DisasterSummary,
  Division,
  IndicatorDashboard,
  NewAccident,
  NewDisaster,
  OverdueItem,
  Report,
  ReportBody,
  StatRow,
  RegistryLayer,
  Item,
  JournalEntry,
  Person,
  RoadsLayer,
  MapConfig,
  Me,
  Page,
  Problem,
  ProblemError,
  Schema,
  NearestQuery,
  NearestResult,
  CoverageQuery,
  CoverageResult,
  IncidentTypeNode,
  PlanSummary,
  IncidentSummary,
  IncidentDetail,
  NewIncident,
  IncidentEventBody,
  IncidentFacts,
  NewInstruction,
  Instruction,
  InstructionEventBody,
  DispatchOrder,
  DispatchEventKind,
  AttachmentMeta,
  DutyUser,
  Shift,
  ShiftBody,
  ShiftEventBody,
  WarningEventBody,
  OnDutyNow,
  DutyLogEntry,
  NewDutyLogEntry,
  WarningTemplate,
  WarningRecord,
  WarningDraft,
  AreaSpec,
  Reach,
  CapPreview,
  DeliveryRecord,
  ChannelCount,
  WarningCoverage,
  Department,
  Command,
  RevisionTrigger,
  PlanDetail,
  PlanVersion,
  PlanContent,
  StoredDrill,
  DrillBody,
  DrillEventBody,
  ItemEventBody,
  Improvement,
  RiskPoint,
  RiskPointBody,
  EnterpriseRisk,
  HazardDetail,
  HazardPage,
  MajorCatalogue,
  MajorUnit,
  MajorUnitBody,
  MajorWorksheet,
  MajorWorksheetBody,
  MajorGrade,
  InspectionPool,
  InspectionDrawRecord,
  InspectionDrawView,
  InspectionDrawBody,
  InspectionView,
  InspectionDetail,
  InspectionEventBody,
  InspectionState,
  NewFinding,
  CheckTemplate,
  TemplateBody,
  ChecksBody,
  SupervisionStats,
  NewHazard,
  HazardEventBody,
  HazardState,
  HazardGrade,
  RiskLevel,
  Place,
  PossibleDuplicate,
  CallBody,
} from './api/types'

import { localizeError, localizeRefusal } from './utils/fieldErrors'

export const API = '/api/v1'

export class ApiError extends Error {
  status: number
  key: string
  detail: string
  errors: ProblemError[]
  /** How many errors there are (more than `errors` lists for a large import). */
  errorTotal: number
  /** Why a step was refused, as a stable code (translated into `detail`). */
  code: string
  params: Record<string, unknown>
  constructor(status: number, p: Problem) {
    const detail = localizeRefusal({ code: p.code, params: p.params, detail: p.detail || p.title || '' })
    super(detail || `HTTP ${status}`)
    this.status = status
    this.key = p.key || ''
    this.code = p.code || ''
    this.params = p.params || {}
    this.detail = detail
    this.errors = (p.errors || []).map(localizeError)
    this.errorTotal = p.error_total ?? this.errors.length
  }
}

/** Called on any 401 from an endpoint other than login/me (session expired). */
let onUnauthorized: (() => void) | null = null
export function setUnauthorizedHandler(f: () => void) {
  onUnauthorized = f
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '')
  try {
    return JSON.parse(text) as Problem
  } catch {
    return { status: res.status, title: res.statusText, detail: text.slice(0, 200) }
  }
}

export async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { 'X-Requested-With': 'yingji', Accept: 'application/json' }
  let payload: BodyInit | undefined
  if (body instanceof FormData) {
    payload = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch(path.startsWith('/') ? path : `${API}/${path}`, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
    })
  } catch (e) {
    throw new ApiError(0, { key: 'network', detail: String(e) })
  }
  if (!res.ok) {
    const p = await problemOf(res)
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized()
    throw new ApiError(res.status, p)
  }
  if (res.status === 204) return undefined as T
  const ct = res.headers.get('content-type') || ''
  if (ct.includes('json')) return (await res.json()) as T
  return (await res.text()) as unknown as T
}

export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue
    u.set(k, String(v))
  }
  const s = u.toString()
  return s ? `?${s}` : ''
}

export interface RegistryFilters {
  division?: string | null
  q?: string | null
  category?: string | null
  status?: string | null
  bbox?: string | null
}

export const api = {
  login: (username: string, password: string) =>
    request<Me>('POST', `${API}/auth/login`, { username, password }, { quiet401: true }),
  logout: () => request<void>('POST', `${API}/auth/logout`, undefined, { quiet401: true }),
  me: () => request<Me>('GET', `${API}/auth/me`, undefined, { quiet401: true }),

  divisions: (parent?: string) => request<Division[]>('GET', `${API}/divisions${qs({ parent })}`),
  boundaries: () => request<GeoJSON.FeatureCollection>('GET', `${API}/divisions/boundaries`),
  divisionAt: (lon: number, lat: number) => request<Division>('GET', `${API}/divisions/at${qs({ lon, lat })}`),

  schemas: () => request<Schema[]>('GET', `${API}/registries`),
  list: (kind: string, f: RegistryFilters & { limit?: number; offset?: number }) =>
    request<Page>('GET', `${API}/registries/${enc(kind)}${qs({ ...f })}`),
  get: (kind: string, id: number | string) => request<Item>('GET', `${API}/registries/${enc(kind)}/${enc(String(id))}`),
  create: (kind: string, body: Record<string, unknown>) => request<Item>('POST', `${API}/registries/${enc(kind)}`, body),
  update: (kind: string, id: number, body: Record<string, unknown>) =>
    request<Item>('PUT', `${API}/registries/${enc(kind)}/${id}`, body),
  remove: (kind: string, id: number) => request<void>('DELETE', `${API}/registries/${enc(kind)}/${id}`),
  layer: (kind: string, f: RegistryFilters) =>
    request<RegistryLayer>('GET', `${API}/registries/${enc(kind)}/layer${qs({ ...f })}`),
  importFile: (kind: string, file: File | Blob, filename?: string) => {
    const fd = new FormData()
    fd.append('file', file, filename ?? (file as File).name ?? 'import.csv')
    return request<{ imported: number }>('POST', `${API}/registries/${enc(kind)}/import`, fd)
  },
  exportUrl: (kind: string, format: 'csv' | 'xlsx', f: RegistryFilters) =>
    `${API}/registries/${enc(kind)}/export${qs({ format, ...f })}`,
  templateUrl: (kind: string, format: 'csv' | 'xlsx') => `${API}/registries/${enc(kind)}/template${qs({ format })}`,

  people: () => request<Person[]>('GET', `${API}/people`),
  journal: (p: { limit?: number; before?: number; module?: string; entity?: string; id?: string; actor?: string; from?: string; to?: string }) =>
    request<JournalEntry[]>('GET', `${API}/journal${qs(p)}`),
  mapConfig: () => request<MapConfig>('GET', `${API}/map/config`),
  mapRoads: () => request<RoadsLayer>('GET', `${API}/map/roads`),

  // 灾情管理
  disasters: (p: { active?: boolean } = {}) =>
    request<DisasterSummary[]>('GET', `${API}/disasters${qs({ active: p.active ? 'true' : undefined })}`),
  disaster: (id: number | string) => request<DisasterDetail>('GET', `${API}/disasters/${enc(String(id))}`),
  createDisaster: (body: NewDisaster) => request<Disaster>('POST', `${API}/disasters`, body),
  submitReport: (id: number | string, body: ReportBody) =>
    request<Report>('POST', `${API}/disasters/${enc(String(id))}/reports`, body),
  markStable: (id: number, version: number) => request<Disaster>('POST', `${API}/disasters/${id}/stable`, { version }),
  disasterExportUrl: (id: number, format: 'xlsx' | 'csv') => `${API}/disasters/${id}/export${qs({ format })}`,
  disasterBulletinUrl: (id: number) => `${API}/disasters/${id}/bulletin.docx`,
  overdue: () => request<OverdueItem[]>('GET', `${API}/reports/overdue`),
  accidents: () => request<Accident[]>('GET', `${API}/accidents`),
  accident: (id: number | string) => request<AccidentDetail>('GET', `${API}/accidents/${enc(String(id))}`),
  createAccident: (body: NewAccident) => request<Accident>('POST', `${API}/accidents`, body),
  supplementAccident: (
    id: number,
    body: { version: number; deaths: number; missing: number; serious_injuries: number; direct_loss_yuan: number; reason: string; learned_at?: string },
  ) => request<Accident>('PUT', `${API}/accidents/${id}`, body),
  forwardAccident: (id: number, version: number, level: string, skip?: { reason: string }) =>
    request<Accident>('POST', `${API}/accidents/${id}/forward`, skip ? { version, level, skip_level: true, reason: skip.reason } : { version, level }),
  notifyAccident: (id: number, body: NotifyBody) => request<Accident>('POST', `${API}/accidents/${id}/notifications`, body),
  reportAccidentToDutyOffice: (id: number, body: DutyReportBody) => request<Accident>('POST', `${API}/accidents/${id}/duty-reports`, body),
  bulletinDocxUrl: (id: number) => `${API}/accidents/${id}/bulletin.docx`,
  settleAccident: (id: number, version: number) => request<Accident>('POST', `${API}/accidents/${id}/settled`, { version }),
  sectorReceived: (id: number, version: number, level: string) =>
    request<Accident>('POST', `${API}/accidents/${id}/forward`, { version, level, chain: 'sector' }),
  openInvestigation: (id: number, body: OpenInvestigationBody) =>
    request<InvestigationView>('POST', `${API}/accidents/${id}/investigation`, body),
  investigationEvent: (id: number, body: InvestigationEventBody) =>
    request<InvestigationView>('POST', `${API}/accidents/${id}/investigation/events`, body),

  // 核心指标
  indicators: (p: { division?: string | null; year?: number | null }) =>
    request<IndicatorDashboard>('GET', `${API}/indicators${qs(p)}`),
  statistics: (division?: string | null) => request<StatRow[]>('GET', `${API}/statistics${qs({ division })}`),
  importStatistics: (file: File | Blob, filename?: string) => {
    const fd = new FormData()
    fd.append('file', file, filename ?? (file as File).name ?? 'statistics.csv')
    return request<{ imported: number }>('POST', `${API}/statistics/import`, fd)
  },

  // 就近调配、路径、等时圈、覆盖分析
  nearest: (q: NearestQuery) => request<NearestResult>('GET', `${API}/dispatch/nearest${qs({ ...q })}`),
  coverage: (q: CoverageQuery) => request<CoverageResult>('GET', `${API}/dispatch/coverage${qs({ ...q })}`),
  isochrone: (from: string, minutes: number) =>
    request<GeoJSON.Feature<GeoJSON.MultiPolygon, { minutes: number; nodes_reached: number }>>(
      'GET',
      `${API}/routing/isochrone${qs({ from, minutes })}`,
    ),

  // 指挥调度: incidents, plans, instructions, dispatch orders
  incidentTypes: () => request<IncidentTypeNode[]>('GET', `${API}/incident-types`),
  plans: () => request<PlanSummary[]>('GET', `${API}/plans`),
  plan: (code: string) => request<PlanDetail>('GET', `${API}/plans/${enc(code)}`),
  planVersion: (code: string, n: number) => request<PlanVersion>('GET', `${API}/plans/${enc(code)}/versions/${n}`),
  revisePlan: (code: string, body: { version: string; triggers: string[]; reason: string }) =>
    request<PlanVersion>('POST', `${API}/plans/${enc(code)}/revisions`, body),
  editPlanVersion: (code: string, n: number, body: PlanContent & { version: number; label?: string }) =>
    request<PlanVersion>('PUT', `${API}/plans/${enc(code)}/versions/${n}`, body),
  publishPlanVersion: (code: string, n: number, version: number) =>
    request<PlanVersion>('POST', `${API}/plans/${enc(code)}/versions/${n}/publish`, { version }),
  evaluatePlan: (code: string, body: { evaluated_on: string; conclusion: 'adequate' | 'revise'; note: string }) =>
    request<unknown>('POST', `${API}/plans/${enc(code)}/evaluations`, body),
  filePlanVersion: (code: string, n: number, body: { filed_with: string; filed_on: string; receipt: string; note: string }) =>
    request<unknown>('POST', `${API}/plans/${enc(code)}/versions/${n}/filings`, body),
  drills: (p: { plan?: string } = {}) => request<StoredDrill[]>('GET', `${API}/drills${qs({ plan: p.plan })}`),
  createDrill: (body: DrillBody) => request<StoredDrill>('POST', `${API}/drills`, body),
  editDrill: (id: number, body: DrillBody) => request<StoredDrill>('PUT', `${API}/drills/${id}`, body),
  drillEvent: (id: number, body: DrillEventBody) => request<StoredDrill>('POST', `${API}/drills/${id}/events`, body),
  improvements: (p: { source?: string; plan?: string } = {}) =>
    request<Improvement[]>('GET', `${API}/improvements${qs({ source: p.source, plan: p.plan })}`),
  improvementEvent: (id: number, body: ItemEventBody) => request<Improvement>('POST', `${API}/improvements/${id}/events`, body),
  departments: () => request<Department[]>('GET', `${API}/departments`),
  commands: () => request<Command[]>('GET', `${API}/commands`),
  revisionTriggers: () => request<RevisionTrigger[]>('GET', `${API}/revision-triggers`),
  incidents: (p: { active?: boolean } = {}) =>
    request<IncidentSummary[]>('GET', `${API}/incidents${qs({ active: p.active ? 'true' : undefined })}`),
  incident: (id: number | string) => request<IncidentDetail>('GET', `${API}/incidents/${enc(String(id))}`),
  createIncident: (body: NewIncident) => request<IncidentDetail>('POST', `${API}/incidents`, body),
  places: (q: string, limit = 20) => request<Place[]>('GET', `${API}/places${qs({ q, limit })}`),
  incidentDuplicates: (p: { incident_type: string; division?: string; lon?: number; lat?: number }) =>
    request<PossibleDuplicate[]>('GET', `${API}/incidents/duplicates${qs(p)}`),
  incidentCall: (id: number, body: CallBody) => request<IncidentDetail>('POST', `${API}/incidents/${id}/calls`, body),
  incidentEvent: (id: number, body: IncidentEventBody) => request<IncidentDetail>('POST', `${API}/incidents/${id}/events`, body),
  incidentFacts: (id: number, body: { version: number; facts: IncidentFacts; note: string; lon?: number; lat?: number; address?: string }) =>
    request<IncidentDetail>('PUT', `${API}/incidents/${id}/facts`, body),
  incidentHelped: (id: number, body: { version: number; at?: string }) =>
    request<IncidentDetail>('POST', `${API}/incidents/${id}/helped`, body),
  issueInstruction: (id: number, body: NewInstruction) => request<Instruction>('POST', `${API}/incidents/${id}/instructions`, body),
  instructionEvent: (id: number, version: number, event: InstructionEventBody) =>
    request<Instruction>('POST', `${API}/instructions/${id}/events`, { version, event }),
  requestDispatch: (id: number, body: { resource_kind: string; resource_id: number }) =>
    request<DispatchOrder>('POST', `${API}/incidents/${id}/dispatch`, body),
  dispatchEvent: (id: number, body: { version: number; kind: DispatchEventKind; reason?: string }) =>
    request<DispatchOrder>('POST', `${API}/dispatch-orders/${id}/events`, body),

  // 附件
  uploadAttachment: (file: File | Blob, filename?: string) => {
    const fd = new FormData()
    fd.append('file', file, filename ?? (file as File).name ?? 'upload')
    return request<AttachmentMeta>('POST', `${API}/attachments`, fd)
  },

  // 值班值守
  dutyUsers: (division?: string | null) => request<DutyUser[]>('GET', `${API}/duty/users${qs({ division })}`),
  shifts: (p: { division?: string | null; from?: string; to?: string }) => request<Shift[]>('GET', `${API}/duty/shifts${qs(p)}`),
  createShift: (body: ShiftBody) => request<Shift>('POST', `${API}/duty/shifts`, body),
  editShift: (id: number, body: ShiftBody) => request<Shift>('PUT', `${API}/duty/shifts/${id}`, body),
  shiftEvent: (id: number, body: ShiftEventBody) => request<Shift>('POST', `${API}/duty/shifts/${id}/events`, body),
  onDuty: (division?: string | null) => request<OnDutyNow>('GET', `${API}/duty/now${qs({ division })}`),
  dutyLog: (p: { division?: string | null; date?: string; shift?: number }) =>
    request<DutyLogEntry[]>('GET', `${API}/duty/log${qs(p)}`),
  addDutyLog: (body: NewDutyLogEntry) => request<DutyLogEntry>('POST', `${API}/duty/log`, body),
  dutyLogExportUrl: (p: { division?: string | null; date?: string; shift?: number }) => `${API}/duty/log/export${qs(p)}`,
  dutyDailyUrl: (p: { division?: string | null; date?: string }) => `${API}/duty/daily.docx${qs(p)}`,
  // 预警信息发布
  warningTemplates: () => request<WarningTemplate[]>('GET', `${API}/warnings/templates`),
  warningTargeting: (area: AreaSpec) => request<Reach>('POST', `${API}/warnings/targeting`, { area }),
  warnings: () => request<WarningRecord[]>('GET', `${API}/warnings`),
  warning: (id: number | string) => request<WarningRecord>('GET', `${API}/warnings/${enc(String(id))}`),
  createWarning: (body: WarningDraft) => request<WarningRecord>('POST', `${API}/warnings`, body),
  editWarning: (id: number, body: WarningDraft) => request<WarningRecord>('PUT', `${API}/warnings/${id}`, body),
  warningEvent: (id: number, body: WarningEventBody) =>
    request<WarningRecord>('POST', `${API}/warnings/${id}/events`, body),
  reviseWarning: (id: number) => request<WarningRecord>('POST', `${API}/warnings/${id}/revise`, {}),
  cancelWarning: (id: number, body: { version: number; reason: string }) =>
    request<{ cancelled: WarningRecord; cancel_message: WarningRecord }>('POST', `${API}/warnings/${id}/cancel`, body),
  warningCap: (id: number) => request<CapPreview>('GET', `${API}/warnings/${id}/cap`),
  warningDeliveries: (id: number) =>
    request<{ counts: Record<string, Partial<ChannelCount>>; deliveries: DeliveryRecord[] }>('GET', `${API}/warnings/${id}/deliveries`),
  warningCoverage: (id: number) => request<WarningCoverage>('GET', `${API}/warnings/${id}/coverage`),
  // 监督管理
  riskPoints: (p: { division?: string | null; enterprise_id?: number; level?: RiskLevel }) =>
    request<RiskPoint[]>('GET', `${API}/supervision/risk-points${qs(p)}`),
  createRiskPoint: (body: RiskPointBody) => request<RiskPoint>('POST', `${API}/supervision/risk-points`, body),
  editRiskPoint: (id: number, body: RiskPointBody) => request<RiskPoint>('PUT', `${API}/supervision/risk-points/${id}`, body),
  enterpriseRisk: (id: number) => request<EnterpriseRisk>('GET', `${API}/supervision/enterprises/${id}/risk`),
  hazards: (p: {
    division?: string | null
    enterprise_id?: number
    state?: HazardState
    grade?: HazardGrade
    overdue?: boolean
    listed?: boolean
    open?: boolean
    limit?: number
    offset?: number
  }) => request<HazardPage>('GET', `${API}/supervision/hazards${qs(p)}`),
  hazard: (id: number | string) => request<HazardDetail>('GET', `${API}/supervision/hazards/${enc(String(id))}`),
  reportHazard: (body: NewHazard) => request<HazardDetail>('POST', `${API}/supervision/hazards`, body),
  hazardEvent: (id: number, body: HazardEventBody) =>
    request<HazardDetail>('POST', `${API}/supervision/hazards/${id}/events`, body),
  // 重大危险源 (GB 18218-2018), 双随机 inspections, statistics
  majorCatalogue: () => request<MajorCatalogue>('GET', `${API}/supervision/major-hazards/catalogue`),
  majorWorksheet: (body: MajorWorksheetBody) => request<MajorWorksheet>('POST', `${API}/supervision/major-hazards/worksheet`, body),
  majorUnits: (p: { division?: string | null; enterprise_id?: number; grade?: MajorGrade; major?: boolean }) =>
    request<MajorUnit[]>('GET', `${API}/supervision/major-hazards${qs(p)}`),
  createMajorUnit: (body: MajorUnitBody) => request<MajorUnit>('POST', `${API}/supervision/major-hazards`, body),
  editMajorUnit: (id: number, body: MajorUnitBody) => request<MajorUnit>('PUT', `${API}/supervision/major-hazards/${id}`, body),
  inspectionPool: (p: { division?: string | null; industry?: string }) =>
    request<InspectionPool>('GET', `${API}/supervision/inspection-pool${qs(p)}`),
  inspectionDraws: () => request<InspectionDrawRecord[]>('GET', `${API}/supervision/inspection-draws`),
  inspectionDraw: (id: number) => request<InspectionDrawView>('GET', `${API}/supervision/inspection-draws/${id}`),
  drawInspections: (body: InspectionDrawBody) => request<InspectionDrawView>('POST', `${API}/supervision/inspection-draws`, body),
  inspections: (p: { division?: string | null; state?: InspectionState; draw_id?: number; enterprise_id?: number }) =>
    request<InspectionView[]>('GET', `${API}/supervision/inspections${qs(p)}`),
  inspection: (id: number | string) => request<InspectionDetail>('GET', `${API}/supervision/inspections/${enc(String(id))}`),
  inspectionEvent: (id: number, body: InspectionEventBody) =>
    request<InspectionDetail>('POST', `${API}/supervision/inspections/${id}/events`, body),
  addFinding: (id: number, body: NewFinding) => request<InspectionDetail>('POST', `${API}/supervision/inspections/${id}/findings`, body),
  findingToHazard: (id: number, finding: number) =>
    request<HazardDetail>('POST', `${API}/supervision/inspections/${id}/findings/${finding}/hazard`, {}),
  checkTemplates: (industry?: string | null) => request<CheckTemplate[]>('GET', `${API}/supervision/check-templates${qs({ industry })}`),
  createCheckTemplate: (body: TemplateBody) => request<CheckTemplate>('POST', `${API}/supervision/check-templates`, body),
  editCheckTemplate: (id: number, body: TemplateBody) => request<CheckTemplate>('PUT', `${API}/supervision/check-templates/${id}`, body),
  fillChecks: (id: number, body: ChecksBody) => request<InspectionDetail>('PUT', `${API}/supervision/inspections/${id}/checks`, body),
  checkToHazard: (id: number, item: number) => request<HazardDetail>('POST', `${API}/supervision/inspections/${id}/checks/${item}/hazard`, {}),
  supervisionStats: (division?: string | null) => request<SupervisionStats>('GET', `${API}/supervision/stats${qs({ division })}`),
  supervisionStatsExportUrl: (division?: string | null) => `${API}/supervision/stats/export${qs({ division })}`,
  // 用户管理 (admins)
  users: () => request<UserView[]>('GET', `${API}/users`),
  disableUser: (id: number) => request<void>('POST', `${API}/users/${id}/disable`, {}),
  enableUser: (id: number) => request<void>('POST', `${API}/users/${id}/enable`, {}),
  resetPassword: (id: number, password: string) => request<void>('POST', `${API}/users/${id}/password`, { password }),
  userTokens: (id: number) => request<TokenInfo[]>('GET', `${API}/users/${id}/tokens`),
  createToken: (id: number, name: string, days?: number) =>
    request<NewToken>('POST', `${API}/users/${id}/tokens`, { name, days }),
  revokeToken: (id: number, tokenId: number) => request<void>('DELETE', `${API}/users/${id}/tokens/${tokenId}`),
}

export const attachmentUrl = (id: number) => `${API}/attachments/${id}`

function enc(s: string) {
  return encodeURIComponent(s)
}
