import { currentLocale, label, i18n } from '../i18n'
import { schemaOf } from '../store'
import type { Field, Person } from '../api/types'
import { isoLocal } from './datetime'

/**
 * RFC 3339 → local display in Asia/Shanghai (the bureau's time zone): in
 * English as YYYY-MM-DD HH:mm:ss (utils/datetime.ts), in Chinese as the
 * bureau's 2026/12/07 20:05:09.
 */
export function fmtTime(s: string | null | undefined): string {
  if (!s) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  if (currentLocale() === 'en') return isoLocal(s)
  return d.toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

export function optionLabel(f: Field | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  const o = f?.options?.find((x) => x.value === value)
  return o ? label(o) : String(value)
}

export function fmtValue(f: Field, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (f.type === 'enum') return optionLabel(f, value)
  if (Array.isArray(value)) return value.join(currentLocale() === 'en' ? ', ' : '、')
  return String(value)
}

export type TagType = 'success' | 'warning' | 'info' | 'danger' | 'primary'
export function statusTagType(status: string): TagType {
  switch (status) {
    case 'available':
      return 'success'
    case 'dispatched':
      return 'warning'
    case 'maintenance':
      return 'info'
    case 'inactive':
      return 'danger'
    default:
      return 'info'
  }
}

/** Journal action / module / entity in the UI language; unknown values are shown as they are. */
export function journalKind(kind: string): string {
  const k = `journalKind.${kind}`
  return i18n.global.te(k) ? i18n.global.t(k) : kind
}
export function journalModule(module: string): string {
  const k = `journalModule.${module}`
  return i18n.global.te(k) ? i18n.global.t(k) : module
}
export function journalEntity(module: string, entity: string): string {
  if (module === 'registry') {
    const s = schemaOf(entity)
    if (s) return label(s)
  }
  const key = `journalEntity.${entity}`
  return i18n.global.te(key) ? i18n.global.t(key) : entity
}

/** A person as pages name them: 姓名（职务）, `system`/`demo` translated, a
 * login this reader may not resolve shown as it is. */
export function personText(
  who: string | null | undefined,
  known: Record<string, Person>,
  t: (key: string, params?: Record<string, unknown>) => string,
): string {
  if (!who) return '—'
  if (who === 'system' || who === 'demo') return t(`people.${who}`)
  const p = known[who]
  if (!p) return who
  return p.position ? t('people.withPosition', { name: p.display_name, position: p.position }) : p.display_name
}

/** One audit entry as a sentence: who did what to which record. */
export function journalSentence(
  e: { actor: string; module: string; entity: string; entity_id: string; kind: string },
  known: Record<string, Person>,
  t: (key: string, params?: Record<string, unknown>) => string,
): string {
  return t('journal.sentence', {
    who: personText(e.actor, known, t),
    action: journalKind(e.kind),
    what: journalEntity(e.module, e.entity),
    id: e.entity_id ? `#${e.entity_id}` : '',
  })
}
