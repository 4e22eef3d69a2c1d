// The offline base map every map page shares: the configured tile layer (if
// any) under the division boundaries of the user's jurisdiction, fitted to
// them. Pages add their own layers on top.
import L from 'leaflet'
import 'leaflet/dist/leaflet.css'
import { api } from '../api'
import type { MapConfig } from '../api/types'

export interface BaseMap {
  map: L.Map
  boundaries: L.GeoJSON | null
  config: MapConfig
}

/** Village names are shown from this zoom on (below, they would cover the map). */
export const VILLAGE_LABEL_ZOOM = 12

/**
 * The offline context under every map when no tile server is configured:
 * the road graph's roads (the demo: Datong's main roads) and, zoomed in,
 * the names of the villages in view (the 居民点 registry, as the reader may
 * read it). With tiles, the tiles carry both. Returns a cleanup function.
 */
export function addOfflineContext(map: L.Map, config: MapConfig, opts: { dark?: boolean } = {}): () => void {
  if (config.tile_url) return () => {}
  const pane = map.createPane('yj-context')
  pane.style.zIndex = '350'
  pane.style.pointerEvents = 'none'
  const roads = L.layerGroup().addTo(map)
  const names = L.layerGroup().addTo(map)
  api
    .mapRoads()
    .then((r) => {
      if (!r.lines.length) return
      const latlngs = r.lines.map((l) => l.map(([lon, lat]) => [lat, lon] as [number, number]))
      const renderer = L.canvas({ pane: 'yj-context' })
      L.polyline(latlngs, { pane: 'yj-context', renderer, color: opts.dark ? '#5b6b80' : '#ffffff', weight: 4, opacity: 0.9, interactive: false }).addTo(roads)
      L.polyline(latlngs, { pane: 'yj-context', renderer, color: opts.dark ? '#8a99ad' : '#c9a86a', weight: 2, opacity: 0.95, interactive: false, className: 'yj-road' }).addTo(roads)
      ;(map.getContainer() as HTMLElement).dataset.roads = String(r.lines.length)
    })
    .catch(() => undefined)
  let seq = 0
  async function loadNames() {
    const mine = ++seq
    if (map.getZoom() < VILLAGE_LABEL_ZOOM) {
      names.clearLayers()
      ;(map.getContainer() as HTMLElement).dataset.villageNames = '0'
      return
    }
    const b = map.getBounds().pad(0.1)
    const r = (x: number) => Math.round(x * 1e5) / 1e5
    try {
      const fc = await api.layer('settlement', { bbox: [r(b.getWest()), r(b.getSouth()), r(b.getEast()), r(b.getNorth())].join(',') })
      if (mine !== seq) return
      names.clearLayers()
      for (const f of fc.features) {
        const [lon, lat] = f.geometry.coordinates
        L.marker([lat, lon], {
          pane: 'yj-context',
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: 'yj-village-name', html: `<span>${String(f.properties.name).replace(/[<>&]/g, '')}</span>`, iconSize: [0, 0] }),
        }).addTo(names)
      }
      ;(map.getContainer() as HTMLElement).dataset.villageNames = String(fc.features.length)
    } catch {
      /* names are context; the map works without them */
    }
  }
  map.on('moveend', loadNames)
  loadNames()
  return () => {
    map.off('moveend', loadNames)
    roads.remove()
    names.remove()
  }
}

const svgIcon = (d: string) =>
  `<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" style="vertical-align:middle"><path d="${d}" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>`
const ENTER_ICON = svgIcon('M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5')
const EXIT_ICON = svgIcon('M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5')

/** A fullscreen button (top left, under the zoom): the map's container fills the screen (Esc leaves). */
export function fullscreenControl(map: L.Map, labels: { enter: string; exit: string }): L.Control {
  const Ctl = L.Control.extend({
    onAdd() {
      const bar = L.DomUtil.create('div', 'leaflet-bar yj-fullscreen')
      const a = L.DomUtil.create('a', '', bar) as HTMLAnchorElement
      a.href = '#'
      a.setAttribute('role', 'button')
      a.dataset.testid = 'map-fullscreen'
      const container = map.getContainer()
      const sync = () => {
        const on = document.fullscreenElement === container
        a.title = on ? labels.exit : labels.enter
        a.setAttribute('aria-label', a.title)
        // Drawn, not a font glyph (not every font has ⛶).
        a.innerHTML = on ? EXIT_ICON : ENTER_ICON
        container.classList.toggle('yj-map-fullscreen', on)
        map.invalidateSize()
      }
      sync()
      L.DomEvent.on(a, 'click', (ev) => {
        L.DomEvent.preventDefault(ev)
        L.DomEvent.stopPropagation(ev)
        if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined)
        else container.requestFullscreen?.().catch(() => undefined)
      })
      document.addEventListener('fullscreenchange', sync)
      map.on('unload', () => document.removeEventListener('fullscreenchange', sync))
      return bar
    },
  })
  return new Ctl({ position: 'topleft' }).addTo(map)
}

export async function createBaseMap(el: HTMLElement, opts: { fit?: boolean; fillOpacity?: number; dark?: boolean } = {}): Promise<BaseMap> {
  let config: MapConfig = { tile_url: null, tile_attribution: null, center: [113.3, 40.08], zoom: 8, roads_main_only: false, roads_attribution: null }
  try {
    config = await api.mapConfig()
  } catch {
    /* keep defaults */
  }
  const map = L.map(el, { zoomControl: true, attributionControl: true, minZoom: 3, maxZoom: 18, zoomSnap: 0.25, zoomDelta: 0.5 })
  map.setView([config.center[1], config.center[0]], config.zoom)
  if (config.tile_url) L.tileLayer(config.tile_url, { attribution: config.tile_attribution ?? '', maxZoom: 18 }).addTo(map)
  // the road data's licence (ODbL: © OpenStreetMap contributors) wherever routes are drawn
  if (config.roads_attribution) map.attributionControl.addAttribution(config.roads_attribution.replace(/[<>&]/g, ''))
  let boundaries: L.GeoJSON | null = null
  try {
    const fc = await api.boundaries()
    const fill = opts.fillOpacity ?? (config.tile_url ? 0.06 : 0.5)
    boundaries = L.geoJSON(fc as GeoJSON.FeatureCollection, {
      style: (f) =>
        f?.properties?.level === 'county'
          ? { color: '#35618f', weight: 1.5, fillColor: '#d9e4f0', fillOpacity: fill, dashArray: '4 3' }
          : { color: '#0f1f33', weight: 2.5, fill: !config.tile_url, fillColor: '#eef3f8', fillOpacity: 0.3 },
      onEachFeature: (f, layer) => {
        if (f.properties?.level === 'county' && f.properties?.name) {
          layer.bindTooltip(String(f.properties.name).replace(/[<>&]/g, ''), {
            permanent: true,
            direction: 'center',
            className: 'yj-division-label',
          })
        }
      },
      interactive: false,
    }).addTo(map)
    boundaries.bringToBack()
    if (opts.fit !== false && boundaries.getLayers().length) {
      map.fitBounds(boundaries.getBounds(), { padding: [10, 10], animate: false })
    }
  } catch {
    /* the page still works without the base map */
  }
  addOfflineContext(map, config, { dark: opts.dark })
  return { map, boundaries, config }
}
