// The wall display's panels and their rotation (pure, for tests).
export const SCREEN_PANELS = ['incidents', 'warnings', 'duty', 'resources', 'indicators'] as const
export type ScreenPanel = (typeof SCREEN_PANELS)[number]
/** Each panel shows this long before the next. */
export const ROTATE_MS = 12_000

/** The panel to show `elapsedMs` after the rotation started at `start`. */
export function panelAt(elapsedMs: number, start = 0, every = ROTATE_MS, panels: readonly string[] = SCREEN_PANELS): string {
  const n = panels.length
  const i = Math.floor(Math.max(0, elapsedMs) / every)
  return panels[(((start + i) % n) + n) % n]
}

/** Who a display is (`GET /display/me`, `POST /display/open`). */
export interface DisplayInfo {
  name: string
  division: string
  division_name: string
  display: boolean
}
