// The situation (态势) a command centre lives by, loaded once for the home
// page and the wall display (大屏): active incidents, warnings in force,
// resources under way, today's duty, the attention list and the plan's
// indicators — kept live through the journal feed (composables/useLiveFeed:
// reloaded on every change that concerns it and on every reconnection) and
// by a slow timer (the rescue clocks count between changes). A panel shows
// when its data is stale: the feed is down, or the last successful load is
// older than STALE_AFTER_MS.
import { computed, onBeforeUnmount, onMounted, ref, shallowRef } from 'vue'
import { api, API, request } from '../../api'
import type { Attention, IncidentSummary, IndicatorDashboard, OnDutyNow, WarningRecord } from '../../api/types'
import { useLiveFeed } from '../../composables/useLiveFeed'
import { inForce, type EnRoute } from '../map/model'
import { monitoringApi, type AlarmView } from '../monitoring/monitoring'

export const STALE_AFTER_MS = 120_000
export const REFRESH_MS = 60_000

/** Whether what is shown may be out of date (pure, for tests). */
export function isStale(connected: boolean, updatedAt: number | null, now: number, maxAgeMs = STALE_AFTER_MS): boolean {
  if (updatedAt === null) return false // nothing shown yet: loading, not stale
  return !connected || now - updatedAt > maxAgeMs
}

/** The journal modules whose entries change the situation. */
export const SITUATION_MODULES = new Set(['incidents', 'warnings', 'duty', 'upstream', 'plans', 'reports'])

/** Whether a journal entry changes the situation (monitoring: alarms only,
 * not the readings' batches). */
export function concernsSituation(e: { module: string; entity?: string | null }): boolean {
  return SITUATION_MODULES.has(e.module) || (e.module === 'monitoring' && e.entity === 'alarm')
}

/** Debounce (trailing). */
function debounce(fn: () => void, ms: number) {
  let h: ReturnType<typeof setTimeout> | undefined
  return () => {
    clearTimeout(h)
    h = setTimeout(fn, ms)
  }
}

export interface SituationCounts {
  incidents: number
  responding: number
  warnings: number
  enRoute: number
  attention: number
  indicatorsMet: number
  indicatorsTotal: number
}

/** How many items the attention list holds, over all its sections. */
export function attentionTotal(a: Attention | null): number {
  return a
    ? a.unverified.length + a.overdue_instructions.length + a.clocks.length + a.awaiting_approval.length + a.plans.length + (a.hazards?.length ?? 0)
    : 0
}

export function countSituation(
  incidents: IncidentSummary[],
  warnings: WarningRecord[],
  enRoute: EnRoute[],
  attention: Attention | null,
  indicators: IndicatorDashboard | null,
  year: number,
): SituationCounts {
  const series = indicators?.series ?? []
  const verdict = (s: (typeof series)[number]) => (s.points.find((p) => p.year === year) ?? s.points[s.points.length - 1])?.verdict
  return {
    incidents: incidents.length,
    responding: incidents.filter((i) => i.state === 'responding').length,
    warnings: warnings.length,
    enRoute: enRoute.length,
    attention: attentionTotal(attention),
    indicatorsMet: series.filter((s) => verdict(s) === 'met').length,
    indicatorsTotal: series.length,
  }
}

export function useSituation(opts: { division?: () => string | null } = {}) {
  const incidents = shallowRef<IncidentSummary[]>([])
  const warnings = shallowRef<WarningRecord[]>([])
  const enRoute = shallowRef<EnRoute[]>([])
  const duty = shallowRef<OnDutyNow | null>(null)
  const attention = shallowRef<Attention | null>(null)
  const indicators = shallowRef<IndicatorDashboard | null>(null)
  /** Active alarms (raised or acknowledged); empty without the right to see them. */
  const alarms = shallowRef<AlarmView[]>([])
  const updatedAt = ref<number | null>(null)
  const failed = ref(false)
  const now = ref(Date.now())
  const year = Number(new Date().toLocaleString('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric' }))
  let seq = 0

  async function load() {
    const mine = ++seq
    const r = await Promise.allSettled([
      api.incidents({ active: true }),
      api.warnings(),
      request<EnRoute[]>('GET', `${API}/situation/en-route`),
      api.onDuty(opts.division?.() ?? null),
      request<Attention>('GET', `${API}/attention`),
      api.indicators({ year }),
      monitoringApi.alarms({ active: true }),
    ])
    if (mine !== seq) return // a newer load answers
    const ok = <T>(x: PromiseSettledResult<T>, set: (v: T) => void) => {
      if (x.status === 'fulfilled') set(x.value)
    }
    ok(r[0], (v) => (incidents.value = v))
    ok(r[1], (v) => (warnings.value = v.filter((w) => inForce(w))))
    ok(r[2], (v) => (enRoute.value = v))
    ok(r[3], (v) => (duty.value = v))
    ok(r[4], (v) => (attention.value = v))
    ok(r[5], (v) => (indicators.value = v))
    ok(r[6], (v) => (alarms.value = v))
    // The core (incidents and warnings) decides whether the picture is current.
    failed.value = r[0].status === 'rejected' && r[1].status === 'rejected'
    if (!failed.value) updatedAt.value = Date.now()
  }
  const reloadSoon = debounce(load, 300)
  const { connected } = useLiveFeed(
    (e) => {
      if (concernsSituation(e)) reloadSoon()
    },
    () => reloadSoon(),
  )
  let refresh: number | undefined
  let tick: number | undefined
  onMounted(() => {
    load()
    refresh = window.setInterval(load, REFRESH_MS)
    tick = window.setInterval(() => (now.value = Date.now()), 1000)
  })
  onBeforeUnmount(() => {
    window.clearInterval(refresh)
    window.clearInterval(tick)
  })
  const stale = computed(() => failed.value || isStale(connected.value, updatedAt.value, now.value))
  const counts = computed(() => countSituation(incidents.value, warnings.value, enRoute.value, attention.value, indicators.value, year))
  return { incidents, warnings, enRoute, duty, attention, indicators, alarms, updatedAt, failed, stale, connected, now, counts, year, load }
}
