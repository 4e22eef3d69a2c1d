// 监督管理 helpers: labels and tag colours of hazard states, grades and risk
// levels. What a user may do is the server's answer (`allowed_events`).
import { i18n } from '../../i18n'
import type { Me } from '../../api/types'

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

const t = (k: string) => i18n.global.t(k)
const has = (k: string) => i18n.global.te(k)

export const HAZARD_STATES = ['reported', 'confirmed', 'rectifying', 'rectified', 'verified', 'closed'] as const
export const HAZARD_GRADES = ['general', 'major'] as const
export const HAZARD_SOURCES = ['self_check', 'routine', 'special', 'seasonal', 'resumption', 'expert', 'public_report'] as const
export const RISK_LEVELS = ['major', 'significant', 'general', 'low'] as const

export function hazardStateLabel(s: string): string {
  return has(`hazardState.${s}`) ? t(`hazardState.${s}`) : s
}
export function hazardGradeLabel(g: string | null | undefined): string {
  return g ? (has(`hazardGrade.${g}`) ? t(`hazardGrade.${g}`) : g) : '—'
}
export function hazardSourceLabel(s: string): string {
  return has(`hazardSource.${s}`) ? t(`hazardSource.${s}`) : s
}
export function hazardEventLabel(k: string): string {
  return has(`hazardEvent.${k}`) ? t(`hazardEvent.${k}`) : k
}
export function riskLevelLabel(l: string | null | undefined): string {
  return l ? (has(`riskLevel.${l}`) ? t(`riskLevel.${l}`) : l) : '—'
}

export const HAZARD_STATE_TAG: Record<string, TagType> = {
  reported: 'warning',
  confirmed: 'warning',
  rectifying: 'primary',
  rectified: 'primary',
  verified: 'success',
  closed: 'info',
}

/** The four colours (红橙黄蓝) as CSS colours. */
export const RISK_COLOUR: Record<string, string> = {
  red: '#d9001b',
  orange: '#f97316',
  yellow: '#eab308',
  blue: '#2563eb',
}

/** Who may report hazards and assess risk points (the server decides). */
export function canReportHazards(me: Me | null): boolean {
  return !!me && ['admin', 'commander', 'operator', 'enterprise'].includes(me.role)
}

// ── 重大危险源, inspections ──
export const MAJOR_GRADES = ['1', '2', '3', '4'] as const
export const INSPECTION_STATES = ['planned', 'in_progress', 'done'] as const

export function majorGradeLabel(g: string | null | undefined): string {
  return g ? (has(`hazardsModule.grade${g}`) ? t(`hazardsModule.grade${g}`) : g) : t('hazardsModule.notMajor')
}
export function inspectionStateLabel(s: string): string {
  return has(`hazardsModule.inspectionState.${s}`) ? t(`hazardsModule.inspectionState.${s}`) : s
}
export const MAJOR_GRADE_TAG: Record<string, TagType> = { '1': 'danger', '2': 'warning', '3': 'primary', '4': 'info' }
export const INSPECTION_STATE_TAG: Record<string, TagType> = { planned: 'info', in_progress: 'warning', done: 'success' }

/** Who inspects and draws (a supervising department's staff; the server decides). */
export function canInspect(me: Me | null): boolean {
  return !!me && ['admin', 'commander', 'operator'].includes(me.role)
}

// ── 检查表 ──
export const CHECK_RESULTS = ['pass', 'fail', 'not_applicable'] as const
export const CHECK_RESULT_TAG: Record<string, TagType> = { pass: 'success', fail: 'danger', not_applicable: 'info' }
