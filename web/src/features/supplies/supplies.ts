// 物资 (relief supplies): the API of the catalogue, stock, ledger documents
// and alerts, and their labels. What a user may do with a document is the
// server's answer (`allowed_events`).
import { API, qs, request } from '../../api'
import type { components } from '../../api/schema'
import type { Me } from '../../api/types'
import { i18n } from '../../i18n'

type S = components['schemas']
export type SupplyItem = S['SupplyItem']
export type NewSupplyItem = S['NewSupplyItem']
export type SupplyWarehouse = S['SupplyWarehouse']
export type SupplyStock = S['SupplyStock']
export type SupplyAlert = S['SupplyAlert']
export type SupplyDocView = S['SupplyDocView']
export type SupplyDocDetail = S['SupplyDocDetail']
export type SupplyDocPage = S['SupplyDocPage']
export type NewSupplyDoc = S['NewSupplyDoc']
export type SupplyLineInput = S['SupplyLineInput']
export type SupplyCheckReport = S['SupplyCheckReport']
export type SupplyRequestView = S['SupplyRequestView']
export type SupplyRequestDetail = S['SupplyRequestDetail']
export type SupplyRequestPage = S['SupplyRequestPage']
export type NewSupplyRequest = S['NewSupplyRequest']
export type SupplyProposal = S['SupplyProposal']
export type SupplyAcceptLine = S['SupplyAcceptLine']
export type SupplyShipmentView = S['SupplyShipmentView']
export type SupplyShipmentDetail = S['SupplyShipmentDetail']
export type SupplyShipmentPage = S['SupplyShipmentPage']
export type SupplyShipmentCommand = S['SupplyShipmentCommand']
export type SupplyReceivedLine = S['SupplyReceivedLine']
export type SupplyFlowRow = S['SupplyFlowRow']
export type SupplyCard = S['SupplyCard']
export type SupplyCountImport = S['SupplyCountImport']
export type SupplyDistributionDetail = S['SupplyDistributionDetail']
export type NewSupplyDistribution = S['NewSupplyDistribution']

export const REQUEST_STATES = ['drafted', 'submitted', 'allocated', 'fulfilled', 'cancelled'] as const
export const PLACE_KINDS = ['point', 'shelter', 'division', 'warehouse'] as const
export const REQUEST_TAG: Record<string, 'info' | 'warning' | 'success' | 'danger' | 'primary'> = {
  drafted: 'info',
  submitted: 'warning',
  allocated: 'primary',
  fulfilled: 'success',
  cancelled: 'danger',
}

export const SHIPMENT_STATES = ['planned', 'departed', 'arrived', 'received', 'cancelled'] as const
export const SHIPMENT_TAG: Record<string, 'info' | 'warning' | 'success' | 'danger' | 'primary'> = {
  planned: 'info',
  departed: 'warning',
  arrived: 'primary',
  received: 'success',
  cancelled: 'danger',
}
/** Why less came than was sent. */
export const DIFF_REASONS = ['damaged', 'lost', 'short'] as const

export const DOC_KINDS = ['receipt', 'issue', 'transfer', 'count', 'writeoff'] as const
export const DOC_STATES = ['draft', 'approved', 'posted'] as const
export const REASONS: Record<string, string[]> = {
  receipt: ['purchase', 'donation', 'transfer_in'],
  issue: ['relief', 'transfer_out', 'other'],
  writeoff: ['expired', 'damaged', 'other'],
}

const enc = (id: number | string) => encodeURIComponent(String(id))

export const suppliesApi = {
  items: () => request<SupplyItem[]>('GET', `${API}/supplies/items`),
  createItem: (b: NewSupplyItem) => request<SupplyItem>('POST', `${API}/supplies/items`, b),
  warehouses: () => request<SupplyWarehouse[]>('GET', `${API}/supplies/warehouses`),
  stock: (p: { warehouse_id?: number; item_id?: number; days?: number }) =>
    request<SupplyStock[]>('GET', `${API}/supplies/stock${qs(p)}`),
  alerts: (days: number) => request<SupplyAlert[]>('GET', `${API}/supplies/alerts${qs({ days })}`),
  setMinimum: (b: { warehouse_id: number; item_id: number; min_qty: number }) =>
    request<void>('PUT', `${API}/supplies/minimums`, b),
  documents: (p: { kind?: string; state?: string; warehouse_id?: number; limit?: number; offset?: number }) =>
    request<SupplyDocPage>('GET', `${API}/supplies/documents${qs(p)}`),
  document: (id: number | string) => request<SupplyDocDetail>('GET', `${API}/supplies/documents/${enc(id)}`),
  createDocument: (b: NewSupplyDoc) => request<SupplyDocDetail>('POST', `${API}/supplies/documents`, b),
  step: (id: number, kind: 'approve' | 'post', version: number) =>
    request<SupplyDocDetail>('POST', `${API}/supplies/documents/${enc(id)}/events`, { kind, version }),
  remove: (id: number, version: number) =>
    request<void>('DELETE', `${API}/supplies/documents/${enc(id)}${qs({ version })}`),
  reverse: (id: number) => request<SupplyDocDetail>('POST', `${API}/supplies/documents/${enc(id)}/reverse`, {}),
  check: () => request<SupplyCheckReport>('GET', `${API}/supplies/check`),
  requests: (p: { state?: string; incident_id?: number; limit?: number; offset?: number }) =>
    request<SupplyRequestPage>('GET', `${API}/supplies/requests${qs(p)}`),
  request: (id: number | string) => request<SupplyRequestDetail>('GET', `${API}/supplies/requests/${enc(id)}`),
  createRequest: (b: NewSupplyRequest) => request<SupplyRequestDetail>('POST', `${API}/supplies/requests`, b),
  proposal: (id: number | string) => request<SupplyProposal>('GET', `${API}/supplies/requests/${enc(id)}/proposal`),
  requestStep: (id: number, version: number, kind: string, lines?: SupplyAcceptLine[]) =>
    request<SupplyRequestDetail>(
      'POST',
      `${API}/supplies/requests/${enc(id)}/events`,
      kind === 'accept' ? { kind, version, lines: lines ?? [] } : { kind, version },
    ),
  shipments: (p: { state?: string; request_id?: number; doc_id?: number; limit?: number; offset?: number }) =>
    request<SupplyShipmentPage>('GET', `${API}/supplies/shipments${qs(p)}`),
  shipment: (id: number | string) => request<SupplyShipmentDetail>('GET', `${API}/supplies/shipments/${enc(id)}`),
  createShipment: (b: { doc_id: number; vehicle?: string; carrier?: string; note?: string }) =>
    request<SupplyShipmentDetail>('POST', `${API}/supplies/shipments`, b),
  shipmentStep: (id: number, version: number, command: SupplyShipmentCommand) =>
    request<SupplyShipmentDetail>('POST', `${API}/supplies/shipments/${enc(id)}/events`, { ...command, version }),
  card: (p: { warehouse_id: number; item_id: number; batch_id?: number; from?: string; to?: string }) =>
    request<SupplyCard>('GET', `${API}/supplies/card${qs(p)}`),
  importCount: (file: File | Blob, filename?: string) => {
    const fd = new FormData()
    fd.append('file', file, filename ?? (file as File).name ?? 'count.csv')
    return request<SupplyCountImport>('POST', `${API}/supplies/documents/import`, fd)
  },
  distribution: (id: number | string) =>
    request<SupplyDistributionDetail>('GET', `${API}/supplies/distributions/${enc(id)}`),
  createDistribution: (b: NewSupplyDistribution) =>
    request<SupplyDistributionDetail>('POST', `${API}/supplies/distributions`, b),
  sign: (id: number, household: number, version: number) =>
    request<SupplyDistributionDetail>('POST', `${API}/supplies/distributions/${enc(id)}/sign`, { household, version }),
  distributionExportUrl: (id: number) => `${API}/supplies/distributions/${enc(id)}/export`,
  flow: (incidentId: number) => request<SupplyFlowRow[]>('GET', `${API}/supplies/flow${qs({ incident_id: incidentId })}`),
}

const t = (k: string) => i18n.global.t(k)
const has = (k: string) => i18n.global.te(k)
export const kindLabel = (k: string) => (has(`supplies.kind.${k}`) ? t(`supplies.kind.${k}`) : k)
export const stateLabel = (s: string) => (has(`supplies.state.${s}`) ? t(`supplies.state.${s}`) : s)
export const reasonLabel = (r: string) => (r && has(`supplies.reason.${r}`) ? t(`supplies.reason.${r}`) : r)
export const categoryLabel = (c: string) => (has(`supplies.category.${c}`) ? t(`supplies.category.${c}`) : c)
export const alertLabel = (k: string) => (has(`supplies.alertKind.${k}`) ? t(`supplies.alertKind.${k}`) : k)

export const shipmentStateLabel = (s: string) =>
  has(`supplies.shipmentState.${s}`) ? t(`supplies.shipmentState.${s}`) : s
export const diffReasonLabel = (r: string) => (r && has(`supplies.diffReason.${r}`) ? t(`supplies.diffReason.${r}`) : r)
export const requestStateLabel = (s: string) => (has(`supplies.requestState.${s}`) ? t(`supplies.requestState.${s}`) : s)
/** Travel time in whole minutes, for the proposal table. */
export const minutes = (s: number | null | undefined) =>
  s == null ? '—' : i18n.global.t('supplies.minutes', { n: Math.max(1, Math.round(s / 60)) })

export const STATE_TAG: Record<string, 'info' | 'warning' | 'success'> = {
  draft: 'info',
  approved: 'warning',
  posted: 'success',
}

/** Who may draft documents (the server decides, per warehouse). */
export function canWriteSupplies(me: Me | null): boolean {
  return !!me && ['admin', 'commander', 'operator'].includes(me.role)
}
/** Who keeps the catalogue. */
export function canKeepCatalogue(me: Me | null): boolean {
  return !!me && ['admin', 'commander'].includes(me.role)
}
