// Leaflet-free pieces of the map layers (usable in tests and stores).
import type { WarningRecord } from '../../api/types'

/** A warning in force: the server's `in_force` when it answered, and not
 * expired since (a page stays open past a warning's end). */
export function inForce(w: WarningRecord, now = Date.now()): boolean {
  return w.in_force && new Date(w.expires_at).getTime() > now
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

