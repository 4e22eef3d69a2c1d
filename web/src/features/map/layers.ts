// Map layers shared by the 一张图, the 态势 home page and the 大屏: active
// incidents by response level, warning areas in their colour, resources
// under way, clustered registry points, the legend, and a notice when tiles
// fail. Leaflet only (no Vue), so every map page draws them the same way.
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'
import './map.css'
import { LEVEL_COLOR, LEVEL_TEXT, NO_LEVEL_COLOR, levelLabel } from '../incidents/incidents'
import { COLOUR_HEX } from '../warnings/warnings'
import type { IncidentSummary, WarningColour, WarningRecord } from '../../api/types'
import { kindSvg, kindSymbol } from './symbols'
import { gridCluster, CLUSTER_CELL_PX, CLUSTER_UNTIL_ZOOM } from './cluster'

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** The incident marker: a disc in the response level's colour with its numeral. */
export function incidentIcon(i: Pick<IncidentSummary, 'id' | 'response_level'>, size = 30): L.DivIcon {
  const lvl = i.response_level
  const color = lvl ? LEVEL_COLOR[lvl] : NO_LEVEL_COLOR
  const text = lvl ? LEVEL_TEXT[lvl] : '#fff'
  const numeral = lvl ? levelLabel(lvl).replace(/级$|^Level /, '') : '!'
  return L.divIcon({
    className: `yj-incident-marker yj-incident-${lvl ?? 'none'}`,
    html: `<span data-testid="marker-incident-${i.id}" data-id="${i.id}" data-level="${esc(lvl ?? '')}" style="background:${color};color:${text};width:${size}px;height:${size}px;line-height:${size - 4}px">${esc(numeral)}</span>`,
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
    popupAnchor: [0, -size / 2],
  })
}

/** A monitoring alarm at its point: a red hexagon with "!", pulsing while
 * nobody has acknowledged it. */
export function alarmIcon(a: { id: number; state: string }, size = 26): L.DivIcon {
  return L.divIcon({
    className: `yj-alarm-marker yj-alarm-${a.state}`,
    html: `<span data-testid="marker-alarm-${a.id}" data-id="${a.id}" data-state="${esc(a.state)}" style="width:${size}px;height:${size}px;line-height:${size}px">!</span>`,
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
  })
}

/** The shapes of a warning's area, in its colour. */
export function warningShapes(w: WarningRecord, fillOpacity = 0.2): L.Layer[] {
  const colour = COLOUR_HEX[w.level as WarningColour] ?? '#6b7280'
  const style = { color: colour, weight: 2, fillColor: colour, fillOpacity, className: `yj-warning-area yj-warning-${w.id}` }
  return [
    ...(w.area.polygons ?? []).map((r) => L.polygon(r.map(([lon, lat]) => [lat, lon] as [number, number]), style)),
    ...(w.area.circles ?? []).map((c) => L.circle([c.lat, c.lon], { ...style, radius: c.radius_m })),
  ]
}

export { inForce, type EnRoute } from './model'
import type { EnRoute } from './model'

/** A resource under way: a dashed line from where it is kept to the incident, its symbol at the start. */
export function enRouteLayers(o: EnRoute, stateText: string): L.Layer[] {
  const out: L.Layer[] = []
  const sym = kindSymbol(o.resource_kind)
  // By road when the server routed it (solid), else the straight line (dashed).
  const line: [number, number][] | null =
    o.route && o.route.length >= 2
      ? o.route.map((p) => [p[1], p[0]] as [number, number])
      : o.from && o.to
        ? [
            [o.from[1], o.from[0]],
            [o.to[1], o.to[0]],
          ]
        : null
  if (line) {
    out.push(
      L.polyline(line, {
        color: sym.color,
        weight: o.route ? 4 : 3,
        dashArray: o.route || o.state === 'arrived' ? undefined : '8 6',
        opacity: 0.9,
        className: o.route ? 'yj-en-route yj-en-route-road' : 'yj-en-route',
      }).bindTooltip(`${esc(o.resource_name)} → ${esc(o.incident_title)} · ${esc(stateText)}`),
    )
  }
  const at = o.state === 'arrived' ? o.to : o.from
  if (at) {
    out.push(
      L.marker([at[1], at[0]], {
        icon: L.divIcon({ className: 'yj-kind-icon', html: kindSvg(o.resource_kind, 26), iconSize: [26, 26], iconAnchor: [13, 13] }),
        title: o.resource_name,
      }).bindTooltip(`${esc(o.resource_name)} · ${esc(stateText)}`),
    )
  }
  return out
}

export interface PointItem {
  id: number
  lat: number
  lon: number
  /** The record's name: the marker's accessible name. */
  name?: string
}

/**
 * Draw a kind's points into `group`: each point its symbol, or — below
 * CLUSTER_UNTIL_ZOOM — points close on screen as one bubble with their
 * count that zooms in on click. `each` decorates a single point's marker.
 * Returns the number of bubbles drawn.
 */
export function drawClustered(
  map: L.Map,
  group: L.LayerGroup,
  kind: string,
  items: PointItem[],
  each: (m: L.Marker, item: PointItem) => void,
): number {
  group.clearLayers()
  const byId = new Map(items.map((x) => [x.id, x]))
  const cluster = map.getZoom() < CLUSTER_UNTIL_ZOOM
  const groups = cluster
    ? gridCluster(
        items.map((x) => {
          const p = map.latLngToLayerPoint([x.lat, x.lon])
          return { id: x.id, x: p.x, y: p.y }
        }),
        CLUSTER_CELL_PX,
      )
    : items.map((x) => ({ ids: [x.id], x: 0, y: 0 }))
  const sym = kindSymbol(kind)
  let bubbles = 0
  for (const c of groups) {
    if (c.ids.length === 1) {
      const it = byId.get(c.ids[0])!
      const m = L.marker([it.lat, it.lon], {
        icon: L.divIcon({ className: 'yj-kind-icon', html: kindSvg(kind, 22, it.id), iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10] }),
        riseOnHover: true,
        title: it.name ?? '',
        alt: it.name ?? '',
      })
      each(m, it)
      m.addTo(group)
      continue
    }
    bubbles++
    const members = c.ids.map((id) => byId.get(id)!)
    const bounds = L.latLngBounds(members.map((m) => [m.lat, m.lon] as [number, number]))
    const n = c.ids.length
    const size = n < 10 ? 30 : n < 100 ? 36 : 44
    const b = L.marker(bounds.getCenter(), {
      icon: L.divIcon({
        className: 'yj-cluster',
        html: `<span data-testid="cluster-${esc(kind)}" data-count="${n}" style="--yj-c:${sym.color};width:${size}px;height:${size}px;line-height:${size}px">${kindSvg(kind, 14)}<b>${n}</b></span>`,
        iconSize: [size, size],
        iconAnchor: [size / 2, size / 2],
      }),
      title: String(n),
    })
    // Into the bubble, and at least to where points stand alone.
    b.on('click', () => {
      map.fitBounds(bounds.pad(0.3), { maxZoom: CLUSTER_UNTIL_ZOOM + 1, animate: false })
      if (map.getZoom() < CLUSTER_UNTIL_ZOOM) map.setZoom(CLUSTER_UNTIL_ZOOM)
    })
    b.addTo(group)
  }
  return bubbles
}

export interface LegendEntry {
  html: string
  text: string
}

/** The legend control: symbols with their words (bottom left). */
export function legendControl(sections: { title: string; entries: LegendEntry[] }[]): L.Control {
  const C = L.Control.extend({
    onAdd() {
      const div = L.DomUtil.create('div', 'yj-legend')
      div.setAttribute('data-testid', 'map-legend')
      div.setAttribute('role', 'region')
      // It scrolls when long: keyboard users reach it too.
      div.tabIndex = 0
      div.innerHTML = sections
        .map(
          (s) =>
            `<div class="yj-legend-title">${esc(s.title)}</div>` +
            s.entries.map((e) => `<div class="yj-legend-row">${e.html}<span>${esc(e.text)}</span></div>`).join(''),
        )
        .join('')
      L.DomEvent.disableClickPropagation(div)
      L.DomEvent.disableScrollPropagation(div)
      return div
    },
  })
  return new C({ position: 'bottomleft' })
}

export function swatch(color: string, round = true): string {
  return `<i class="yj-swatch" style="background:${color};border-radius:${round ? '50%' : '3px'}"></i>`
}

/** Count a tile layer's failures; `onChange(failed, loaded)` after each tile. */
export function watchTiles(layer: L.TileLayer, onChange: (failed: number, loaded: number) => void) {
  let failed = 0
  let loaded = 0
  layer.on('tileerror', () => onChange(++failed, loaded))
  layer.on('tileload', () => onChange(failed, ++loaded))
}
