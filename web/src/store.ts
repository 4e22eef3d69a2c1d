import { reactive } from 'vue'
import { api } from './api'
import type { Me, Schema } from './types'

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
}
