// Pure helpers around registry schemas (no Vue, no DOM: unit-tested).
import type { Field, Schema } from '../api/types'

/**
 * Which attrs field the server derives `category` from. The schema does not
 * name it, so: the known kinds, else the first required non-common enum field.
 */
const KNOWN_CATEGORY_FIELD: Record<string, string> = {
  team: 'team_kind',
  expert: 'field',
  equipment: 'equipment_type',
  warehouse: 'level',
  shelter: 'shelter_class',
  enterprise: 'industry',
  hazard_source: 'level',
  monitoring_point: 'monitor_type',
  settlement: 'settlement_type',
}

export function categoryField(s: Schema): Field | undefined {
  const byKey = (k?: string) => (k ? s.fields.find((f) => f.key === k && f.type === 'enum') : undefined)
  return (
    byKey(KNOWN_CATEGORY_FIELD[s.kind]) ??
    s.fields.find((f) => !f.common && f.type === 'enum' && f.required) ??
    s.fields.find((f) => !f.common && f.type === 'enum')
  )
}

/** Up to `n` attrs fields worth a table column (not the category one, not long lists). */
export function keyAttrFields(s: Schema, n = 3): Field[] {
  const cat = categoryField(s)
  const pick = s.fields.filter((f) => !f.common && f !== cat && f.type !== 'list')
  // numbers and enums first: they are short and sortable at a glance
  const rank = (f: Field) => (f.type === 'int' || f.type === 'float' ? 0 : f.type === 'enum' ? 1 : f.required ? 2 : 3)
  return [...pick].sort((a, b) => rank(a) - rank(b)).slice(0, n)
}

export function commonField(s: Schema, key: string): Field | undefined {
  return s.fields.find((f) => f.key === key)
}

const LEVEL_DIGITS = [2, 4, 6, 9, 12]

/** The ancestors-and-self of a 12-digit statistical division code, top first. */
export function divisionAncestors(code: string): string[] {
  if (!/^\d{12}$/.test(code)) return [code]
  const out: string[] = []
  for (const d of LEVEL_DIGITS) {
    const c = code.slice(0, d).padEnd(12, '0')
    if (!out.includes(c)) out.push(c)
    if (c === code) break
  }
  if (out[out.length - 1] !== code) out.push(code)
  return out
}

/** Path from `root` (inclusive) down to `code`, for a lazy cascader. */
export function divisionPath(code: string, root: string): string[] {
  const anc = divisionAncestors(code)
  const i = anc.indexOf(root)
  return i >= 0 ? anc.slice(i) : [code]
}
