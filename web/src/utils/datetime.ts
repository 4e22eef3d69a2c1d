// Dates and times as the bureau reads them: in Asia/Shanghai, numeric, the
// same in every UI language (ISO 8601 order, YYYY-MM-DD HH:mm), so an English
// page never shows 07/12/2026 (day or month first?) and no caller slices a
// locale-formatted string.

export interface ShanghaiParts {
  year: string
  month: string
  day: string
  hour: string
  minute: string
  second: string
}

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** The wall-clock fields of an instant in Asia/Shanghai; null if unparseable. */
export function shanghaiParts(s: string | Date): ShanghaiParts | null {
  const d = typeof s === 'string' ? new Date(s) : s
  if (Number.isNaN(d.getTime())) return null
  const p: Record<string, string> = {}
  for (const x of fmt.formatToParts(d)) p[x.type] = x.value
  return { year: p.year, month: p.month, day: p.day, hour: p.hour === '24' ? '00' : p.hour, minute: p.minute, second: p.second }
}

/** `2026-12-07 20:05:09` (Asia/Shanghai). */
export function isoLocal(s: string | null | undefined): string {
  if (!s) return ''
  const p = shanghaiParts(s)
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}` : s
}

/** `12-07 20:05`: a time within the year, for rosters and timelines. */
export function monthDayTime(s: string | null | undefined): string {
  if (!s) return ''
  const p = shanghaiParts(s)
  return p ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : s
}

/** `20:05` (Asia/Shanghai). */
export function hourMinute(s: string | null | undefined): string {
  if (!s) return ''
  const p = shanghaiParts(s)
  return p ? `${p.hour}:${p.minute}` : s
}
