import { describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createI18n } from 'vue-i18n'
import WarningSignal from '../src/features/warnings/WarningSignal.vue'
import { COLOUR_HEX, areaDescNamesNone, areaDescOf, followAreaDesc, signalText } from '../src/features/warnings/warnings'
import type { WarningColour } from '../src/api/types'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

async function render(props: { level: WarningColour; nameZh: string; nameEn: string }, locale = 'zh-CN') {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zh, en } })
  const app = createSSRApp({ render: () => h(WarningSignal, props) })
  app.use(i18n)
  return renderToString(app)
}

describe('the warning signal', () => {
  it.each([
    ['blue', '暴雨', 'Rainstorm', '暴雨蓝色预警信号', '蓝色预警'],
    ['yellow', '大风', 'Gale', '大风黄色预警信号', '黄色预警'],
    ['orange', '森林火险', 'Forest fire', '森林火险橙色预警信号', '橙色预警'],
    ['red', '地质灾害气象风险', 'Geohazard', '地质灾害气象风险红色预警信号', '红色预警'],
  ] as const)('%s %s: drawn in the colour, named in words', async (level, zhName, enName, label, levelText) => {
    const html = await render({ level, nameZh: zhName, nameEn: enName })
    expect(html).toContain(`aria-label="${label}"`)
    expect(html).toContain('role="img"')
    expect(html).toContain(`fill="${COLOUR_HEX[level]}"`)
    expect(html).toContain(`>${zhName}</text>`)
    expect(html).toContain(`>${levelText}</text>`)
    expect(html).toContain(`${enName.toUpperCase()} · ${level.toUpperCase()}`)
    // Every other level's colour is absent (the square is in this level's colour only).
    for (const other of ['blue', 'yellow', 'orange', 'red'] as const) if (other !== level) expect(html).not.toContain(COLOUR_HEX[other])
  })

  it('says its name in English in the English UI', async () => {
    const html = await render({ level: 'orange', nameZh: '暴雨', nameEn: 'Rainstorm' }, 'en')
    expect(html).toContain('aria-label="Rainstorm Orange warning signal"')
  })

  it('yellow carries dark text (white on yellow cannot be read)', async () => {
    const html = await render({ level: 'yellow', nameZh: '暴雨', nameEn: 'Rainstorm' })
    expect(html).toMatch(/font-size="36" font-weight="700" fill="#1f2937"/)
  })

  it.each([
    ['暴雨', 36, false],
    ['寒潮', 36, false],
    ['道路结冰', 22, false],
    ['沙尘暴', 28, false],
    ['地质灾害气象风险', 22, true],
  ])('%s is written at %i px (squeezed: %s)', (name, size, fit) => {
    const s = signalText(name, 'X', 'red')
    expect(s.nameSize).toBe(size)
    expect(s.nameFit).toBe(fit)
  })
})

describe("the warning's area description", () => {
  it('is the chosen names joined with 、', () => {
    expect(areaDescOf(['平城区', '云冈区'])).toBe('平城区、云冈区')
    expect(areaDescOf([])).toBe('')
    expect(areaDescOf(['平城区', ' '])).toBe('平城区')
  })

  it.each([
    ['', '', '平城区', '平城区'],
    ['平城区', '平城区', '平城区、云冈区', '平城区、云冈区'],
    ['平城区及周边', '平城区', '平城区、云冈区', '平城区及周边'],
    ['  ', '平城区', '云冈区', '云冈区'],
  ])('typed %j, derived before %j, now %j → %j', (cur, before, next, want) => {
    expect(followAreaDesc(cur, before, next)).toBe(want)
  })

  it.each([
    ['平城区城区及周边乡镇', ['平城区'], false],
    ['平城城区', ['平城区'], false],
    ['西坪一带', ['西坪镇', '云冈区'], false],
    ['云州区北部山区', ['平城区', '云冈区'], true],
    ['全市', ['平城区'], true],
    ['', ['平城区'], false],
    ['随便', [], false],
  ])('%j against %j names none: %s', (desc, names, want) => {
    expect(areaDescNamesNone(desc, names)).toBe(want)
  })
})
