import { describe, expect, it } from 'vitest'
import {
  FIGURE_KEYS,
  countiesOf,
  decreasedKeys,
  emptyFigures,
  fmtFigure,
  figuresToInputs,
  inputsToFigures,
  isTownship,
  latestReport,
  ledgerHints,
  ledgerRefs,
  referencedLedger,
  parseNumber,
  stepLabel,
  validateReport,
  wanToYuan,
  type ReportDraft,
} from '../src/features/reports/reports'
import { errorsByField } from '../src/utils/fieldErrors'
import { i18n } from '../src/i18n'

const t = (k: string, n?: Record<string, unknown>) => `${k}:${JSON.stringify(n ?? {})}`

function draft(f: Record<string, string | number>, extra: Partial<ReportDraft> = {}): ReportDraft {
  return { figures: figuresToInputs(f as never), casualties: [], houses: [], reason: '', supersedes: null, ...extra }
}

describe('report figures', () => {
  it('parses what people type', () => {
    expect(parseNumber('')).toBe(0)
    expect(parseNumber(' 1,200 ')).toBe(1200)
    expect(parseNumber('3.5')).toBe(3.5)
    expect(parseNumber('abc')).toBeNaN()
    expect(parseNumber('1e3')).toBeNaN()
    const f = inputsToFigures(figuresToInputs({ affected: 10, crop_affected_ha: 2.5 }))
    expect(f.affected).toBe(10)
    expect(f.crop_affected_ha).toBe(2.5)
    expect(f.dead).toBe(0)
    expect(Object.keys(f).sort()).toEqual([...FIGURE_KEYS].sort())
  })

  it('money is typed and shown in 万元 and sent in whole 元', () => {
    // [万元 as typed, 元 sent]
    const cases: [string, number][] = [
      ['85', 850_000],
      ['0.0001', 1],
      ['12.3456', 123_456],
      ['1,200.5', 12_005_000],
      ['0.3', 3000],
      ['', 0],
    ]
    for (const [wan, yuan] of cases) {
      const inputs = { ...figuresToInputs(null), direct_loss_yuan: wan }
      expect(inputsToFigures(inputs).direct_loss_yuan, wan).toBe(yuan)
      expect(wanToYuan(parseNumber(wan)), wan).toBe(yuan)
    }
    expect(Number.isInteger(wanToYuan(0.00005))).toBe(false)
    expect(figuresToInputs({ direct_loss_yuan: 850_000, agri_loss_yuan: 1 } as never).direct_loss_yuan).toBe('85')
    expect(figuresToInputs({ agri_loss_yuan: 1 } as never).agri_loss_yuan).toBe('0.0001')
    expect(fmtFigure('direct_loss_yuan', 123_456)).toBe('12.3456')
    expect(fmtFigure('affected', 1200)).toBe('1,200')
  })

  it('validates non-negative integers and parts within wholes', () => {
    expect(validateReport(draft({ affected: 100, dead: 1 }), null, t)).toEqual({})
    const e = validateReport(
      draft({ affected: '-1', dead: '1.5', crop_affected_ha: 2, crop_failed_ha: 3, direct_loss_yuan: 10000, agri_loss_yuan: 20000, collapsed_households: 3, collapsed_rooms: 2 }),
      null,
      t,
    )
    expect(e.affected).toMatch(/^validation.min/)
    expect(e.dead).toMatch(/^validation.integer/)
    expect(e.crop_failed_ha).toMatch(/^report.errFailedGtAffected/)
    expect(e.agri_loss_yuan).toMatch(/^report.errAgriGtDirect/)
    expect(e.collapsed_rooms).toMatch(/^report.errRoomsLtHouseholds/)
    expect(validateReport(draft({ injured: 'x' }), null, t).injured).toMatch(/^validation.number/)
    // hectares and 万元 may have decimals; 万元 to the whole 元 (four decimals)
    expect(validateReport(draft({ crop_affected_ha: 1.25, direct_loss_yuan: 5000 }), null, t)).toEqual({})
    const loss = (wan: string) => validateReport({ ...draft({}), figures: { ...draft({}).figures, direct_loss_yuan: wan } }, null, t).direct_loss_yuan
    expect(loss('0.0001')).toBeUndefined()
    expect(loss('12.34567')).toMatch(/^report.errWholeYuan/)
    expect(loss('-1')).toMatch(/^validation.min/)
    expect(validateReport(draft({ affected: 2, dead: 2, injured: 1 }), null, t).affected).toMatch(/^report.errAffectedTooSmall/)
    // 紧急转移安置 / 需紧急生活救助 never exceed 受灾人口 (equal is fine)
    expect(validateReport(draft({ affected: 100, relocated: 100, need_relief: 100 }), null, t)).toEqual({})
    const up = validateReport(draft({ affected: 100, relocated: 101, need_relief: 101 }), null, t)
    expect(up.relocated).toMatch(/^fieldError.relocated_gt_affected/)
    expect(up.need_relief).toMatch(/^fieldError.need_relief_gt_affected/)
    expect(validateReport(draft({ affected: 0, relocated: 1 }), null, t).relocated).toMatch(/^fieldError.relocated_gt_affected/)
  })

  it('checks ledger rows but leaves the counts to the server (as hints)', () => {
    const d = draft(
      { affected: 10, dead: 2 },
      { casualties: [{ name: '', status: 'dead', gender: '男', age: 200, address: '', cause: '' }], houses: [{ householder: '王五', damage: 'collapsed', rooms: 0, address: '' }] },
    )
    const e = validateReport(d, null, t)
    expect(e['casualties[0].name']).toMatch(/^report.errNameRequired/)
    expect(e['casualties[0].age']).toMatch(/^report.errAge/)
    expect(e['houses[0].rooms']).toMatch(/^report.errRooms/)
    expect(e.casualties).toBeUndefined()
    const h = ledgerHints(d, t)
    expect(h.casualties).toHaveLength(1)
    expect(h.casualties[0]).toMatch(/^report.hintDead:\{"rows":1,"n":2\}/)
    expect(h.houses[0]).toMatch(/^report.hintCollapsed/)
  })

  it('a county references its townships\' ledgers, a city its counties\' (mirrors reports::ledgers)', () => {
    const person = (name: string) => ({ name, status: 'dead', gender: '男', age: 50, address: `${name}家`, cause: '洪水' })
    const rep = (id: number, level: string, division: string, people: string[], refs: number[] = []) => ({
      id,
      level,
      division,
      division_name: `单位${id}`,
      casualties: people.map(person),
      houses: [],
      ledger_refs: refs,
    })
    const all = [
      rep(1, 'township', '140212100000', ['甲']),
      rep(2, 'township', '140212101000', ['乙']),
      rep(3, 'township', '140212100000', ['甲', '丙']), // supersedes 1
      rep(4, 'county', '140212000000', ['甲', '丁'], [2, 3]), // an older county report repeating 甲
      rep(5, 'township', '140215100000', ['庚']), // a county without its own report
    ]
    expect(ledgerRefs(all, 'county', '140212000000')).toEqual([2, 3])
    expect(ledgerRefs(all, 'township', '140212100000')).toEqual([])
    expect(ledgerRefs(all, 'city', '140200000000')).toEqual([4, 5])
    const city = referencedLedger(all, ledgerRefs(all, 'city', '140200000000'))
    expect(city.casualties.map((x) => x.row.name).sort()).toEqual(['丁', '丙', '乙', '庚', '甲'])
    expect(city.casualties.find((x) => x.row.name === '甲')?.unit).toBe('单位3')
    // The hints count the referenced rows with the report's own.
    const county = referencedLedger(all, [2, 3])
    const d = draft({ dead: 4 }, { casualties: [person('丁')] })
    expect(ledgerHints(d, t, county).casualties).toEqual([])
    expect(ledgerHints(d, t).casualties).toHaveLength(1)
  })

  it('a decrease or a correction needs a reason', () => {
    const prev = { ...emptyFigures(), affected: 100, relocated: 5 }
    const d = draft({ affected: 90, relocated: 5 })
    expect(decreasedKeys(prev, inputsToFigures(d.figures))).toEqual(['affected'])
    expect(decreasedKeys(null, inputsToFigures(d.figures))).toEqual([])
    expect(validateReport(d, prev, t).reason).toMatch(/^report.errReasonDecrease/)
    expect(validateReport({ ...d, reason: '核减重复统计' }, prev, t).reason).toBeUndefined()
    expect(validateReport(draft({ affected: 120, relocated: 5 }, { supersedes: 3 }), prev, t).reason).toMatch(/^report.errReasonCorrection/)
  })

  it('groups server errors by field', () => {
    expect(
      errorsByField([
        { field: 'casualties', message: 'a' },
        { field: 'casualties', message: 'b' },
        { field: 'dead', message: 'c' },
      ]),
    ).toEqual({ casualties: 'a；b', dead: 'c' })
  })
})

describe('divisions and reports', () => {
  it('codes', () => {
    expect(isTownship('140212100000')).toBe(true)
    expect(isTownship('140212000000')).toBe(false)
    expect(countiesOf(['140212100000', '140212101000', '140213001000'])).toEqual(['140212000000', '140213000000'])
  })
  it('latest report of a unit', () => {
    const rs = [
      { id: 1, level: 'township', division: 'a' },
      { id: 3, level: 'township', division: 'a' },
      { id: 2, level: 'county', division: 'a' },
    ]
    expect(latestReport(rs, 'township', 'a')?.id).toBe(3)
    expect(latestReport(rs, 'city', 'a')).toBeNull()
  })
  it('step labels in both languages', () => {
    i18n.global.locale.value = 'en'
    expect(stepLabel({ key: '140212100000:initial', label_zh: '乡镇初报' })).toBe('Township initial report')
    expect(stepLabel({ key: '140212000000:initial', label_zh: '县级初报' })).toBe('County initial report')
    expect(stepLabel({ key: '140212000000:followup:2026-07-02', label_zh: '2026-07-02 县级续报' })).toBe('2026-07-02 county follow-up')
    expect(stepLabel({ key: 'report:province', label_zh: '逐级上报至省级' })).toBe('Forwarded to Province')
    expect(stepLabel({ key: 'supplement-window', label_zh: '伤亡人数变化补报期限（30 日）' })).toBe('Casualty supplement window (30 days)')
    expect(stepLabel({ key: 'investigation', label_zh: '事故调查报告' })).toBe('Investigation report')
    expect(stepLabel({ key: 'reply', label_zh: '人民政府批复调查报告' })).toBe('Government reply to the report')
    expect(stepLabel({ key: 'notify:county:procuratorate', label_zh: '县级通报人民检察院（第十条）' })).toBe('County notifies Procuratorate (art. 10)')
    expect(stepLabel({ key: 'phone:province', label_zh: '县级电话快报省级（21号令）' })).toBe('County phones the province (Order No. 21)')
    expect(stepLabel({ key: 'something-new', label_zh: '新环节' })).toBe('新环节')
    i18n.global.locale.value = 'zh-CN'
    expect(stepLabel({ key: 'forward', label_zh: '市级审核上报' })).toBe('市级审核上报')
    expect(stepLabel({ key: '140212000000:followup:2026-07-02', label_zh: '2026-07-02 旱情续报' })).toBe('2026-07-02 旱情续报')
    expect(stepLabel({ key: 'notify:city:police', label_zh: '市级通报公安机关（第十条）' })).toBe('市级通报公安机关（第十条）')
    expect(i18n.global.locale.value).toBe('zh-CN')
  })
})
