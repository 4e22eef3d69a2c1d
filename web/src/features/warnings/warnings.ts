// 预警信息发布 helpers: colours of the four warning levels, where a server
// problem points on the drawn area, coverage shares and their colours, the
// draft's defaults from a template. Pure (tested in tests/warnings.test.ts).
import type { AreaSpec, ProblemError, WarningColour, WarningDraft, WarningTemplate } from '../../api/types'

export const COLOURS: WarningColour[] = ['blue', 'yellow', 'orange', 'red']
/** 蓝 黄 橙 红 (GB/T 35965.1 / the national warning signals). */
export const COLOUR_HEX: Record<WarningColour, string> = {
  blue: '#1565c0',
  yellow: '#f2c200',
  orange: '#ef6c00',
  red: '#c62828',
}
/** Text on the colour: dark on yellow and orange (white on them stays under WCAG AA's 4.5:1). */
export const COLOUR_TEXT: Record<WarningColour, string> = { blue: '#fff', yellow: '#1f2937', orange: '#1f2937', red: '#fff' }

export const STATE_TAG: Record<string, 'success' | 'warning' | 'info' | 'danger' | 'primary'> = {
  draft: 'info',
  submitted: 'warning',
  approved: 'primary',
  published: 'danger',
  superseded: 'info',
  cancelled: 'success',
  expired: 'info',
}

export function emptyArea(): AreaSpec {
  return { polygons: [], circles: [], divisions: [] }
}

export function areaIsEmpty(a: AreaSpec): boolean {
  return !a.polygons.length && !a.circles.length && !a.divisions.length
}

/** The shape a problem field names: `area.polygons[1][2]` → polygon 1, vertex 2. */
export interface Place {
  kind: 'polygon' | 'circle' | 'division' | 'area'
  index: number | null
  vertex: number | null
}
export function placeOf(field: string | undefined): Place | null {
  if (!field) return null
  if (field === 'area') return { kind: 'area', index: null, vertex: null }
  const m = /^area\.(polygons|circles|divisions)(?:\[(\d+)\])?(?:\[(\d+)\])?(?:\.\w+)?$/.exec(field)
  if (!m) return null
  const kind = m[1] === 'polygons' ? 'polygon' : m[1] === 'circles' ? 'circle' : 'division'
  return { kind, index: m[2] !== undefined ? Number(m[2]) : null, vertex: m[3] !== undefined ? Number(m[3]) : null }
}

/** Problems about the area (for the map) and the others by field (for the form). */
export function splitProblems(errors: ProblemError[]): { area: ProblemError[]; byField: Record<string, string> } {
  const area: ProblemError[] = []
  const byField: Record<string, string> = {}
  for (const e of errors) {
    const f = e.field ?? ''
    if (f === 'area' || f.startsWith('area.')) area.push(e)
    else if (!(f in byField)) byField[f] = e.message
  }
  return { area, byField }
}

/** A share as a percentage text (`—` when nothing is targeted). */
export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—'
  return `${(Math.floor(share * 1000) / 10).toFixed(1)}%`
}

/** Map colour of a reached share: red < 50 %, orange < 90 %, green ≥ 90 % (the plan's target), grey for none. */
export function shareColour(share: number | null | undefined, target = 0.9): string {
  if (share === null || share === undefined) return '#9ca3af'
  if (share >= target) return '#15803d'
  if (share >= 0.5) return '#ef6c00'
  return '#c62828'
}

/** The template's default instruction at a level. */
export function defaultInstruction(t: WarningTemplate | undefined, level: WarningColour): string {
  if (!t) return ''
  return t.instructions[COLOURS.indexOf(level)] ?? ''
}

/** Texts prefilled from a template: the headline the server writes by default (发布单位 + 事件 + 颜色 + 预警信号), a description opening, the instruction. */
export interface Prefill {
  headline: string
  description: string
  instruction: string
}
export function prefill(
  issuer: string,
  place: string,
  t: WarningTemplate | undefined,
  level: WarningColour,
  colourZh: string,
): Prefill {
  if (!t) return { headline: '', description: '', instruction: '' }
  return {
    headline: `${issuer}发布${t.event_zh}${colourZh}预警信号`,
    description: `预计${place}将出现${t.event_zh}，达到${colourZh}预警标准。`,
    instruction: defaultInstruction(t, level),
  }
}

/** Move a draft to a new template or level: each text still equal to the old prefill (or empty) follows the new one; edited text stays. */
export function applyPrefill(d: WarningDraft, old: Prefill, next: Prefill): WarningDraft {
  const follow = (cur: string, o: string, n: string) => (!cur.trim() || cur === o ? n : cur)
  return {
    ...d,
    headline: follow(d.headline ?? '', old.headline, next.headline),
    description: follow(d.description, old.description, next.description),
    instruction: follow(d.instruction ?? '', old.instruction, next.instruction),
  }
}

/** A circle's ring (for drawing a circle problem or preview as a polygon), in [lon, lat]. */
export function circleRing(lon: number, lat: number, radiusM: number, n = 48): [number, number][] {
  const out: [number, number][] = []
  const dLat = radiusM / 111_320
  const dLon = radiusM / (111_320 * Math.cos((lat * Math.PI) / 180))
  for (let i = 0; i <= n; i++) {
    const a = (2 * Math.PI * i) / n
    out.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)])
  }
  return out
}

/** Hours from now as an RFC 3339 string (UTC). */
export function hoursFromNow(h: number, now = Date.now()): string {
  return new Date(now + h * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The reason codes a delivery record may carry (`yingji_channels::Reason::CODES`); each has a `warning.result.*` message. */
export const DELIVERY_REASONS = [
  'delivered',
  'http_1xx',
  'http_2xx',
  'http_3xx',
  'http_4xx',
  'http_5xx',
  'http_other',
  'refused_private_address',
  'invalid_recipient',
  'timeout',
  'connect_error',
  'tls_error',
  'request_error',
  'gateway_refused',
  'gateway_busy',
  'gateway_unreadable',
  'smtp_permanent',
  'smtp_transient',
  'mqtt_error',
  'not_configured',
  'message_error',
] as const

/** The `warning.result.*` key of a delivery's reason (`other` for a code this UI does not know), or null before any attempt. */
export function reasonKey(reason: string | null | undefined): string | null {
  if (!reason) return null
  return (DELIVERY_REASONS as readonly string[]).includes(reason) ? reason : 'other'
}

/** The Chinese name of a colour level (蓝色 …), as the signal and the templates write it. */
export const COLOUR_ZH: Record<WarningColour, string> = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' }

/** What the drawn signal writes and how large: the name's size shrinks with its length (and is squeezed past four characters), the English line reads `RAINSTORM · YELLOW` (squeezed when long). */
export function signalText(
  nameZh: string,
  nameEn: string,
  level: WarningColour,
): { nameSize: number; nameFit: boolean; levelZh: string; en: string; enFit: boolean } {
  const n = [...nameZh].length
  const nameSize = n <= 2 ? 36 : n === 3 ? 28 : 22
  const en = `${nameEn.toUpperCase()} · ${level.toUpperCase()}`
  return { nameSize, nameFit: n > 4, levelZh: `${COLOUR_ZH[level]}预警`, en, enFit: en.length > 15 }
}

/** The area's description made from the chosen divisions' names (平城区、云冈区). */
export function areaDescOf(names: string[]): string {
  return names.filter((n) => n.trim()).join('、')
}

/** The description after the chosen areas changed: it follows the names while the user has not typed their own (empty, or still what was derived before). */
export function followAreaDesc(cur: string, before: string, next: string): string {
  return !cur.trim() || cur === before ? next : cur
}

/** Short forms a place may be written as: the name, and without its kind's suffix (云冈区 → 云冈, 西坪镇 → 西坪). */
function nameForms(name: string): string[] {
  const m = /^(.{2,}?)(街道办事处|街道|社区|居委会|村委会|开发区|自治县|镇|乡|村|区|县|市)$/.exec(name)
  return m ? [name, m[1]] : [name]
}

/** Whether a typed description names none of the chosen divisions (a soft warning: it may describe an area the warning does not go to). False when nothing is chosen or nothing typed. */
export function areaDescNamesNone(desc: string, names: string[]): boolean {
  const named = names.filter((n) => n.trim())
  if (!desc.trim() || !named.length) return false
  return !named.some((n) => nameForms(n).some((f) => desc.includes(f)))
}
