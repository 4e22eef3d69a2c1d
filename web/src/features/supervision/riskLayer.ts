// 四色图 on the one map: each enterprise with assessed risk points as a disc
// in the colour of its highest risk (红橙黄蓝), the most dangerous drawn on
// top, with its points by level in the popup. Leaflet only (no Vue).
import L from 'leaflet'
import { API, request } from '../../api'
import type { RiskMap, RiskMapPoint } from '../../api/types'
import { esc, swatch } from '../map/layers'
import { RISK_COLOUR, riskLevelLabel, RISK_LEVELS } from './supervision'

export const RISK_MAP_COLOURS = ['red', 'orange', 'yellow', 'blue'] as const

/** The legend rows of the layer: one per colour with its level's name. */
export function riskLegend(): { html: string; text: string }[] {
  return RISK_MAP_COLOURS.map((c, i) => ({ html: swatch(RISK_COLOUR[c]), text: riskLevelLabel(RISK_LEVELS[i]) }))
}

function popup(p: RiskMapPoint, title: string, pointsLabel: string): string {
  const rows = RISK_LEVELS.map((l, i) => `<tr><td>${swatch(RISK_COLOUR[RISK_MAP_COLOURS[i]])} ${esc(riskLevelLabel(l))}</td><td>${p.points[i]}</td></tr>`).join('')
  return (
    `<div class="yj-popup" data-testid="risk-popup-${p.enterprise_id}"><h4>${esc(p.name)}</h4>` +
    `<div style="color:#6b7280;font-size:12px;margin-bottom:4px">${esc(title)} · ${esc(riskLevelLabel(p.level))}</div>` +
    `<div style="font-size:12px">${esc(pointsLabel)}</div><table>${rows}</table>` +
    `<a class="yj-popup-open" href="/supervision/risk-points?enterprise_id=${p.enterprise_id}">${esc(pointsLabel)} →</a></div>`
  )
}

/** Redraw `group` with the four-colour map of the user's jurisdiction;
 * returns the map (the ids drawn and the counts by colour). */
export async function loadRiskMap(group: L.LayerGroup, title: string, pointsLabel: string): Promise<RiskMap> {
  const m = await request<RiskMap>('GET', `${API}/supervision/risk-map`)
  group.clearLayers()
  for (const p of m.items) {
    const colour = RISK_COLOUR[p.colour] ?? '#6b7280'
    L.circleMarker([p.lat, p.lon], {
      radius: 8,
      color: '#fff',
      weight: 2,
      fillColor: colour,
      fillOpacity: 0.95,
      className: `yj-risk yj-risk-${p.colour} yj-risk-e${p.enterprise_id}`,
    })
      .bindTooltip(`${esc(p.name)} · ${esc(riskLevelLabel(p.level))}`)
      .bindPopup(popup(p, title, pointsLabel), { minWidth: 200 })
      .addTo(group)
  }
  return m
}
