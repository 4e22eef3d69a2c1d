// 监督管理, second slice, end to end against a real `yingji demo`:
// - 重大危险源: the 云冈区 operator sees the demo's graded units, enters a new
//   液氯 storage unit and watches the server's GB 18218 worksheet grade it
//   (50 t, 60 people: R = 1.5 × 4 × 10 = 60, 二级) before saving it;
// - 双随机: the commander draws a city plan (recorded, reproduced); one of
//   the drawn inspectors starts the inspection, records a finding and
//   turns it into a hidden hazard in one action, landing on the hazard;
// - the statistics table and its XLSX export;
// - the risk-point form (LEC) on the risk page.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, pickOption } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const stamp = Date.now().toString(36).slice(-5)

let server
let browser

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  server = await startBackend()
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
})

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

const pick = pickOption

describe('监督管理: 重大危险源, 双随机 inspections, statistics', () => {
  test('a unit is graded by GB 18218 as it is entered', { timeout: 240_000 }, async () => {
    const { page: P } = await newPage(browser, server.url)
    await login(P, 'yungang')
    await P.locator('[data-testid=menu-major-hazards]').click()
    await P.waitForURL(/\/supervision\/major-hazards$/)
    await P.locator('[data-testid=gb18218-scope]', { hasText: '尾矿库' }).waitFor()
    // The demo's units of 云冈区, graded by the rule (LPG… none here; 液氨 600 t, 150 people: 一级).
    await P.locator('[data-testid^=unit-][data-grade="1"]').first().waitFor()

    await P.locator('[data-testid=btn-new-unit]').click()
    const d = P.locator('[data-testid=unit-dialog]')
    await d.waitFor()
    await pick(P, d.locator('[data-testid=unit-enterprise]'), '鑫瑞')
    await d.locator('input[data-testid=unit-name], [data-testid=unit-name] input').fill(`液氯钢瓶库${stamp}`)
    await pick(P, d.locator('[data-testid=line-pick-0]'), '氯（液氯）')
    await d.locator('input[data-testid=line-q-0], [data-testid=line-q-0] input').fill('50')
    await d.locator('input[data-testid=unit-people], [data-testid=unit-people] input').fill('60')
    await d.locator('input[data-testid=unit-people], [data-testid=unit-people] input').press('Tab')
    // The server's worksheet: S = 10, α = 1.5, R = 60 → 二级.
    await d.locator('[data-testid=unit-result][data-grade="2"]', { hasText: '60.00' }).waitFor()
    await shoot(P, 'supervision-major-hazard-form.png')
    await d.locator('[data-testid=unit-submit]').click()
    await d.waitFor({ state: 'hidden' })
    const row = P.locator('[data-testid^=unit-]', { hasText: `液氯钢瓶库${stamp}` })
    await row.waitFor()
    assert.equal(await row.getAttribute('data-grade'), '2')
    // Expand it: the worksheet with its table 3 β.
    await P.locator('tr', { has: row }).locator('.el-table__expand-icon').click()
    await P.locator('[data-testid^=worksheet-]', { hasText: '表3' }).first().waitFor()
    await shoot(P, 'supervision-major-hazards.png')
  })

  test('the commander draws, an inspector turns a finding into a hazard', { timeout: 240_000 }, async () => {
    const { page: C } = await newPage(browser, server.url)
    await login(C, 'commander')
    await C.locator('[data-testid=menu-inspections]').click()
    await C.waitForURL(/\/supervision\/inspections$/)
    // The demo's city plan is listed and reproduces from its record.
    const draws = await apiFetch(C, '/api/v1/supervision/inspection-draws')
    assert.equal(draws.status, 200)
    assert.ok(draws.body.length >= 1)
    await C.locator(`[data-testid=draw-${draws.body[0].id}]`).click()
    await C.locator('[data-testid=draw-reproduced]', { hasText: '复现一致' }).waitFor()
    await C.keyboard.press('Escape')

    await C.locator('[data-testid=btn-draw]').click()
    const d = C.locator('[data-testid=draw-dialog]')
    await d.waitFor()
    await d.locator('[data-testid=draw-pool]').waitFor()
    await d.locator('input[data-testid=draw-title], [data-testid=draw-title] input').fill(`年终安全检查${stamp}`)
    await d.locator('input[data-testid=draw-n], [data-testid=draw-n] input').fill('3')
    await d.locator('[data-testid=draw-submit]').click()
    await d.locator('[data-testid=draw-reproduced]', { hasText: '复现一致' }).waitFor()
    assert.equal((await d.locator('[data-testid=draw-seed]').innerText()).length, 32)
    await shoot(C, 'supervision-draw.png')
    await C.keyboard.press('Escape')

    // One of the drawn inspections, by one of its inspectors.
    const list = await apiFetch(C, '/api/v1/supervision/inspections?state=planned')
    const i = list.body[0]
    const who = i.inspectors[0]
    const { page: I } = await newPage(browser, server.url)
    await login(I, who)
    await I.goto(`${server.url}/supervision/inspections/${i.id}`)
    await I.locator('[data-testid=inspection-state][data-state=planned]').waitFor()
    await I.locator('[data-testid=inspection-start]').click()
    await I.locator('[data-testid=inspection-state][data-state=in_progress]').waitFor()
    const f = I.locator('[data-testid=finding-form]')
    await f.locator('[data-testid=finding-submit]').click()
    await f.locator('.el-form-item__error').first().waitFor() // the title is required
    await f.locator('input[data-testid=finding-title], [data-testid=finding-title] input').fill(`可燃气体报警仪未检定${stamp}`)
    await f.locator('input[data-testid=finding-basis], [data-testid=finding-basis] input').fill('GB/T 50493-2019 第5.1.4条')
    await f.locator('[data-testid=finding-submit]').click()
    const btn = I.locator('[data-testid^=finding-to-hazard-]')
    await btn.waitFor()
    await shoot(I, 'supervision-inspection.png')
    await btn.click()
    const link = I.locator('[data-testid^=finding-hazard-]')
    await link.waitFor()
    // The hazard is in the hazard loop of the enterprise's county.
    const hid = Number((await link.getAttribute('href')).match(/(\d+)$/)[1])
    const h = await apiFetch(C, `/api/v1/supervision/hazards/${hid}`)
    assert.equal(h.status, 200)
    assert.equal(h.body.state, 'reported')
    assert.equal(h.body.title, `可燃气体报警仪未检定${stamp}`)
    assert.equal(h.body.source, 'routine')
  })

  test('statistics by county, exported; a risk point assessed by LEC', { timeout: 240_000 }, async () => {
    const { page: C } = await newPage(browser, server.url)
    await login(C, 'commander')
    await C.locator('[data-testid=menu-supervision-stats]').click()
    await C.waitForURL(/\/supervision\/stats$/)
    const table = C.locator('[data-testid=stats-table]')
    await table.locator('td', { hasText: '云冈区' }).first().waitFor()
    await table.locator('td', { hasText: '合计' }).first().waitFor()
    const href = await C.locator('[data-testid=stats-export]').getAttribute('href')
    const r = await apiFetch(C, href)
    assert.equal(r.status, 200)
    await shoot(C, 'supervision-stats.png')

    await C.locator('[data-testid=menu-risk-points]').click()
    await C.waitForURL(/\/supervision\/risk-points$/)
    await C.locator('[data-testid=btn-new-risk-point]').click()
    const d = C.locator('[data-testid=risk-point-dialog]')
    await d.waitFor()
    await pick(C, d.locator('[data-testid=risk-enterprise]'), '鑫瑞')
    await d.locator('input[data-testid=risk-name], [data-testid=risk-name] input').fill(`液氯汽化器${stamp}`)
    await pick(C, d.locator('[data-testid=risk-l]'), '6')
    await pick(C, d.locator('[data-testid=risk-c]'), '15')
    await d.locator('[data-testid=risk-submit]').click()
    await d.waitFor({ state: 'hidden' })
    // 6 × 6 × 15 = 540: 重大风险 (red).
    const row = C.locator('[data-testid=risk-points-table] tr', { hasText: `液氯汽化器${stamp}` })
    await row.waitFor()
    await row.getByText('重大风险').waitFor()
  })
})
