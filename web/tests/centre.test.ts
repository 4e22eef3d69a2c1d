import { describe, expect, it } from 'vitest'
import { gridCluster } from '../src/features/map/cluster'
import { KIND_SYMBOL, kindSvg, textOn } from '../src/features/map/symbols'
import { hourMinute, isoLocal, monthDayTime, shanghaiParts } from '../src/utils/datetime'
import { journalSentence, personText } from '../src/utils/format'
import { enRouteText } from '../src/features/map/model'

describe('grid clusterer', () => {
  it('groups points per cell with their mean and keeps singles apart', () => {
    const pts = [
      { id: 1, x: 10, y: 10 },
      { id: 2, x: 30, y: 20 },
      { id: 3, x: 70, y: 10 },
      { id: 4, x: 12, y: 58 },
      { id: 5, x: NaN, y: 1 },
    ]
    const c = gridCluster(pts, 50)
    expect(c).toEqual([
      { ids: [1, 2], x: 20, y: 15 },
      { ids: [3], x: 70, y: 10 },
      { ids: [4], x: 12, y: 58 },
    ])
    // Every finite point is in exactly one cluster.
    expect(c.flatMap((x) => x.ids).sort()).toEqual([1, 2, 3, 4])
  })
  it('a zero cell clusters nothing', () => {
    expect(gridCluster([{ id: 1, x: 1, y: 1 }, { id: 2, x: 1, y: 1 }], 0)).toHaveLength(2)
  })
  it('a thousand points in one cell are one cluster', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => ({ id: i, x: i % 40, y: (i * 7) % 40 }))
    const c = gridCluster(pts, 50)
    expect(c).toHaveLength(1)
    expect(c[0].ids).toHaveLength(1000)
  })
})

describe('map symbols', () => {
  it('every kind has its own shape-and-colour pair', () => {
    const pairs = Object.entries(KIND_SYMBOL)
      .filter(([k]) => k !== 'subscriber')
      .map(([, s]) => `${s.shape}/${s.color}`)
    expect(new Set(pairs).size).toBe(pairs.length)
    const shapes = Object.entries(KIND_SYMBOL).filter(([k]) => k !== 'subscriber' && k !== 'settlement').map(([, s]) => s.shape)
    expect(new Set(shapes).size).toBe(shapes.length)
  })
  it('the marker svg carries what the tests look for, escaped', () => {
    const s = kindSvg('team', 24, 42)
    expect(s).toContain('class="yj-marker yj-marker-team"')
    expect(s).toContain('data-testid="marker-team-42"')
    expect(kindSvg('a"b')).not.toContain('a"b')
  })
  it('text on a colour keeps WCAG contrast', () => {
    expect(textOn('#F0E442')).toBe('#1f2937')
    expect(textOn('#0072B2')).toBe('#ffffff')
    expect(textOn('#c62828')).toBe('#ffffff')
    expect(textOn('#f2c200')).toBe('#1f2937')
  })
})

describe('dates as the bureau reads them', () => {
  it('is Asia/Shanghai, numeric and zero-padded whatever the locale', () => {
    expect(isoLocal('2026-12-07T16:05:09Z')).toBe('2026-12-08 00:05:09')
    expect(monthDayTime('2026-03-01T01:02:00Z')).toBe('03-01 09:02')
    expect(hourMinute('2026-12-07T15:59:00Z')).toBe('23:59')
    expect(hourMinute('2026-12-07T16:00:00Z')).toBe('00:00')
    expect(shanghaiParts('nonsense')).toBeNull()
    expect(isoLocal('nonsense')).toBe('nonsense')
    expect(isoLocal(null)).toBe('')
  })
})

import { isStale, countSituation, attentionTotal } from '../src/features/home/situation'
import { panelAt, SCREEN_PANELS, ROTATE_MS } from '../src/features/screen/rotation'

describe('wall display', () => {
  it('says stale when the feed is down or the last load is old, not while loading', () => {
    // (connected, updatedAt, now, stale)
    const table: [boolean, number | null, number, boolean][] = [
      [true, null, 1_000_000, false],
      [false, null, 1_000_000, false],
      [true, 1_000_000, 1_000_000 + 119_000, false],
      [true, 1_000_000, 1_000_000 + 121_000, true],
      [false, 1_000_000, 1_000_001, true],
    ]
    for (const [c, u, n, want] of table) expect(isStale(c, u, n), `${c} ${u} ${n}`).toBe(want)
  })
  it('rotates the panels on the timer and wraps', () => {
    expect(panelAt(0)).toBe(SCREEN_PANELS[0])
    expect(panelAt(ROTATE_MS - 1)).toBe(SCREEN_PANELS[0])
    expect(panelAt(ROTATE_MS)).toBe(SCREEN_PANELS[1])
    expect(panelAt(ROTATE_MS * SCREEN_PANELS.length)).toBe(SCREEN_PANELS[0])
    expect(panelAt(-5)).toBe(SCREEN_PANELS[0])
    expect(panelAt(0, 7)).toBe(SCREEN_PANELS[7 % SCREEN_PANELS.length])
  })
  it('counts the situation', () => {
    const inc = (state: string) => ({ state }) as never
    const c = countSituation(
      [inc('responding'), inc('reported')],
      [{} as never],
      [],
      { unverified: [1], overdue_instructions: [], clocks: [1, 2], awaiting_approval: [], plans: [] } as never,
      { series: [{ points: [{ year: 2026, verdict: 'met' }] }, { points: [{ year: 2025, verdict: 'met' }, { year: 2026, verdict: 'not_met' }] }] } as never,
      2026,
    )
    expect(c).toEqual({ incidents: 2, responding: 1, warnings: 1, enRoute: 0, attention: 3, indicatorsMet: 1, indicatorsTotal: 2 })
    // Overdue 重大 hazards count too.
    expect(attentionTotal({ unverified: [], overdue_instructions: [1], clocks: [], awaiting_approval: [], plans: [], hazards: [1, 2] } as never)).toBe(3)
    expect(attentionTotal(null)).toBe(0)
  })
})

describe('people, not logins', () => {
  const known = {
    pingcheng: { username: 'pingcheng', display_name: '刘晓东', position: '平城区应急管理局 值班员', division: '140213000000', division_name: '平城区' },
    nopos: { username: 'nopos', display_name: '王五', position: '', division: '140200000000', division_name: '大同市' },
  }
  const t = (k: string, p?: Record<string, unknown>) => (k === 'people.withPosition' ? `${p?.name}（${p?.position}）` : k === 'journal.sentence' ? `${p?.who}|${p?.action}|${p?.what}|${p?.id}` : k)
  it('names a person with their position, and nothing else', () => {
    expect(personText('pingcheng', known, t)).toBe('刘晓东（平城区应急管理局 值班员）')
    expect(personText('nopos', known, t)).toBe('王五')
    expect(personText('system', known, t)).toBe('people.system')
    expect(personText('demo', known, t)).toBe('people.demo')
    // A login this reader cannot resolve stays as recorded; nothing is blank.
    expect(personText('yunzhou', known, t)).toBe('yunzhou')
    expect(personText(null, known, t)).toBe('—')
    expect(personText('', known, t)).toBe('—')
  })
  it('an audit entry reads as who, what, which record', () => {
    const e = { actor: 'pingcheng', module: 'incidents', entity: 'incident', entity_id: '12', kind: 'verified' }
    const s = journalSentence(e, known, t)
    expect(s.startsWith('刘晓东（平城区应急管理局 值班员）|')).toBe(true)
    expect(s.endsWith('|#12')).toBe(true)
    expect(journalSentence({ ...e, entity_id: '' }, known, t).endsWith('|')).toBe(true)
  })
})

describe('resources en route', () => {
  const t = (k: string, p?: Record<string, unknown>) => (p ? `${k}(${Object.values(p).join(',')})` : k)
  const clock = (s: string) => s.slice(11, 16)
  it('under way says when it is expected; approved says how far by road; on site says nothing more', () => {
    expect(enRouteText({ state: 'departed', eta: '2026-12-08T01:12:34Z', travel_time_s: 754 }, t, clock)).toBe('centre.order.departed · centre.etaAt(01:12)')
    expect(enRouteText({ state: 'approved', eta: null, travel_time_s: 754 }, t, clock)).toBe('centre.order.approved · centre.travelMin(13)')
    expect(enRouteText({ state: 'approved', eta: null, travel_time_s: 5 }, t, clock)).toBe('centre.order.approved · centre.travelMin(1)')
    expect(enRouteText({ state: 'arrived', eta: '2026-12-08T01:12:34Z', travel_time_s: 754 }, t, clock)).toBe('centre.order.arrived')
    expect(enRouteText({ state: 'departed', eta: null, travel_time_s: null }, t, clock)).toBe('centre.order.departed')
  })
})
