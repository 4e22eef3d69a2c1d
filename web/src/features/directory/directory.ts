// 通讯录 (/directory): the phones of contacts, teams, experts, enterprises,
// shelters, warehouses and villages in one search; what a reader may see
// (kinds, jurisdiction, masked numbers) is the server's answer.
import { API, qs, request } from '../../api'
import type { components } from '../../api/schema'
import { i18n } from '../../i18n'

type S = components['schemas']
export type Directory = S['Directory']
export type DirectoryEntry = S['DirectoryEntry']
export type DirectoryPhone = S['DirectoryPhone']

export const GROUPS = ['command', 'department', 'township', 'utility', 'military', 'other'] as const
export const KINDS = ['contact', 'team', 'expert', 'enterprise', 'shelter', 'warehouse', 'settlement'] as const

export const directoryApi = {
  search: (p: { q?: string; kind?: string; group?: string; limit?: number }) =>
    request<Directory>('GET', `${API}/directory${qs(p)}`),
}

const t = (k: string) => i18n.global.t(k)

/** The label of a group (a contact's) or of a kind (other records). */
export function groupLabel(g: string): string {
  const key = `directory.group.${g}`
  const s = t(key)
  return s === key ? g : s
}

export function lineLabel(line: string): string {
  return t(`directory.line.${line}`)
}

/** A number as a `tel:` / `sms:` target: digits, `+`, `*` and `#` only. */
export function dialable(n: string): string {
  return n.replace(/[^0-9+*#]/g, '')
}
