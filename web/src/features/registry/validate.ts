// Client-side validation of a registry record against its schema. Mirrors the
// server's rules for required / number / min / max / enum; the server stays the
// authority (its 422 errors are mapped onto the same form items).
import type { Field } from '../../api/types'

export type Translate = (key: string, named?: Record<string, unknown>) => string

export function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
}

export function validateField(f: Field, value: unknown, t: Translate, label: string): string | null {
  if (isEmpty(value)) return f.required ? t('validation.required', { label }) : null
  switch (f.type) {
    case 'int':
    case 'float':
    case 'lon':
    case 'lat': {
      const n = typeof value === 'number' ? value : Number(String(value).trim())
      if (!Number.isFinite(n)) return t('validation.number', { label })
      if (f.type === 'int' && !Number.isInteger(n)) return t('validation.integer', { label })
      if (f.min !== undefined && f.min !== null && n < f.min) return t('validation.min', { label, min: f.min })
      if (f.max !== undefined && f.max !== null && n > f.max) return t('validation.max', { label, max: f.max })
      return null
    }
    case 'enum': {
      const opts = f.options ?? []
      if (opts.length && !opts.some((o) => o.value === value)) return t('validation.enum', { label })
      return null
    }
    case 'phone': {
      // loose: digits with optional +, -, spaces, parentheses, extension
      if (!/^[+]?[\d\s()-]{3,30}(?:(?:ext\.?|转|#)\s*\d{1,6})?$/i.test(String(value).trim()))
        return t('validation.phone', { label })
      return null
    }
    default:
      return null
  }
}

/** Convert form values to the API body: common fields on top, the others in attrs. */
export function toBody(fields: Field[], values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  const attrs: Record<string, unknown> = {}
  for (const f of fields) {
    let v = values[f.key]
    if (typeof v === 'string') v = v.trim()
    if (f.type === 'int' || f.type === 'float' || f.type === 'lon' || f.type === 'lat') {
      v = isEmpty(v) ? null : Number(v)
    } else if (f.type === 'list') {
      v = Array.isArray(v) ? v.map((x) => String(x).trim()).filter(Boolean) : isEmpty(v) ? [] : String(v).split(/[,，;；、]/).map((x) => x.trim()).filter(Boolean)
    } else if (isEmpty(v)) {
      v = f.common ? '' : null
    }
    if (f.common) body[f.key] = v
    else if (v !== null) attrs[f.key] = v
  }
  body.attrs = attrs
  return body
}
