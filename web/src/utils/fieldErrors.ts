// Field errors from the server carry a stable `code` and its `params`
// besides the Chinese `message`: in another language the UI shows its own
// translation of the code (i18n `fieldError.<code>`), and the server's
// message where it has none.
import { i18n } from '../i18n'
import type { ProblemError } from '../api/types'

export interface CodedError {
  code?: string
  params?: Record<string, unknown>
  message: string
}

export function localizeError<T extends CodedError>(e: T): T {
  const g = i18n.global
  if (g.locale.value === 'zh-CN' || !e.code) return e
  const key = `fieldError.${e.code}`
  if (!g.te(key, g.locale.value)) return e
  const params = Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, String(v)]))
  return { ...e, message: g.t(key, params) }
}

/** The errors' messages by field ('' for those without one); several for one field are joined. */
export function errorsByField(errors: ProblemError[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors) {
    const k = e.field || ''
    out[k] = out[k] ? `${out[k]}；${e.message}` : e.message
  }
  return out
}
