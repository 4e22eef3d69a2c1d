import { describe, expect, it } from 'vitest'
import {
  applyPrefill,
  areaIsEmpty,
  circleRing,
  defaultInstruction,
  emptyArea,
  hoursFromNow,
  pct,
  placeOf,
  DELIVERY_REASONS,
  reasonKey,
  prefill,
  shareColour,
  splitProblems,
} from '../src/features/warnings/warnings'
import type { WarningDraft, WarningTemplate } from '../src/api/types'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

const rain: WarningTemplate = { key: 'rainstorm', event_zh: '暴雨', event_en: 'Rainstorm', instructions: ['b', 'y', 'o', 'r'] }
const gale: WarningTemplate = { key: 'gale', event_zh: '大风', event_en: 'Gale', instructions: ['gb', 'gy', 'go', 'gr'] }

describe('problem places', () => {
  it.each([
    ['area', { kind: 'area', index: null, vertex: null }],
    ['area.polygons[2]', { kind: 'polygon', index: 2, vertex: null }],
    ['area.polygons[0][5]', { kind: 'polygon', index: 0, vertex: 5 }],
    ['area.circles[1].radius_m', { kind: 'circle', index: 1, vertex: null }],
    ['area.divisions[0]', { kind: 'division', index: 0, vertex: null }],
    ['description', null],
    [undefined, null],
  ])('%s', (field, want) => {
    expect(placeOf(field as string | undefined)).toEqual(want)
  })

  it('splits area problems from field problems', () => {
    const s = splitProblems([
      { field: 'area.polygons[0]', message: '自相交' },
      { field: 'expires_at', message: '已过' },
      { field: 'expires_at', message: '第二条' },
      { field: 'area', message: '空' },
    ])
    expect(s.area.map((e) => e.field)).toEqual(['area.polygons[0]', 'area'])
    expect(s.byField).toEqual({ expires_at: '已过' })
  })
})

describe('coverage display', () => {
  it.each([
    [null, '—', '#9ca3af'],
    [0, '0.0%', '#c62828'],
    [0.4999, '49.9%', '#c62828'],
    [0.5, '50.0%', '#ef6c00'],
    [0.8999, '89.9%', '#ef6c00'],
    [0.9, '90.0%', '#15803d'],
    [1, '100.0%', '#15803d'],
  ])('%s', (share, text, colour) => {
    expect(pct(share)).toBe(text)
    expect(shareColour(share)).toBe(colour)
  })
})

describe('template prefill', () => {
  const base = (): WarningDraft => ({
    hazard: 'rainstorm',
    level: 'orange',
    headline: '',
    description: '',
    instruction: '',
    area: emptyArea(),
    area_desc: '',
    onset_at: null,
    expires_at: '',
    exercise: false,
  })
  it('fills from the template and level', () => {
    expect(defaultInstruction(rain, 'orange')).toBe('o')
    expect(defaultInstruction(undefined, 'red')).toBe('')
    const p = prefill('平城区应急管理局', '平城区', rain, 'orange', '橙色')
    expect(p.headline).toBe('平城区应急管理局发布暴雨橙色预警信号')
    expect(p.description).toContain('平城区')
    expect(p.instruction).toBe('o')
  })
  it('follows a template change unless the text was edited', () => {
    const old = prefill('X局', 'X', rain, 'orange', '橙色')
    const next = prefill('X局', 'X', gale, 'orange', '橙色')
    const d = { ...base(), ...old, description: '人工修改的内容' }
    const r = applyPrefill(d, old, next)
    expect(r.headline).toBe('X局发布大风橙色预警信号')
    expect(r.instruction).toBe('go')
    expect(r.description).toBe('人工修改的内容')
  })
})

describe('geometry helpers', () => {
  it('empty areas and circle rings', () => {
    expect(areaIsEmpty(emptyArea())).toBe(true)
    expect(areaIsEmpty({ ...emptyArea(), divisions: ['140213'] })).toBe(false)
    const ring = circleRing(113.3, 40.1, 1000, 8)
    expect(ring).toHaveLength(9)
    expect(ring[0]).toEqual(ring[8].map((x) => expect.closeTo(x, 9)))
    expect(ring[2][1] - 40.1).toBeCloseTo(1000 / 111_320, 6)
  })
  it('hours from now in RFC 3339 UTC', () => {
    expect(hoursFromNow(2, Date.UTC(2026, 0, 1, 0, 0, 0, 500))).toBe('2026-01-01T02:00:00Z')
  })
})

describe('delivery reasons', () => {
  it('every reason code the server gives has words in both languages', () => {
    for (const code of [...DELIVERY_REASONS, 'other']) {
      expect((zh.warning.result as Record<string, string>)[code], code).toBeTruthy()
      expect((en.warning.result as Record<string, string>)[code], code).toBeTruthy()
    }
    expect(DELIVERY_REASONS).toContain('refused_private_address')
  })

  it('unknown codes read as other, no code as nothing', () => {
    expect(reasonKey('refused_private_address')).toBe('refused_private_address')
    expect(reasonKey('http_5xx')).toBe('http_5xx')
    expect(reasonKey('something_new')).toBe('other')
    expect(reasonKey('')).toBeNull()
    expect(reasonKey(null)).toBeNull()
  })
})

describe('a warning in force', () => {
  it("follows the server's in_force and ends when the warning expires while the page is open", async () => {
    const { inForce } = await import('../src/features/map/model')
    const now = Date.parse('2026-07-01T08:00:00Z')
    const w = (in_force: boolean, expires_at: string) => ({ in_force, expires_at }) as unknown as import('../src/api/types').WarningRecord
    expect(inForce(w(true, '2026-07-01T20:00:00Z'), now)).toBe(true)
    expect(inForce(w(true, '2026-07-01T07:59:00Z'), now)).toBe(false)
    expect(inForce(w(false, '2026-07-01T20:00:00Z'), now)).toBe(false)
  })
})
