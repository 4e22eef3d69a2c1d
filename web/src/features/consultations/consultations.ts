// 调度会商 (/consultations): sessions linked to an incident or a warning,
// invitees from the directory, attendance, agenda, minutes and decisions
// that become instructions of the incident. What a user may do now is the
// server's answer (`allowed_events`).
import { API, qs, request } from '../../api'
import type { components } from '../../api/schema'
import { i18n } from '../../i18n'

type S = components['schemas']
export type Consultation = S['ConsultationView']
export type ConsultationDetail = S['ConsultationDetail']
export type ConsultationPage = S['ConsultationPage']
export type NewConsultation = S['NewConsultation']
export type ConsultationCommand = S['ConsultationCommand']
export type ConsultationInvitee = S['ConsultationInvitee']
export type DecisionView = S['DecisionView']
export type Attendance = S['Attendance']

export const STATES = ['scheduled', 'in_session', 'closed', 'cancelled'] as const
export const ATTENDANCE: Attendance[] = ['present', 'absent', 'excused', 'invited']

const enc = (id: number | string) => encodeURIComponent(String(id))

export const consultationsApi = {
  list: (p: { state?: string; incident_id?: number; warning_id?: number; limit?: number; offset?: number } = {}) =>
    request<ConsultationPage>('GET', `${API}/consultations${qs(p)}`),
  get: (id: number | string) => request<ConsultationDetail>('GET', `${API}/consultations/${enc(id)}`),
  create: (b: NewConsultation) => request<ConsultationDetail>('POST', `${API}/consultations`, b),
  step: (id: number, version: number, command: ConsultationCommand) =>
    request<ConsultationDetail>('POST', `${API}/consultations/${enc(id)}/events`, { version, ...command }),
  toInstruction: (id: number, decisionId: number, version: number) =>
    request<ConsultationDetail>('POST', `${API}/consultations/${enc(id)}/decisions/${enc(decisionId)}/instruction`, { version }),
  docxUrl: (id: number) => `${API}/consultations/${enc(id)}/minutes.docx`,
}

const t = (k: string, p?: Record<string, unknown>) => (p ? i18n.global.t(k, p) : i18n.global.t(k))

export const stateLabel = (s: string) => t(`consultations.state_${s}`)
export const attendanceLabel = (a: string) => t(`consultations.${a}`)
export const STATE_TAG: Record<string, 'primary' | 'success' | 'info' | 'warning' | 'danger'> = {
  scheduled: 'primary',
  in_session: 'danger',
  closed: 'success',
  cancelled: 'info',
}

/** The attendance counts of a session's invitees. */
export function counts(invitees: ConsultationInvitee[]): Record<Attendance, number> {
  const c: Record<Attendance, number> = { invited: 0, present: 0, absent: 0, excused: 0 }
  for (const i of invitees) c[i.attendance] += 1
  return c
}
