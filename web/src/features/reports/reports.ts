// 灾情管理 helpers: figure keys and groups, client validation of a report
// (mirrors the server's rules in crates/yingji/src/reports/figures.rs; the
// server stays the authority and its 422 errors land on the same inputs),
// step labels and status colours.
import { i18n } from '../../i18n'
import type { CasualtyRow, Figures, FigureKey, HouseRow, StepStatus, Me } from '../../api/types'

export type Translate = (key: string, named?: Record<string, unknown>) => string

export const FIGURE_GROUPS: { key: 'people' | 'crops' | 'houses' | 'loss'; fields: FigureKey[] }[] = [
  { key: 'people', fields: ['affected', 'dead', 'missing', 'injured', 'relocated', 'need_relief'] },
  { key: 'crops', fields: ['crop_affected_ha', 'crop_failed_ha'] },
  {
    key: 'houses',
    fields: ['collapsed_households', 'collapsed_rooms', 'severe_households', 'severe_rooms', 'damaged_households', 'damaged_rooms'],
  },
  { key: 'loss', fields: ['direct_loss_yuan', 'agri_loss_yuan'] },
]
export const FIGURE_KEYS: FigureKey[] = FIGURE_GROUPS.flatMap((g) => g.fields)
/**
 * Money: the server stores and takes whole 元; people type and read 万元, the
 * unit of the official form (docs/rules.md), so four decimals are whole 元.
 */
export const MONEY_FIGURES: ReadonlySet<FigureKey> = new Set<FigureKey>(['direct_loss_yuan', 'agri_loss_yuan'])
/** Typed with decimals: hectares and 万元; everything else counts people, households or rooms. */
export const DECIMAL_FIGURES: ReadonlySet<FigureKey> = new Set<FigureKey>(['crop_affected_ha', 'crop_failed_ha', ...MONEY_FIGURES])

/** 万元 as typed → 元 (a fraction of a 元 is kept, for validation to refuse). */
export function wanToYuan(wan: number): number {
  const yuan = wan * 10000
  const whole = Math.round(yuan)
  return Math.abs(yuan - whole) < 1e-6 ? whole : yuan
}

/** A figure in the unit people read it in (money in 万元). */
export function figureShown(k: FigureKey, v: number): number {
  return MONEY_FIGURES.has(k) ? v / 10000 : v
}

/** A figure formatted for reading (万元 to the 元, others to two decimals). */
export function fmtFigure(k: FigureKey, v: number | null | undefined): string {
  return v === null || v === undefined ? fmtNum(v) : fmtNum(figureShown(k, v), MONEY_FIGURES.has(k) ? 4 : 2)
}

export const DISASTER_TYPES = ['rainstorm', 'flood', 'drought', 'wind_hail', 'frost', 'snow', 'earthquake', 'geohazard', 'forest_fire', 'other']
export const SOURCES = ['report', 'intake', 'alarm', 'warning', 'superior']
export const INDUSTRIES = [
  'coal_mine',
  'non_coal_mine',
  'hazmat',
  'fireworks',
  'metallurgy',
  'building_materials',
  'construction',
  'road_traffic',
  'fire',
  'trade',
  'power',
  'other',
]
export const STEP_STATUSES = ['on_time', 'pending', 'due_soon', 'late', 'missing']
/** 按时 green, 待报 grey, 即将到期 orange, 迟报 red, 漏报 dark red. */
export const STATUS_COLOR: Record<string, string> = {
  on_time: '#16a34a',
  pending: '#9ca3af',
  due_soon: '#f59e0b',
  late: '#dc2626',
  missing: '#7f1d1d',
}
export const GRADE_COLOR: Record<string, string> = {
  ordinary: '#2563eb',
  larger: '#f59e0b',
  major: '#dc2626',
  especially_major: '#7f1d1d',
}

export function emptyFigures(): Figures {
  return Object.fromEntries(FIGURE_KEYS.map((k) => [k, 0])) as unknown as Figures
}

/** Form values are strings (what the user typed); '' counts as 0. */
export type FigureInputs = Record<FigureKey, string>

export function figuresToInputs(f: Partial<Figures> | null | undefined): FigureInputs {
  return Object.fromEntries(
    FIGURE_KEYS.map((k) => {
      const v = f?.[k]
      return [k, v === undefined || v === null || v === 0 ? '' : String(figureShown(k, v))]
    }),
  ) as FigureInputs
}

export function parseNumber(s: string | number | null | undefined): number {
  if (s === null || s === undefined) return 0
  if (typeof s === 'number') return s
  const t = s.trim().replace(/[,，]/g, '')
  if (t === '') return 0
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN
}

export function inputsToFigures(inp: FigureInputs): Figures {
  return Object.fromEntries(
    FIGURE_KEYS.map((k) => [k, MONEY_FIGURES.has(k) ? wanToYuan(parseNumber(inp[k])) : parseNumber(inp[k])]),
  ) as unknown as Figures
}

export function figureLabel(k: string): string {
  const key = `figure.${k}`
  return i18n.global.te(key) ? i18n.global.t(key) : k
}

/** Figures that went down versus the previous report of the same unit. */
export function decreasedKeys(prev: Figures | null | undefined, next: Figures): FigureKey[] {
  if (!prev) return []
  return FIGURE_KEYS.filter((k) => Number.isFinite(next[k]) && next[k] < (prev[k] ?? 0) - 1e-9)
}

export interface ReportDraft {
  figures: FigureInputs
  casualties: CasualtyRow[]
  houses: HouseRow[]
  reason: string
  supersedes: number | null
}

/**
 * Client validation of a report. Keys are the server's `errors[].field` names
 * (`affected`, `crop_failed_ha`, `casualties[0].age`, `reason`, …).
 * Ledger counts against the figures are left to the server (see ledgerHints).
 */
export function validateReport(d: ReportDraft, prev: Figures | null, t: Translate): Record<string, string> {
  const e: Record<string, string> = {}
  const f = inputsToFigures(d.figures)
  for (const k of FIGURE_KEYS) {
    const v = f[k]
    const label = figureLabel(k)
    if (!Number.isFinite(v)) e[k] = t('validation.number', { label })
    else if (v < 0) e[k] = t('validation.min', { label, min: 0 })
    else if (MONEY_FIGURES.has(k) && !Number.isInteger(v)) e[k] = t('report.errWholeYuan', { label })
    else if (!DECIMAL_FIGURES.has(k) && !Number.isInteger(v)) e[k] = t('validation.integer', { label })
  }
  const ok = (k: FigureKey) => !e[k]
  if (ok('crop_failed_ha') && ok('crop_affected_ha') && f.crop_failed_ha > f.crop_affected_ha)
    e.crop_failed_ha = t('report.errFailedGtAffected')
  if (ok('agri_loss_yuan') && ok('direct_loss_yuan') && f.agri_loss_yuan > f.direct_loss_yuan)
    e.agri_loss_yuan = t('report.errAgriGtDirect')
  for (const p of ['collapsed', 'severe', 'damaged'] as const) {
    const h = `${p}_households` as FigureKey
    const r = `${p}_rooms` as FigureKey
    if (ok(h) && ok(r) && f[r] < f[h]) e[r] = t('report.errRoomsLtHouseholds')
  }
  if (ok('affected') && f.affected > 0 && f.dead + f.missing + f.injured > f.affected) e.affected = t('report.errAffectedTooSmall')
  // 紧急转移安置 and 需紧急生活救助 are part of 受灾人口 (as the server's relocated_gt_affected / need_relief_gt_affected).
  if (ok('affected') && ok('relocated') && f.relocated > f.affected)
    e.relocated = t('fieldError.relocated_gt_affected', { value: f.relocated, affected: f.affected })
  if (ok('affected') && ok('need_relief') && f.need_relief > f.affected)
    e.need_relief = t('fieldError.need_relief_gt_affected', { value: f.need_relief, affected: f.affected })
  d.casualties.forEach((c, i) => {
    if (!c.name.trim()) e[`casualties[${i}].name`] = t('report.errNameRequired')
    if (!Number.isInteger(Number(c.age)) || Number(c.age) < 0 || Number(c.age) > 150) e[`casualties[${i}].age`] = t('report.errAge')
  })
  d.houses.forEach((h, i) => {
    if (!h.householder.trim()) e[`houses[${i}].householder`] = t('report.errNameRequired')
    if (!Number.isInteger(Number(h.rooms)) || Number(h.rooms) < 1) e[`houses[${i}].rooms`] = t('report.errRooms')
  })
  if (!d.reason.trim()) {
    if (d.supersedes) e.reason = t('report.errReasonCorrection')
    else if (decreasedKeys(prev, f).length) e.reason = t('report.errReasonDecrease')
  }
  return e
}

/** Non-blocking hints: the ledgers against the counts (the server rejects a mismatch). */
export function ledgerHints(d: ReportDraft, t: Translate, referenced?: ReferencedLedger | null): { casualties: string[]; houses: string[] } {
  const f = inputsToFigures(d.figures)
  const people = [...(referenced?.casualties.map((x) => x.row) ?? []), ...d.casualties]
  const homes = [...(referenced?.houses.map((x) => x.row) ?? []), ...d.houses]
  const n = (s: string) => people.filter((c) => c.status === s).length
  const casualties: string[] = []
  if (Number.isFinite(f.dead) && n('dead') !== f.dead) casualties.push(t('report.hintDead', { rows: n('dead'), n: f.dead }))
  if (Number.isFinite(f.missing) && n('missing') !== f.missing)
    casualties.push(t('report.hintMissing', { rows: n('missing'), n: f.missing }))
  const houses: string[] = []
  const h = (s: string) => homes.filter((x) => x.damage === s).length
  if (Number.isFinite(f.collapsed_households) && h('collapsed') !== f.collapsed_households)
    houses.push(t('report.hintCollapsed', { rows: h('collapsed'), n: f.collapsed_households }))
  if (Number.isFinite(f.severe_households) && h('severe') !== f.severe_households)
    houses.push(t('report.hintSevere', { rows: h('severe'), n: f.severe_households }))
  return { casualties, houses }
}

/** Ledger rows another unit lists, with the unit that lists them. */
export interface ReferencedLedger {
  casualties: { unit: string; row: CasualtyRow }[]
  houses: { unit: string; row: HouseRow }[]
}
interface LedgerReport {
  id: number
  level: string
  division: string
  division_name: string
  casualties: CasualtyRow[]
  houses: HouseRow[]
  ledger_refs: number[]
}
const personKey = (c: CasualtyRow) => `${c.name.trim()}\u0000${c.status}\u0000${c.address.trim()}`
const houseKey = (h: HouseRow) => `${h.householder.trim()}\u0000${h.damage}\u0000${h.address.trim()}`

/**
 * The reports whose ledgers a new report of this unit references instead of
 * repeating them: a county its townships' latest reports, a city its counties'
 * (and the townships of a county that has not reported). Mirrors the server's
 * `reports::ledgers::refs_for`, which stays the authority.
 */
export function ledgerRefs<R extends LedgerReport>(reports: R[], level: string, division: string): number[] {
  const child = level === 'county' ? 'township' : level === 'city' ? 'county' : null
  if (!child) return []
  const prefix = division.slice(0, level === 'county' ? 6 : 4)
  const latest = (lvl: string) => {
    const by = new Map<string, R>()
    for (const r of [...reports].sort((a, b) => a.id - b.id)) if (r.level === lvl && r.division.startsWith(prefix)) by.set(r.division, r)
    return by
  }
  const children = latest(child)
  const ids = [...children.values()].map((r) => r.id)
  if (level === 'city') {
    const reported = new Set([...children.keys()].map((d) => d.slice(0, 6)))
    for (const [d, r] of latest('township')) if (!reported.has(d.slice(0, 6))) ids.push(r.id)
  }
  return ids.sort((a, b) => a - b)
}

/** The rows the referenced reports list (each once, by the unit that collected it). */
export function referencedLedger<R extends LedgerReport>(reports: R[], refs: number[]): ReferencedLedger {
  const out: ReferencedLedger = { casualties: [], houses: [] }
  for (const id of refs) {
    const r = reports.find((x) => x.id === id)
    if (!r) continue
    const deeper = referencedLedger(reports, r.ledger_refs ?? [])
    const people = new Set(deeper.casualties.map((x) => personKey(x.row)))
    const homes = new Set(deeper.houses.map((x) => houseKey(x.row)))
    out.casualties.push(...r.casualties.filter((c) => !people.has(personKey(c))).map((row) => ({ unit: r.division_name, row })), ...deeper.casualties)
    out.houses.push(...r.houses.filter((h) => !homes.has(houseKey(h))).map((row) => ({ unit: r.division_name, row })), ...deeper.houses)
  }
  return out
}

/** Server 422 errors by field (several messages for one field are joined). */

export function isTownship(code: string): boolean {
  return /^\d{12}$/.test(code) && code.slice(6, 9) !== '000' && code.slice(9) === '000'
}
export function countyOf(code: string): string {
  return `${code.slice(0, 6)}000000`
}
export function cityOf(code: string): string {
  return `${code.slice(0, 4)}00000000`
}
export function countiesOf(townships: string[]): string[] {
  return [...new Set(townships.map(countyOf))].sort()
}

/** The latest report of one unit (level + division), or null. */
export function latestReport<R extends { level: string; division: string; id: number }>(reports: R[], level: string, division: string): R | null {
  let best: R | null = null
  for (const r of reports) if (r.level === level && r.division === division && (!best || r.id > best.id)) best = r
  return best
}

/** Step label in the UI language (the server gives it in Chinese only). */
export function stepLabel(s: Pick<StepStatus, 'key' | 'label_zh'>): string {
  const t = (k: string, n?: Record<string, unknown>) => (n ? i18n.global.t(k, n) : i18n.global.t(k))
  const k = s.key
  let m: RegExpMatchArray | null
  if ((m = k.match(/^(\d{12}):initial$/))) return isTownship(m[1]) ? t('step.townshipInitial') : t('step.countyInitial')
  if (/^\d{12}:direct$/.test(k)) return t('step.direct')
  if (/^\d{12}:final$/.test(k)) return t('step.countyFinal')
  if ((m = k.match(/^\d{12}:followup:(.+)$/))) return s.label_zh.includes('旱') ? t('step.droughtFollowup', { day: m[1] }) : t('step.countyFollowup', { day: m[1] })
  if (k === 'forward') return t('step.forward')
  if ((m = k.match(/^followup-city:(.+)$/))) return t('step.cityFollowup', { day: m[1] })
  if (k === 'report:county') return t('step.accidentUnit')
  if (k === 'phone:province') return t('step.provincePhone')
  if (k === 'phone:province:city') return t('step.provincePhoneCity')
  if ((m = k.match(/^followup:(\d{4}-\d{2}-\d{2})$/))) return t('step.accidentFollowup', { day: m[1] })
  if ((m = k.match(/^followup:(\d{4}-\d{2}-\d{2}):(\d)$/))) return t('step.accidentFollowupN', { day: m[1], n: m[2] })
  if (/^change:\d+$/.test(k)) return t('step.casualtyChange')
  if (k === 'sector:county') return t('step.sectorUnit')
  if ((m = k.match(/^sector:(\w+)$/))) return t('step.sectorForward', { level: levelLabel(m[1]) })
  if ((m = k.match(/^duty:(\w+):(phone|written)$/))) {
    const office = i18n.global.te(`accident.dutyOffices.${m[1]}`) ? t(`accident.dutyOffices.${m[1]}`) : m[1]
    return t('step.duty', { mode: t(`accident.dutyModes.${m[2]}`), office })
  }
  if ((m = k.match(/^report:(\w+)$/))) return t('step.accidentForward', { level: levelLabel(m[1]) })
  if (k === 'supplement-window') {
    const days = s.label_zh.match(/(\d+)\s*日/)?.[1] ?? ''
    return t('step.supplementWindow', { days })
  }
  if ((m = k.match(/^notify:(\w+):(\w+)$/))) return t('step.notify', { level: levelLabel(m[1]), party: i18n.global.t(`accident.parties.${m[2]}`) })
  if (k === 'investigation') return t('step.investigation')
  if (k === 'reply') return t('step.reply')
  return s.label_zh
}

export function levelLabel(l: string): string {
  const sector = l.match(/^sector:(\w+)$/)
  if (sector) return i18n.global.t('level.sector', { level: levelLabel(sector[1]) })
  const key = `level.${l}`
  return i18n.global.te(key) ? i18n.global.t(key) : l
}
export function enumLabel(group: string, v: string | null | undefined): string {
  if (!v) return ''
  const key = `${group}.${v}`
  return i18n.global.te(key) ? i18n.global.t(key) : v
}

/** Who may write what (mirrors the server's authorize()). */
export function canWriteDisasters(me: Me | null): boolean {
  return !!me && ['admin', 'commander', 'operator'].includes(me.role)
}
export function canSubmitReports(me: Me | null): boolean {
  return !!me && ['admin', 'commander', 'operator', 'reporter'].includes(me.role)
}
export function canImportStatistics(me: Me | null): boolean {
  return !!me && ['admin', 'commander'].includes(me.role)
}
export function seesReports(me: Me | null): boolean {
  return !!me && me.role !== 'enterprise'
}

/** Number formatting for figures (up to 2 decimals, no trailing zeros). */
export function fmtNum(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–'
  return Number(v.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits })
}
