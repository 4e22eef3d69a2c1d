// The live feed: the journal's server-sent events (`GET /journal/stream`),
// one EventSource for every subscriber in the tab. This file is the only
// place that opens one.
//
// - A subscriber gets every entry (`journal` events) and, on every
//   (re)connection, its `onOpen`, so a page can reload what it may have
//   missed while the connection was down.
// - After an error the connection is closed and opened again after a
//   back-off (1 s, 2 s, 4 s … at most 30 s; back to 1 s once open), so a
//   server that is restarting or refusing is not hammered, and a connection
//   the browser gave up on (a non-200 answer) is tried again too.
// - The connection stays open a little after the last subscriber leaves, so
//   moving between pages does not drop entries.
// - `useLiveFeed` subscribes for the lifetime of the component (or effect
//   scope) that calls it: unsubscribed on unmount.
import { getCurrentScope, onScopeDispose, readonly, ref } from 'vue'
import { API } from '../api'
import type { JournalEntry } from '../api/types'

export type FeedHandler = (e: JournalEntry) => void
interface Sub {
  entry: FeedHandler
  open?: () => void
}

export const FEED_URL = `${API}/journal/stream`
export const BACKOFF_MIN_MS = 1_000
export const BACKOFF_MAX_MS = 30_000
/** How long the connection outlives its last subscriber. */
export const LINGER_MS = 15_000

const subs = new Set<Sub>()
let es: EventSource | null = null
let closeTimer: ReturnType<typeof setTimeout> | undefined
let retryTimer: ReturnType<typeof setTimeout> | undefined
let backoff = BACKOFF_MIN_MS
const connected = ref(false)
/** The feed is connected now (for a status tag). */
export const feedConnected = readonly(connected)

function connect() {
  clearTimeout(retryTimer)
  retryTimer = undefined
  const source = new EventSource(FEED_URL, { withCredentials: true })
  es = source
  source.onopen = () => {
    if (es !== source) return
    connected.value = true
    backoff = BACKOFF_MIN_MS
    for (const s of [...subs]) {
      try {
        s.open?.()
      } catch {
        /* one subscriber's failure is not the others' */
      }
    }
  }
  source.onerror = () => {
    if (es !== source) return
    connected.value = false
    source.close()
    es = null
    if (!subs.size) return
    retryTimer = setTimeout(connect, backoff)
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS)
  }
  source.addEventListener('journal', (ev) => {
    if (es !== source) return
    let e: JournalEntry
    try {
      e = JSON.parse((ev as MessageEvent).data)
    } catch {
      return
    }
    for (const s of [...subs]) {
      try {
        s.entry(e)
      } catch {
        /* one subscriber's failure is not the others' */
      }
    }
  })
}

function close() {
  clearTimeout(retryTimer)
  retryTimer = undefined
  es?.close()
  es = null
  connected.value = false
  backoff = BACKOFF_MIN_MS
}

/**
 * Listen to the journal feed; returns the unsubscribe function. Prefer
 * `useLiveFeed` in a component, which unsubscribes by itself.
 */
export function subscribeFeed(entry: FeedHandler, onOpen?: () => void): () => void {
  const s: Sub = { entry, open: onOpen }
  subs.add(s)
  clearTimeout(closeTimer)
  if (!es && retryTimer === undefined) connect()
  let done = false
  return () => {
    if (done) return
    done = true
    subs.delete(s)
    if (subs.size) return
    clearTimeout(closeTimer)
    closeTimer = setTimeout(() => {
      if (!subs.size) close()
    }, LINGER_MS)
  }
}

/**
 * Follow the live feed while the calling component (or effect scope) lives:
 * `entry` for every journal entry, `onOpen` on every (re)connection.
 */
export function useLiveFeed(entry: FeedHandler, onOpen?: () => void) {
  const unsubscribe = subscribeFeed(entry, onOpen)
  if (getCurrentScope()) onScopeDispose(unsubscribe)
  return { connected: feedConnected, unsubscribe }
}
