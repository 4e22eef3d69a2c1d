// What a commander reads on a map: one SVG symbol per registry kind — a
// shape AND a colour, so the kinds stay apart for colour-blind readers (the
// colours are the Okabe–Ito palette, safe for deuteranopia, protanopia and
// tritanopia: Okabe & Ito, "Color Universal Design", 2008) — the incident
// marker coloured by response level with its numeral, and the warning
// colours. Used by the 一张图, the 态势 home page and the 大屏.

export interface KindSymbol {
  /** Fill colour (Okabe–Ito). */
  color: string
  /** An SVG path in a 24×24 box. */
  path: string
  /** Shape name (for the legend's text alternative and tests). */
  shape: string
}

const SHIELD = 'M12 2 L21 5 V11 C21 16.5 17 20.5 12 22 C7 20.5 3 16.5 3 11 V5 Z'
const CIRCLE = 'M12 3 A9 9 0 1 1 11.99 3 Z'
const SQUARE = 'M4 4 H20 V20 H4 Z'
const HOUSE = 'M12 2.5 L21.5 11 H19 V21 H5 V11 H2.5 Z'
const TRIANGLE = 'M12 2.5 L22 21 H2 Z'
const FACTORY = 'M2.5 21 V9 L8 12.5 V9 L13.5 12.5 V4 H18 V12.5 H21.5 V21 Z'
const DIAMOND = 'M12 2 L22 12 L12 22 L2 12 Z'
const HEXAGON = 'M12 2 L21 7 V17 L12 22 L3 17 V7 Z'
const DOT = 'M12 7 A5 5 0 1 1 11.99 7 Z'

export const KIND_SYMBOL: Record<string, KindSymbol> = {
  team: { color: '#D55E00', path: SHIELD, shape: 'shield' },
  expert: { color: '#CC79A7', path: CIRCLE, shape: 'circle' },
  equipment: { color: '#E69F00', path: SQUARE, shape: 'square' },
  warehouse: { color: '#009E73', path: HOUSE, shape: 'house' },
  shelter: { color: '#0072B2', path: TRIANGLE, shape: 'triangle' },
  enterprise: { color: '#444444', path: FACTORY, shape: 'factory' },
  hazard_source: { color: '#F0E442', path: DIAMOND, shape: 'diamond' },
  monitoring_point: { color: '#56B4E9', path: HEXAGON, shape: 'hexagon' },
  settlement: { color: '#7f7f7f', path: DOT, shape: 'dot' },
  subscriber: { color: '#999999', path: DOT, shape: 'dot' },
}
const FALLBACK: KindSymbol = { color: '#7f7f7f', path: CIRCLE, shape: 'circle' }

export function kindSymbol(kind: string): KindSymbol {
  return KIND_SYMBOL[kind] ?? FALLBACK
}

function attr(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/**
 * The SVG of a kind's symbol, `size` pixels; the path carries the class
 * `yj-marker yj-marker-<kind>` and, with an id, `data-id`/`data-kind`/
 * `data-testid=marker-<kind>-<id>` (what the browser tests look for).
 */
export function kindSvg(kind: string, size = 24, id?: number): string {
  const s = kindSymbol(kind)
  const dark = s.color === '#F0E442'
  const data = id === undefined ? '' : ` data-id="${attr(id)}" data-kind="${attr(kind)}" data-testid="marker-${attr(kind)}-${attr(id)}"`
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 24 24" aria-hidden="true">` +
    `<path class="yj-marker yj-marker-${attr(kind)}"${data} d="${s.path}" fill="${s.color}" stroke="${dark ? '#1f2937' : '#ffffff'}" stroke-width="1.6" stroke-linejoin="round"/>` +
    `</svg>`
  )
}

/** Response levels Ⅰ–Ⅳ: red, orange, yellow, blue (the national convention), none grey. */
export const LEVELS = ['I', 'II', 'III', 'IV'] as const

/** Text colour that reads on a background (WCAG relative luminance). */
export function textOn(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex)
  if (!m) return '#ffffff'
  const n = parseInt(m[1], 16)
  const lin = (c: number) => {
    const v = c / 255
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  }
  const L = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255)
  // Contrast with white vs with near-black (#1f2937, L≈0.0194).
  const withWhite = 1.05 / (L + 0.05)
  const withDark = (L + 0.05) / 0.0694
  return withWhite >= withDark ? '#ffffff' : '#1f2937'
}
