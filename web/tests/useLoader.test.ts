import { describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { useLatest, useListLoader, useLoader } from '../src/composables/useLoader'

/** A promise the test settles by hand, in any order. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('useLatest', () => {
  it('only the newest request of a key is current', () => {
    const l = useLatest()
    const a = l.begin()
    expect(a()).toBe(true)
    const b = l.begin()
    expect(a()).toBe(false)
    expect(b()).toBe(true)
    // Keys are independent.
    const x = l.begin('x')
    l.begin('y')
    expect(x()).toBe(true)
    expect(b()).toBe(true)
    l.invalidate()
    expect(b()).toBe(false)
    expect(x()).toBe(false)
    expect(l.begin()()).toBe(true)
  })

  it('invalidates what is in flight when its scope goes', () => {
    const scope = effectScope()
    const l = scope.run(() => useLatest())!
    const a = l.begin()
    scope.stop()
    expect(a()).toBe(false)
  })
})

describe('useLoader', () => {
  it('applies only the newest answer when an older one comes back later', async () => {
    const loader = useLoader()
    const shown: string[] = []
    const slow = deferred<string>()
    const fast = deferred<string>()
    const first = loader.run(() => slow.promise, (v) => void shown.push(v))
    const second = loader.run(() => fast.promise, (v) => void shown.push(v))
    expect(loader.loading.value).toBe(true)
    fast.resolve('new')
    expect(await second).toBe(true)
    expect(loader.loading.value).toBe(false)
    slow.resolve('old')
    expect(await first).toBe(false)
    expect(shown).toEqual(['new'])
    expect(loader.loading.value).toBe(false)
  })

  it('keeps loading while the newest runs, though an older one finished', async () => {
    const loader = useLoader()
    const old = deferred<number>()
    const newest = deferred<number>()
    void loader.run(() => old.promise, () => {})
    const last = loader.run(() => newest.promise, () => {})
    old.resolve(1)
    await tick()
    expect(loader.loading.value).toBe(true)
    newest.resolve(2)
    await last
    expect(loader.loading.value).toBe(false)
  })

  it('reports the newest failure and ignores a stale one', async () => {
    const loader = useLoader()
    const failed: unknown[] = []
    const stale = deferred<number>()
    const current = deferred<number>()
    const a = loader.run(() => stale.promise, () => {}, (e) => failed.push(e))
    const b = loader.run(() => current.promise, () => {}, (e) => failed.push(e))
    stale.reject(new Error('old'))
    expect(await a).toBe(false)
    expect(loader.error.value).toBeNull()
    current.reject(new Error('new'))
    expect(await b).toBe(false)
    expect((loader.error.value as Error).message).toBe('new')
    expect(failed.map((e) => (e as Error).message)).toEqual(['new'])
    // A new run clears the error.
    const c = loader.run(() => Promise.resolve(1), () => {})
    expect(loader.error.value).toBeNull()
    expect(await c).toBe(true)
  })

  it('drops the request in flight when told a newer record came another way', async () => {
    const loader = useLoader()
    const shown: number[] = []
    const d = deferred<number>()
    const p = loader.run(() => d.promise, (v) => void shown.push(v))
    loader.invalidate()
    expect(loader.loading.value).toBe(false)
    d.resolve(1)
    expect(await p).toBe(false)
    expect(shown).toEqual([])
  })

  it('applies nothing after its component has gone', async () => {
    const scope = effectScope()
    const loader = scope.run(() => useLoader())!
    const shown: number[] = []
    const d = deferred<number>()
    const p = loader.run(() => d.promise, (v) => void shown.push(v))
    scope.stop()
    d.resolve(1)
    expect(await p).toBe(false)
    expect(shown).toEqual([])
  })

  it('a throwing apply is the caller’s error', async () => {
    const loader = useLoader()
    await expect(
      loader.run(
        () => Promise.resolve(1),
        () => {
          throw new Error('render')
        },
      ),
    ).rejects.toThrow('render')
    expect(loader.loading.value).toBe(false)
  })
})

describe('useListLoader', () => {
  it('keeps the newest list, and empties it with the reason on a failure', async () => {
    const answers = [deferred<number[]>(), deferred<number[]>(), deferred<number[]>()]
    let call = 0
    const list = useListLoader(() => answers[call++].promise)
    const first = list.load()
    const second = list.load()
    answers[1].resolve([2])
    await second
    answers[0].resolve([1])
    await first
    expect(list.items.value).toEqual([2])
    expect(list.loading.value).toBe(false)
    const third = list.load()
    answers[2].reject(new Error('断网'))
    await third
    expect(list.items.value).toEqual([])
    expect(list.loadError.value).toBe('断网')
  })
})
