// Load-race guards. When a page loads again before the previous answer came
// (a filter or route parameter changed, the live feed asked for a reload, a
// step returned a newer record), only the newest request's answer may be
// applied: a slow earlier response must never overwrite a newer one.
//
// - `useLatest()` is the bare guard: `const current = latest.begin()` before
//   the request, `if (!current()) return` after each await. `begin(key)`
//   keeps one sequence per key (one per map layer, say). `invalidate()`
//   drops every request in flight (a newer record arrived another way).
// - `useLoader()` adds the state a page shows: `loading` (while the newest
//   request runs) and `error` (the newest request's failure), and `run(fetch,
//   apply, fail?)`, which applies (or reports) only the newest answer.
//
// Both invalidate what is in flight when the calling component (or effect
// scope) goes, so nothing is applied to a page that has left.
import { getCurrentScope, onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue'

export interface Latest {
  /** Start a request; the function returned tells whether it is still the newest (of its key). */
  begin(key?: string): () => boolean
  /** Make every request in flight stale. */
  invalidate(): void
}

export function useLatest(): Latest {
  const seqs = new Map<string, number>()
  let epoch = 0
  const latest: Latest = {
    begin(key = '') {
      const my = (seqs.get(key) ?? 0) + 1
      seqs.set(key, my)
      const at = epoch
      return () => at === epoch && seqs.get(key) === my
    },
    invalidate() {
      epoch++
    },
  }
  if (getCurrentScope()) onScopeDispose(latest.invalidate)
  return latest
}

export interface Loader {
  /** The newest request is running. */
  loading: Ref<boolean>
  /** The newest request's failure (null while running and after a success). */
  error: ShallowRef<unknown>
  /**
   * Run `fetch`; when it is still the newest request on its return, hand its
   * value to `apply` (or its failure to `fail`, after setting `error`).
   * Resolves to true when the answer was applied; a stale answer (and a
   * failure) resolves to false, a throwing `apply` rejects.
   */
  run<T>(fetch: () => Promise<T>, apply: (value: T) => void | Promise<void>, fail?: (e: unknown) => void): Promise<boolean>
  /** Drop the request in flight (a newer record arrived another way). */
  invalidate(): void
}

export function useLoader(): Loader {
  const latest = useLatest()
  const loading = ref(false)
  const error = shallowRef<unknown>(null)
  async function run<T>(fetch: () => Promise<T>, apply: (value: T) => void | Promise<void>, fail?: (e: unknown) => void) {
    const current = latest.begin()
    loading.value = true
    error.value = null
    try {
      let value: T
      try {
        value = await fetch()
      } catch (e) {
        if (!current()) return false
        error.value = e
        fail?.(e)
        return false
      }
      if (!current()) return false
      await apply(value)
      return true
    } finally {
      if (current()) loading.value = false
    }
  }
  return {
    loading,
    error,
    run,
    invalidate() {
      latest.invalidate()
      loading.value = false
    },
  }
}

/**
 * A list page's load through `useLoader`: the newest answer goes to `items`;
 * a failure empties them and says why in `loadError`.
 */
export function useListLoader<T>(fetch: () => Promise<T[]>) {
  const { loading, run } = useLoader()
  const items = ref([]) as Ref<T[]>
  const loadError = ref('')
  async function load() {
    loadError.value = ''
    await run(
      fetch,
      (v) => {
        items.value = v
      },
      (e) => {
        items.value = []
        loadError.value = (e as Error).message
      },
    )
  }
  return { items, loading, loadError, load }
}
