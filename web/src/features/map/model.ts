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
  /** The way by road (`[lon, lat]`), when the server could route it. */
  route?: number[][] | null
  travel_time_s?: number | null
  /** Expected on site (under way only). */
  eta?: string | null
}

/** What a resource under way says on the map: its state, and by road its
 * travel time or its expected arrival. */
export function enRouteText(
  o: Pick<EnRoute, 'state' | 'travel_time_s' | 'eta'>,
  t: (key: string, params?: Record<string, unknown>) => string,
  clock: (iso: string) => string,
): string {
  const parts = [t(`centre.order.${o.state}`)]
  if (o.state !== 'arrived' && o.eta) parts.push(t('centre.etaAt', { at: clock(o.eta) }))
  else if (o.state !== 'arrived' && o.travel_time_s != null) parts.push(t('centre.travelMin', { n: Math.max(1, Math.round(o.travel_time_s / 60)) }))
  return parts.join(' · ')
}

