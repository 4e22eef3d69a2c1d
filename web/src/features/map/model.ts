// Leaflet-free pieces of the map layers (usable in tests and stores).
import type { WarningRecord } from '../../api/types'

/** A warning in force: published, not a cancellation, not expired. */
export function inForce(w: WarningRecord, now = Date.now()): boolean {
  if (w.state !== 'published' || w.msg_type === 'Cancel') return false
  const exp = (w as { expires_at?: string | null }).expires_at
  return !exp || new Date(exp).getTime() > now
}

export interface EnRoute {
  order_id: number
  incident_id: number
  incident_title: string
  resource_kind: string
  resource_id: number
  resource_name: string
  state: string
  since: string
  from?: [number, number] | null
  to?: [number, number] | null
}

