// 指挥调度 helpers shared by the incident pages and the map: level colours and
// labels, the type tree and plan catalogue (fetched once), assignee names,
// and the timeline's one-line summaries. (The live feed is
// `composables/useLiveFeed`.)
import { i18n, currentLocale, label } from '../../i18n'
import { api } from '../../api'
import { schemaOf } from '../../store'
import { fmtTime } from '../../utils/format'
import { ref } from 'vue'
import type {
  Command,
  Department,
  FactKey,
  IncidentFacts,
  IncidentTypeNode,
  JournalEntry,
  Me,
  PlanSummary,
  ResponseLevel,
  RevisionTrigger,
} from '../../api/types'

const tr = (k: string, n?: Record<string, unknown>) => (n ? i18n.global.t(k, n) : i18n.global.t(k))
const known = (k: string) => i18n.global.te(k)

// ---- levels ----
export const LEVELS: ResponseLevel[] = ['I', 'II', 'III', 'IV']
/** Ⅰ red, Ⅱ orange, Ⅲ yellow, Ⅳ blue (the national colour code). */
export const LEVEL_COLOR: Record<string, string> = {
  I: '#c62828',
  II: '#ef6c00',
  III: '#f2c200',
  IV: '#1565c0',
}
/** Text colour on the level colour (yellow needs dark text). */
export const LEVEL_TEXT: Record<string, string> = { I: '#fff', II: '#fff', III: '#1f2937', IV: '#fff' }
export const NO_LEVEL_COLOR = '#6b7280'
export function levelLabel(l: string | null | undefined): string {
  if (!l) return tr('responseLevel.none')
  return known(`responseLevel.${l}`) ? tr(`responseLevel.${l}`) : l
}

// ---- enums in the UI language ----
function enumText(group: string, v: string | null | undefined): string {
  if (!v) return ''
  const k = `${group}.${v}`
  return known(k) ? tr(k) : v
}
export const stateLabel = (s: string) => enumText('incidentState', s)
export const sourceLabel = (s: string) => enumText('incidentSource', s)
export const clockLabel = (s: string) => enumText('clockStatus', s)
export const instructionStateLabel = (s: string) => enumText('instructionState', s)
export const dispatchStateLabel = (s: string) => enumText('dispatchState', s)
export const planTypeLabel = (s: string) => enumText('planType', s)
export const factLabel = (s: string) => enumText('fact', s)
export const assigneeKindLabel = (s: string) => enumText('assigneeKind', s)

type TagType = 'success' | 'warning' | 'info' | 'danger' | 'primary'
export const STATE_TAG: Record<string, TagType> = {
  reported: 'danger',
  verified: 'warning',
  graded: 'warning',
  responding: 'danger',
  ended: 'info',
  reviewed: 'success',
  dismissed: 'info',
}
export const INSTRUCTION_TAG: Record<string, TagType> = {
  issued: 'info',
  received: 'primary',
  in_progress: 'primary',
  feedback_given: 'warning',
  accepted: 'success',
  returned: 'danger',
}
export const DISPATCH_TAG: Record<string, TagType> = {
  requested: 'warning',
  approved: 'primary',
  departed: 'primary',
  arrived: 'success',
  returned: 'info',
  cancelled: 'info',
}
export const CLOCK_COLOR: Record<string, string> = {
  running: '#15803d',
  warning: '#d97706',
  met: '#2563eb',
  breached: '#b91c1c',
}


// ---- who may do what (the server decides; this only hides buttons) ----
export function canWriteIncidents(me: Me | null): boolean {
  return !!me && ['admin', 'commander', 'operator'].includes(me.role)
}
/** The duty desk (值班值守): not for township reporters or enterprises. */
export function seesDuty(me: Me | null): boolean {
  return !!me && !['reporter', 'enterprise'].includes(me.role)
}
export function isCommander(me: Me | null): boolean {
  return !!me && ['admin', 'commander'].includes(me.role)
}

// ---- durations ----
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.abs(Math.round(seconds)))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? tr('incident.hours', { h, m }) : tr('incident.minutes', { m })
}

// ---- facts ----
/** The casualty figures asked for on intake; the rest is folded away. */
export const CASUALTY_FACTS: FactKey[] = ['deaths', 'missing', 'trapped', 'injured']
export const OTHER_FACTS: FactKey[] = [
  'direct_loss_yuan',
  'affected_people',
  'relocated_people',
  'evacuated_people',
  'collapsed_houses',
  'burned_area_ha',
  'fire_duration_h',
  'magnitude',
  'rain_mm_24h',
  'blackout_households',
]
export const FLAG_FACTS: FactKey[] = ['hazmat_leak', 'cross_county']
export const DECIMAL_FACTS: ReadonlySet<FactKey> = new Set<FactKey>(['burned_area_ha', 'fire_duration_h', 'magnitude', 'rain_mm_24h'])
export function emptyFacts(): IncidentFacts {
  return {
    deaths: 0,
    missing: 0,
    trapped: 0,
    injured: 0,
    direct_loss_yuan: 0,
    affected_people: 0,
    relocated_people: 0,
    collapsed_houses: 0,
    burned_area_ha: 0,
    fire_duration_h: 0,
    magnitude: 0,
    rain_mm_24h: 0,
    evacuated_people: 0,
    blackout_households: 0,
    hazmat_leak: false,
    cross_county: false,
  }
}
/** The figures worth showing (non-zero, flags set), as "label value" strings. */
export function factsText(f: Partial<IncidentFacts> | null | undefined): string[] {
  if (!f) return []
  const out: string[] = []
  for (const k of [...CASUALTY_FACTS, ...OTHER_FACTS]) {
    const v = f[k]
    if (typeof v === 'number' && v !== 0) out.push(`${factLabel(k)} ${v}`)
  }
  for (const k of FLAG_FACTS) if (f[k] === true) out.push(factLabel(k))
  return out
}

// ---- the type tree ----
let typesPromise: Promise<IncidentTypeNode[]> | null = null
const typeIndex = new Map<string, IncidentTypeNode>()
export function loadIncidentTypes(): Promise<IncidentTypeNode[]> {
  if (!typesPromise) {
    typesPromise = api
      .incidentTypes()
      .then((tree) => {
        const walk = (n: IncidentTypeNode) => {
          typeIndex.set(n.code, n)
          for (const c of n.children ?? []) walk(c)
        }
        tree.forEach(walk)
        return tree
      })
      .catch((e) => {
        typesPromise = null
        throw e
      })
  }
  return typesPromise
}
/** The type's name in the UI language; the server's Chinese name until the tree is loaded. */
export function typeLabel(code: string, fallback?: string): string {
  const n = typeIndex.get(code)
  if (!n) return fallback || code
  return currentLocale() === 'en' ? n.name_en || n.name_zh : n.name_zh
}
export interface TypeOption {
  value: string
  label: string
  children?: TypeOption[]
}
export function typeOptions(tree: IncidentTypeNode[]): TypeOption[] {
  const en = currentLocale() === 'en'
  const conv = (n: IncidentTypeNode): TypeOption => ({
    value: n.code,
    label: en ? n.name_en || n.name_zh : n.name_zh,
    ...(n.children?.length ? { children: n.children.map(conv) } : {}),
  })
  return tree.map(conv)
}
/** Codes from the root to `code` (dotted codes nest: a.b.c under a.b under a). */
export function typePath(code: string): string[] {
  const parts = code.split('.')
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'))
}

// ---- the plan catalogue ----
let plansPromise: Promise<PlanSummary[]> | null = null
export function loadPlans(): Promise<PlanSummary[]> {
  if (!plansPromise) {
    plansPromise = api.plans().catch((e) => {
      plansPromise = null
      throw e
    })
  }
  return plansPromise
}

/** Forget the cached plan list (after a version is published). */
export function invalidatePlans() {
  plansPromise = null
}

// ---- plan versions, drills, improvement items ----
const cap = (s: string) => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())
export const planStatusLabel = (s: string) => enumText('plan', `status${cap(s)}`)
export const drillKindLabel = (s: string) => enumText('drill', `kind${cap(s)}`)
export const drillStateLabel = (s: string) => enumText('drill', `state${cap(s)}`)
export const improvementStateLabel = (s: string) => enumText('improvement', `state${cap(s)}`)
export const PLAN_STATUS_TAG: Record<string, TagType> = { draft: 'warning', in_force: 'success', superseded: 'info' }
export const DRILL_TAG: Record<string, TagType> = { planned: 'primary', held: 'warning', evaluated: 'success', cancelled: 'info' }
export const IMPROVEMENT_TAG: Record<string, TagType> = { open: 'danger', in_progress: 'warning', done: 'primary', verified: 'success' }
export const DRILL_KINDS = ['tabletop', 'live', 'double_blind']
export function canWritePlans(me: Me | null): boolean {
  return canWriteIncidents(me)
}
let triggersPromise: Promise<RevisionTrigger[]> | null = null
export function loadTriggers(): Promise<RevisionTrigger[]> {
  if (!triggersPromise) {
    triggersPromise = api.revisionTriggers().catch((e) => {
      triggersPromise = null
      throw e
    })
  }
  return triggersPromise
}

// ---- assignees: departments, commands, team kinds ----
// Names come from the plan catalogue on the server (GET /departments,
// /commands), fetched once; until they arrive a code shows as itself.
const orgs = ref<{ departments: Department[]; commands: Command[] }>({ departments: [], commands: [] })
let orgsPromise: Promise<void> | null = null
export function loadOrgs(): Promise<void> {
  if (!orgsPromise) {
    orgsPromise = Promise.all([api.departments(), api.commands()])
      .then(([departments, commands]) => {
        orgs.value = { departments, commands }
      })
      .catch((e) => {
        orgsPromise = null
        throw e
      })
  }
  return orgsPromise
}
function ensureOrgs() {
  if (!orgsPromise) loadOrgs().catch(() => {})
}
export function orgLabel(code: string): string {
  ensureOrgs()
  const d = orgs.value.departments.find((x) => x.code === code)
  if (!d) return code
  return currentLocale() === 'en' ? d.name_en || d.short : d.short
}
export function commandLabel(code: string): string {
  ensureOrgs()
  const c = orgs.value.commands.find((x) => x.code === code)
  if (!c) return code
  return currentLocale() === 'en' ? c.name_en || c.name : c.name
}
/** Departments as select options in the UI language. */
export function departmentOptions(): { value: string; label: string }[] {
  ensureOrgs()
  return orgs.value.departments.map((d) => ({ value: d.code, label: orgLabel(d.code) }))
}
/** Commands (the “1+19”) as select options in the UI language. */
export function commandOptions(): { value: string; label: string }[] {
  ensureOrgs()
  return orgs.value.commands.map((c) => ({ value: c.code, label: commandLabel(c.code) }))
}
export function teamKindLabel(code: string): string {
  const f = schemaOf('team')?.fields.find((x) => x.key === 'team_kind')
  const o = f?.options?.find((x) => x.value === code)
  return o ? label(o) : code
}
export function assigneeLabel(kind: string, code: string): string {
  switch (kind) {
    case 'department':
      return orgLabel(code)
    case 'command':
      return commandLabel(code)
    case 'team_kind':
      return `${teamKindLabel(code)}${currentLocale() === 'en' ? ' teams' : '队伍'}`
    default:
      return code
  }
}

/** Run `f` at most once per `ms` (the trailing call wins). */
export function debounce(f: () => void, ms = 150): () => void {
  let timer: number | undefined
  return () => {
    window.clearTimeout(timer)
    timer = window.setTimeout(f, ms)
  }
}

// ---- timeline ----
function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}
function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v)
}
/** Journal action of an incident in the UI language. */
export function timelineKind(kind: string): string {
  return known(`journalKind.${kind}`) ? tr(`journalKind.${kind}`) : kind
}
/** A one-line summary of a timeline entry's payload. */
export function timelineSummary(e: JournalEntry): string {
  const p = rec(e.payload)
  const sep = currentLocale() === 'en' ? '; ' : '；'
  const parts: string[] = []
  switch (e.kind) {
    case 'reported': {
      parts.push(str(p.title))
      if (p.source) parts.push(`${tr('incident.source')}: ${sourceLabel(str(p.source))}`)
      parts.push(...factsText(rec(p.facts) as Partial<IncidentFacts>))
      break
    }
    case 'update': {
      if (p.note) parts.push(str(p.note))
      const before = rec(p.before)
      const after = rec(p.after)
      for (const k of Object.keys(after)) {
        if (before[k] !== after[k]) parts.push(`${factLabel(k)} ${str(before[k])} → ${str(after[k])}`)
      }
      if (p.place) parts.push(`${tr('incident.correctPlace')}: ${str(rec(rec(p.place).after).address)}`)
      break
    }
    case 'call':
      if (p.note) parts.push(str(p.note))
      if (p.reporter || p.reporter_phone) parts.push(`${tr('incident.reporter')}: ${[str(p.reporter), str(p.reporter_phone)].filter(Boolean).join(' ')}`)
      break
    case 'helped':
      parts.push(fmtTime(str(p.helped_at)))
      break
    case 'instruction_issued':
      parts.push(`${str(p.assignee)}: ${str(p.task)}`)
      break
    case 'instruction_received':
    case 'instruction_started':
    case 'instruction_accepted':
    case 'instruction_feedback':
    case 'instruction_returned': {
      const ev = rec(p.event)
      parts.push(`#${str(p.instruction)}`)
      if (ev.text) parts.push(str(ev.text))
      if (ev.reason) parts.push(str(ev.reason))
      if (p.state) parts.push(instructionStateLabel(str(p.state)))
      break
    }
    case 'dispatch_requested':
      parts.push(str(rec(p.resource).name))
      break
    case 'dispatch_step':
      parts.push(`${str(p.resource)} · ${dispatchStateLabel(str(p.state))}`)
      break
    default: {
      // Life-cycle steps: from → to, the level or plan, and why.
      const ev = rec(p.event)
      if (p.from && p.to && p.from !== p.to) parts.push(`${stateLabel(str(p.from))} → ${stateLabel(str(p.to))}`)
      if (ev.level) parts.push(levelLabel(str(ev.level)))
      if (e.kind === 'start_response' && ev.plan) parts.push(str(ev.plan))
      else if (p.why) parts.push(str(p.why))
      if (typeof p.instructions === 'number' && p.instructions > 0) parts.push(tr('incident.instructionsMade', { n: p.instructions }))
    }
  }
  return parts.filter(Boolean).join(sep)
}
