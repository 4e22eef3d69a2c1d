// CAP validation problems in the UI language: each problem's stable code
// (from yingji-cap) explained, its element path kept as the server gave it.
import { i18n } from '../../i18n'

export interface CapProblem {
  path: string
  code: string
  level?: string
  message: string
}

/** The explanation of a problem code, or the server's own message. */
export function capProblemText(p: CapProblem): string {
  const key = `capProblem.${p.code}`
  return i18n.global.te(key) ? i18n.global.t(key) : p.message
}
