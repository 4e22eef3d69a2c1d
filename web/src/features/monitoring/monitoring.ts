// 监测预警 helpers: the module's API calls (types generated from the
// OpenAPI document), labels and tag colours. What a user may do with an
// alarm is the server's answer (`allowed_events`).
import { API, qs, request } from '../../api'
import type { components } from '../../api/schema'
import { i18n } from '../../i18n'
import { canWriteIncidents } from '../incidents/incidents'

type S = components['schemas']
export type SensorView = S['SensorView']
export type AlarmView = S['AlarmView']
export type Series = S['SensorSeries']
export type Device = S['Device']
export type AlarmCommand = S['AlarmCommand']
export type RuleSet = S['RuleSet']
export type RulePreview = S['RulePreview']
export type DeviceCreated = S['DeviceCreated']
export type SensorBody = S['SensorBody']

/** Who may edit devices, sensors and rules (the server decides; this hides buttons). */
export const canWriteMonitoring = canWriteIncidents

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'
const t = (k: string, p?: Record<string, unknown>) => (p ? i18n.global.t(k, p) : i18n.global.t(k))
const has = (k: string) => i18n.global.te(k)
const label = (ns: string, v: string | null | undefined) =>
  v ? (has(`monitoring.${ns}.${v}`) ? t(`monitoring.${ns}.${v}`) : v) : '—'

export const kindLabel = (k: string | null | undefined) => label('kindLabel', k)
export const statusLabel = (s: string) => label('statusLabel', s)
export const ruleLabel = (r: string) => label('ruleLabel', r)
export const alarmStateLabel = (s: string) => label('stateLabel', s)

export const STATUS_TAG: Record<string, TagType> = {
  normal: 'success',
  alarm: 'danger',
  silent: 'warning',
  no_data: 'info',
}
export const ALARM_STATE_TAG: Record<string, TagType> = {
  raised: 'danger',
  acknowledged: 'warning',
  resolved: 'success',
  false_alarm: 'info',
}

export const monitoringApi = {
  sensors: () => request<SensorView[]>('GET', `${API}/monitoring/sensors`),
  sensor: (id: number | string) => request<SensorView>('GET', `${API}/monitoring/sensors/${encodeURIComponent(String(id))}`),
  series: (id: number | string, from: string, to?: string) =>
    request<Series>('GET', `${API}/monitoring/sensors/${encodeURIComponent(String(id))}/series${qs({ from, to })}`),
  devices: () => request<Device[]>('GET', `${API}/monitoring/devices`),
  createDevice: (name: string, division: string) =>
    request<DeviceCreated>('POST', `${API}/monitoring/devices`, { name, division }),
  editDevice: (id: number, version: number, name: string) =>
    request<Device>('PUT', `${API}/monitoring/devices/${id}`, { version, name }),
  rotateToken: (id: number, version: number) =>
    request<DeviceCreated>('POST', `${API}/monitoring/devices/${id}/token`, { version }),
  createSensor: (b: SensorBody) => request<SensorView>('POST', `${API}/monitoring/sensors`, b),
  editSensor: (id: number, b: SensorBody) => request<SensorView>('PUT', `${API}/monitoring/sensors/${id}`, b),
  preview: (id: number, rules: RuleSet, hours = 24) =>
    request<RulePreview>('POST', `${API}/monitoring/sensors/${id}/preview`, { rules, hours }),
  alarms: (p: { active?: boolean; sensor_id?: number } = {}) =>
    request<AlarmView[]>('GET', `${API}/monitoring/alarms${qs({ active: p.active || undefined, sensor_id: p.sensor_id })}`),
  alarm: (id: number | string) => request<AlarmView>('GET', `${API}/monitoring/alarms/${encodeURIComponent(String(id))}`),
  alarmEvent: (id: number, version: number, command: AlarmCommand) =>
    request<AlarmView>('POST', `${API}/monitoring/alarms/${id}/events`, { version, ...command }),
  openIncident: (id: number, version: number) =>
    request<{ incident_id: number; alarm: AlarmView }>('POST', `${API}/monitoring/alarms/${id}/incident`, { version }),
}

/**
 * The alarms the duty room must hear now: those raised (not yet
 * acknowledged) that were not in `seen`, oldest first; `seen` is updated to
 * hold every raised alarm of `alarms`. The first look (`seen` empty and
 * `first`) marks what is there as seen without sounding, so opening a page
 * does not ring for alarms already on the board.
 */
export function newlyRaised(seen: Set<number>, alarms: Pick<AlarmView, 'id' | 'state'>[], first = false): number[] {
  const raised = alarms.filter((a) => a.state === 'raised').map((a) => a.id)
  const fresh = first ? [] : raised.filter((id) => !seen.has(id))
  for (const id of raised) seen.add(id)
  return fresh.sort((a, b) => a - b)
}

/** The line a warning drafted from an alarm carries in its description. */
export function alarmFacts(a: Pick<AlarmView, 'point_name' | 'sensor_name' | 'message' | 'raised_at'>, at: string): string {
  return t('monitoring.alarmFacts', { point: a.point_name, sensor: a.sensor_name, message: a.message, at })
}

/** The rule editor's values: empty fields are `null` (no such rule). */
export interface RuleForm {
  high: number | null
  low: number | null
  hysteresis: number | null
  minDuration: number | null
  rate: number | null
  silence: number | null
  combination: { sensor: string; at_least: number | null; at_most: number | null }[]
  maxAge: number | null
}

const num = (v: number | null | undefined) => (v == null || Number.isNaN(v) ? null : v)

/** A sensor's own rules (its overrides) as the editor's values. */
export function ruleForm(r: RuleSet | null | undefined): RuleForm {
  return {
    high: num(r?.threshold?.high),
    low: num(r?.threshold?.low),
    hysteresis: num(r?.threshold?.hysteresis),
    minDuration: num(r?.threshold?.min_duration_secs),
    rate: num(r?.rate?.max_per_minute),
    silence: num(r?.silence?.intervals),
    combination: (r?.combination?.all ?? []).map((c) => ({
      sensor: c.sensor ?? '',
      at_least: num(c.at_least),
      at_most: num(c.at_most),
    })),
    maxAge: num(r?.combination?.max_age_secs),
  }
}

/**
 * The editor's values as the rules sent (`RuleSet`): a rule is present only
 * when one of its values is given; what the server checks (a condition
 * without limits, a missing own condition) is left to its field errors.
 */
export function ruleSet(f: RuleForm): RuleSet {
  const out: RuleSet = {}
  if (f.high != null || f.low != null) {
    out.threshold = {
      high: f.high,
      low: f.low,
      hysteresis: f.hysteresis ?? 0,
      min_duration_secs: f.minDuration ?? 0,
    }
  }
  if (f.rate != null) out.rate = { max_per_minute: f.rate }
  if (f.silence != null) out.silence = { intervals: f.silence }
  if (f.combination.length) {
    out.combination = {
      all: f.combination.map((c) => ({ sensor: c.sensor, at_least: c.at_least, at_most: c.at_most })),
      max_age_secs: f.maxAge ?? 600,
    }
  }
  return out
}
