// Field errors from the server carry a stable `code` and its `params`
// besides the Chinese `message`: in another language the UI shows its own
// translation of the code (i18n `fieldError.<code>`), and the server's
// message where it has none; Chinese shows the server's message, or the
// translation where that message is not Chinese. A refused step's problem
// carries the same (`code`, `params` next to `detail`), translated as
// `refusal.<code>`.
import { i18n } from '../i18n'
import type { ProblemError } from '../api/types'

export interface CodedError {
  code?: string
  params?: Record<string, unknown>
  message: string
}

export function localizeError<T extends CodedError>(e: T): T {
  const message = translate('fieldError', e)
  return message === undefined ? e : { ...e, message }
}

/**
 * The `detail` of a refused step (409 `invalid_transition`, 403 `forbidden`)
 * in the UI's language: the translation of its `code` (i18n
 * `refusal.<code>`), the server's Chinese `detail` where there is none.
 */
export function localizeRefusal(p: { code?: string | null; params?: Record<string, unknown>; detail: string }): string {
  return translate('refusal', { code: p.code ?? undefined, params: p.params, message: p.detail }) ?? p.detail
}

/** Whether a server message is written in Chinese (the platform's first language). */
const CHINESE = /[\u3400-\u9fff]/

function translate(namespace: string, e: CodedError): string | undefined {
  const g = i18n.global
  // Chinese keeps the server's message, unless it is not Chinese (serde's
  // words for a malformed body, the plan catalogue's English checks).
  if (!e.code || (g.locale.value === 'zh-CN' && CHINESE.test(e.message))) return undefined
  const key = `${namespace}.${e.code}`
  if (!g.te(key, g.locale.value)) return undefined
  const params = Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, String(v)]))
  return g.t(key, params)
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
