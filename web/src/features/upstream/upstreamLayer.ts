// 上级预警 on the one map: the areas of upstream alerts in force (polygons and
// circles), outlined in the colour of their level and dashed, so they are
// not mistaken for our own warnings.
import L from 'leaflet'
import { API, request } from '../../api'

interface Props {
  id: number
  event: string
  level: string | null
  headline: string
  sender_name: string
  expires_at: string | null
  radius_m?: number
}
type Feature = GeoJSON.Feature<GeoJSON.MultiPolygon | GeoJSON.Point, Props>

export const UPSTREAM_COLOR: Record<string, string> = { red: '#d32f2f', orange: '#f57c00', yellow: '#e0b000', blue: '#1e63d6' }

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

/** Redraw `group` with the alerts in force; returns the ids drawn. */
export async function loadUpstream(group: L.LayerGroup, title: string): Promise<number[]> {
  const fc = await request<GeoJSON.FeatureCollection<GeoJSON.MultiPolygon | GeoJSON.Point, Props>>('GET', `${API}/upstream-alerts/layer`)
  group.clearLayers()
  const ids = new Set<number>()
  for (const f of fc.features as Feature[]) {
    const p = f.properties
    const color = UPSTREAM_COLOR[p.level ?? ''] ?? '#6b7280'
    const style = { color, weight: 2, dashArray: '6 4', fillColor: color, fillOpacity: 0.12 }
    const popup = `<h4>${esc(p.headline || p.event)}</h4><div style="color:#6b7280;font-size:12px">${esc(title)} · ${esc(p.sender_name)}</div><a href="/upstream" data-testid="popup-upstream">${esc(title)} →</a>`
    let layer: L.Layer
    if (f.geometry.type === 'Point') {
      const [lon, lat] = f.geometry.coordinates
      layer = L.circle([lat, lon], { ...style, radius: p.radius_m ?? 0 })
    } else {
      layer = L.geoJSON(f as GeoJSON.Feature, { style: () => style })
    }
    ;(layer as L.Path).bindPopup(popup)
    layer.addTo(group)
    ids.add(p.id)
  }
  return [...ids]
}
