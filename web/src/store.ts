import { reactive } from 'vue'
import { api } from './api'
import type { Me, Person, Schema } from './api/types'

export const state = reactive({
  me: null as Me | null,
  meChecked: false,
  schemas: [] as Schema[],
})

export async function loadMe(): Promise<Me | null> {
  try {
    state.me = await api.me()
  } catch {
    state.me = null
  }
  state.meChecked = true
  return state.me
}

let schemasPromise: Promise<Schema[]> | null = null
export function loadSchemas(force = false): Promise<Schema[]> {
  if (!schemasPromise || force) {
    schemasPromise = api
      .schemas()
      .then((s) => {
        state.schemas = s
        return s
      })
      .catch((e) => {
        schemasPromise = null
        throw e
      })
  }
  return schemasPromise
}

export function schemaOf(kind: string): Schema | undefined {
  return state.schemas.find((s) => s.kind === kind)
}

export function clearSession() {
  state.me = null
  state.schemas = []
  schemasPromise = null
  for (const k of Object.keys(people)) delete people[k]
  peoplePromise = null
}

/** Display names and positions by username (GET /people, once per session):
 * pages name people, not logins. Unknown names (another county's, or for a
 * role that may not read them) stay as they are. */
export const people = reactive<Record<string, Person>>({})
let peoplePromise: Promise<void> | null = null
export function loadPeople(): Promise<void> {
  if (!peoplePromise) {
    peoplePromise = api
      .people()
      .then((list) => {
        for (const p of list) people[p.username] = p
      })
      .catch(() => undefined)
  }
  return peoplePromise
}

/** Division names by code, filled lazily from GET /divisions?parent=… (a nicety: unknown codes stay codes). */
export const divisionNames = reactive<Record<string, string>>({})
const namesLoading = new Map<string, Promise<void>>()
function parentOf(code: string): string | null {
  if (!/^\d{12}$/.test(code)) return null
  if (code.slice(9) !== '000') return `${code.slice(0, 9)}000`
  if (code.slice(6, 9) !== '000') return `${code.slice(0, 6)}000000`
  if (code.slice(4, 6) !== '00') return `${code.slice(0, 4)}00000000`
  if (code.slice(2, 4) !== '00') return `${code.slice(0, 2)}0000000000`
  return null
}
export async function loadDivisionName(code: string): Promise<string> {
  if (divisionNames[code]) return divisionNames[code]
  if (state.me?.division.code === code) return (divisionNames[code] = state.me.division.name)
  const parent = parentOf(code)
  if (!parent) return code
  let p = namesLoading.get(parent)
  if (!p) {
    p = api
      .divisions(parent)
      .then((list) => {
        for (const d of list) divisionNames[d.code] = d.name
      })
      .catch(() => undefined)
    namesLoading.set(parent, p)
  }
  await p
  return divisionNames[code] || code
}
