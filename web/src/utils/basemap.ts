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

export async function createBaseMap(el: HTMLElement, opts: { fit?: boolean; fillOpacity?: number } = {}): Promise<BaseMap> {
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
  return { map, boundaries, config }
}
