import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'

// A stand-in for the browser's EventSource: records every instance, lets the
// test open it, fail it and send journal entries.
class FakeSource {
  static all: FakeSource[] = []
  static CLOSED = 2
  url: string
  closed = false
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  listeners = new Map<string, ((ev: { data: string }) => void)[]>()
  constructor(url: string) {
    this.url = url
    FakeSource.all.push(this)
  }
  addEventListener(kind: string, f: (ev: { data: string }) => void) {
    this.listeners.set(kind, [...(this.listeners.get(kind) ?? []), f])
  }
  close() {
    this.closed = true
  }
  open() {
    this.onopen?.()
  }
  fail() {
    this.onerror?.()
  }
  send(entry: unknown) {
    for (const f of this.listeners.get('journal') ?? []) f({ data: typeof entry === 'string' ? entry : JSON.stringify(entry) })
  }
}
const live = () => FakeSource.all.filter((s) => !s.closed)

async function fresh() {
  vi.resetModules()
  return await import('../src/composables/useLiveFeed')
}

beforeEach(() => {
  FakeSource.all = []
  vi.useFakeTimers()
  vi.stubGlobal('EventSource', FakeSource)
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('useLiveFeed', () => {
  it('opens one connection for every subscriber and hands each the entries', async () => {
    const { useLiveFeed, FEED_URL } = await fresh()
    const a: number[] = []
    const b: number[] = []
    const scope = effectScope()
    scope.run(() => {
      useLiveFeed((e) => a.push(e.seq))
      useLiveFeed((e) => b.push(e.seq))
    })
    expect(FakeSource.all).toHaveLength(1)
    expect(FakeSource.all[0].url).toBe(FEED_URL)
    FakeSource.all[0].send({ seq: 7 })
    FakeSource.all[0].send('not json')
    expect(a).toEqual([7])
    expect(b).toEqual([7])
    scope.stop()
  })

  it('tells every subscriber on each (re)connection and reports the state', async () => {
    const { useLiveFeed } = await fresh()
    const opened = vi.fn()
    const scope = effectScope()
    const feed = scope.run(() => useLiveFeed(() => {}, opened))!
    expect(feed.connected.value).toBe(false)
    live()[0].open()
    expect(feed.connected.value).toBe(true)
    expect(opened).toHaveBeenCalledTimes(1)
    live()[0].fail()
    expect(feed.connected.value).toBe(false)
    vi.advanceTimersByTime(1000)
    live()[0].open()
    expect(opened).toHaveBeenCalledTimes(2)
    scope.stop()
  })

  it('a failing subscriber does not stop the others', async () => {
    const { useLiveFeed } = await fresh()
    const got: number[] = []
    const scope = effectScope()
    scope.run(() => {
      useLiveFeed(() => {
        throw new Error('boom')
      })
      useLiveFeed((e) => got.push(e.seq))
    })
    live()[0].send({ seq: 1 })
    expect(got).toEqual([1])
    scope.stop()
  })

  it('reconnects after an error with a growing back-off, reset once open', async () => {
    const { useLiveFeed, BACKOFF_MAX_MS } = await fresh()
    const scope = effectScope()
    scope.run(() => useLiveFeed(() => {}))
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      const before = FakeSource.all.length
      live()[0].fail()
      expect(live()).toHaveLength(0)
      let waited = 0
      while (FakeSource.all.length === before) {
        vi.advanceTimersByTime(500)
        waited += 500
      }
      waits.push(waited)
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, BACKOFF_MAX_MS, BACKOFF_MAX_MS])
    live()[0].open()
    live()[0].fail()
    vi.advanceTimersByTime(999)
    expect(live()).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(live()).toHaveLength(1)
    scope.stop()
  })

  it('unsubscribes when the component goes, and closes the connection a little after the last one', async () => {
    const { useLiveFeed, LINGER_MS } = await fresh()
    const got: number[] = []
    const scope = effectScope()
    scope.run(() => useLiveFeed((e) => got.push(e.seq)))
    const source = live()[0]
    scope.stop()
    source.send({ seq: 1 })
    expect(got).toEqual([])
    expect(source.closed).toBe(false)
    // A page that subscribes again before the delay keeps the same connection.
    const next = effectScope()
    next.run(() => useLiveFeed((e) => got.push(e.seq)))
    vi.advanceTimersByTime(LINGER_MS)
    expect(FakeSource.all).toHaveLength(1)
    source.send({ seq: 2 })
    expect(got).toEqual([2])
    next.stop()
    vi.advanceTimersByTime(LINGER_MS)
    expect(source.closed).toBe(true)
  })

  it('does not reconnect when nobody listens any more', async () => {
    const { subscribeFeed, LINGER_MS } = await fresh()
    const off = subscribeFeed(() => {})
    off()
    vi.advanceTimersByTime(LINGER_MS)
    expect(live()).toHaveLength(0)
    vi.advanceTimersByTime(60_000)
    expect(FakeSource.all).toHaveLength(1)
  })
})
