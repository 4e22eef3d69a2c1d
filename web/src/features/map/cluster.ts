// A small grid clusterer for the map's point layers: points (in screen
// pixels at the current zoom) that fall in the same square cell of `cell`
// pixels become one cluster drawn at their mean position with their count.
// Deterministic (cells in first-seen order, ids in input order), O(n).

export interface GridPoint {
  id: number
  x: number
  y: number
}

export interface Cluster {
  ids: number[]
  x: number
  y: number
}

export function gridCluster(points: GridPoint[], cell: number): Cluster[] {
  if (!(cell > 0)) return points.map((p) => ({ ids: [p.id], x: p.x, y: p.y }))
  const cells = new Map<string, { ids: number[]; sx: number; sy: number }>()
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue
    const key = `${Math.floor(p.x / cell)}:${Math.floor(p.y / cell)}`
    const c = cells.get(key)
    if (c) {
      c.ids.push(p.id)
      c.sx += p.x
      c.sy += p.y
    } else cells.set(key, { ids: [p.id], sx: p.x, sy: p.y })
  }
  return [...cells.values()].map((c) => ({ ids: c.ids, x: c.sx / c.ids.length, y: c.sy / c.ids.length }))
}

/** Below this zoom the point layers are clustered; from it on every point is drawn. */
export const CLUSTER_UNTIL_ZOOM = 13
/** The cell size in pixels. */
export const CLUSTER_CELL_PX = 56
