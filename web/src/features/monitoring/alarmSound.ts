// The duty room's alarm sound: three short tones from the Web Audio API (no
// audio file to ship or load). Browsers start audio only after a user
// gesture on the page, so `blocked` says when a click is needed first; the
// choice to mute is kept in this browser (localStorage).
import { ref } from 'vue'

const KEY = 'yingji.alarmSound'
let ctx: AudioContext | null = null

/** Sound on (the default) or muted, remembered per browser. */
export const soundOn = ref(localStorage.getItem(KEY) !== 'off')
/** Audio waits for a click on the page (autoplay policy). */
export const blocked = ref(false)

export function setSound(on: boolean) {
  soundOn.value = on
  localStorage.setItem(KEY, on ? 'on' : 'off')
  if (on) void unlock()
}

function context(): AudioContext | null {
  if (ctx) return ctx
  const C = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!C) return null
  ctx = new C()
  return ctx
}

/** Resume audio after a user gesture. */
export async function unlock() {
  const c = context()
  if (!c) return
  if (c.state === 'suspended') await c.resume().catch(() => {})
  blocked.value = c.state !== 'running'
}

/** Three tones (880 Hz, 0.18 s each), unless muted. */
export function ring() {
  if (!soundOn.value) return
  const c = context()
  if (!c) return
  if (c.state !== 'running') {
    blocked.value = true
    void c.resume().then(() => (blocked.value = c.state !== 'running')).catch(() => {})
  }
  for (let i = 0; i < 3; i++) {
    const at = c.currentTime + i * 0.3
    const osc = c.createOscillator()
    const gain = c.createGain()
    osc.type = 'square'
    osc.frequency.value = 880
    gain.gain.setValueAtTime(0.15, at)
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.18)
    osc.connect(gain).connect(c.destination)
    osc.start(at)
    osc.stop(at + 0.2)
  }
}
