// End-to-end tests of 灾情管理 (disasters, township reports on a phone, overdue
// supervision, accidents) and 核心指标 against a real `yingji demo` backend.
// No API is mocked: where an endpoint is not there yet the test waits for it.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, PHONE, pickOption } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const CITY = '140200000000' // 大同市
const XINRONG_DISTRICT = '140212000000' // 新荣区
const XINRONG_TOWN = '140212100000' // 新荣镇 (the demo reporter `xinrong`)
const GUDIAN_TOWN = '140212101000' // 古店镇
const HUAYUANTUN_TOWN = '140212102000' // 花园屯镇

let server
let browser
let tmp
const stamp = Date.now().toString(36).slice(-5)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-reports-'))
  mkdirSync(SCREENSHOTS, { recursive: true })
  server = await startBackend()
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** Wait until an endpoint answers with something other than 404/405 (it may still be being built). */
async function waitForEndpoint(page, p, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs
  let last
  while (Date.now() < deadline) {
    last = await apiFetch(page, p)
    if (last.status !== 404 && last.status !== 405) return last
    await sleep(2000)
  }
  throw new Error(`${p} is not available (last status ${last?.status}): the API in docs/api-contract.md is missing`)
}

async function pickFromSelect(page, testid, text) {
  await pickOption(page, page.locator(`[data-testid=${testid}] .el-select__wrapper, [data-testid=${testid}].el-select .el-select__wrapper`).first(), text)
}

/** Fill a figure input of the report form. */
async function fig(form, key, value) {
  const input = form.locator(`[data-testid=field-${key}] input`)
  await input.fill(String(value))
}

describe('灾情管理 and 核心指标', () => {
  const disasterName = `E2E暴雨${stamp}`
  let disasterId

  test('(a) commander creates a disaster; the 新荣镇 reporter submits an 初报 on a phone; the commander sees it', { timeout: 240_000 }, async () => {
    // --- the commander creates the disaster through the dialog ---
    const cmd = await newPage(browser, server.url)
    try {
      await login(cmd.page, 'commander')
      const page = cmd.page
      await page.locator('[data-testid=menu-disaster-list]').click()
      await page.waitForURL(/\/disasters$/)
      await page.locator('[data-testid=disasters-table]').waitFor()
      await page.locator('[data-testid=btn-create-disaster]').click()
      const dlg = page.locator('[data-testid=disaster-dialog]')
      await dlg.locator('[data-testid=field-name] input').fill(disasterName)
      assert.match(await dlg.locator('[data-testid=field-disaster_type]').innerText(), /暴雨/)
      // townships: 新荣区 → 新荣镇 + 古店镇
      await dlg.locator('[data-testid=field-townships] .el-cascader').click()
      const popper = page.locator('.yj-townships-popper:visible')
      await popper.locator('.el-cascader-node', { hasText: '新荣区' }).click()
      await popper.locator('.el-cascader-node', { hasText: '新荣镇' }).locator('.el-checkbox').click()
      await popper.locator('.el-cascader-node', { hasText: '古店镇' }).locator('.el-checkbox').click()
      await dlg.locator('.el-dialog__header').click() // close the cascader panel
      await pickFromSelect(page, 'field-source', '值班接报')
      await dlg.locator('[data-testid=disaster-save]').click()
      await page.waitForURL(/\/disasters\/\d+$/)
      disasterId = Number(new URL(page.url()).pathname.split('/').pop())
      assert.ok(disasterId > 0)
      await page.locator('[data-testid=disaster-name]', { hasText: disasterName }).waitFor()
      // the names arrive after the record (codes are shown meanwhile)
      await page.locator('[data-testid=disaster-townships]', { hasText: '古店镇' }).waitFor()
      const towns = await page.locator('[data-testid=disaster-townships]').innerText()
      assert.match(towns, /新荣镇/)
      assert.match(towns, /古店镇/)
      // the township steps exist and are not yet due (待报) or due soon
      const st = page.locator(`[data-testid="step-${XINRONG_TOWN}:initial"] .yj-status`)
      await st.waitFor()
      assert.ok(['pending', 'due_soon'].includes(await st.getAttribute('data-status')))
      const api = await apiFetch(page, `/api/v1/disasters/${disasterId}`)
      assert.deepEqual(api.body.disaster.townships, [XINRONG_TOWN, GUDIAN_TOWN])
      assert.equal(api.body.disaster.source, 'intake')
      assert.equal(api.body.disaster.disaster_type, 'rainstorm')
    } finally {
      await cmd.context.close()
    }

    // --- the township reporter, on a phone ---
    const rep = await newPage(browser, server.url, { viewport: PHONE })
    try {
      const page = rep.page
      await login(page, 'xinrong')
      await page.waitForURL(/\/reporter$/)
      const card = page.locator(`[data-testid=reporter-disaster-${disasterId}]`)
      await card.waitFor()
      assert.match(await card.innerText(), new RegExp(disasterName))
      const btn = page.locator(`[data-testid=report-btn-${disasterId}]`)
      const box = await btn.boundingBox()
      assert.ok(box && box.height >= 44 && box.width >= 300, `big report button (${JSON.stringify(box)})`)
      await btn.click()
      await page.waitForURL(new RegExp(`/report/${disasterId}$`))
      const form = page.locator('[data-testid=report-form]')
      await form.waitFor()
      // one column: the figure inputs are stacked, and nothing overflows the phone's width
      const a = await form.locator('[data-testid=field-affected]').boundingBox()
      const d = await form.locator('[data-testid=field-dead]').boundingBox()
      assert.ok(d.y > a.y + a.height - 1 && Math.abs(d.x - a.x) < 2, 'figures in one column')
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scroll at 390 px')
      assert.equal(await form.locator('[data-testid=kind-initial] input').isChecked(), true, '初报 is preselected for a first report')

      // client validation: 绝收 > 受灾 is caught before anything is sent
      await fig(form, 'affected', 120)
      await fig(form, 'dead', 2)
      await fig(form, 'injured', 3)
      await fig(form, 'relocated', 40)
      await fig(form, 'need_relief', 25)
      await fig(form, 'crop_affected_ha', '15.5')
      await fig(form, 'crop_failed_ha', 20)
      await fig(form, 'collapsed_households', 1)
      await fig(form, 'collapsed_rooms', 3)
      await fig(form, 'damaged_households', 4)
      await fig(form, 'damaged_rooms', 6)
      await fig(form, 'direct_loss_yuan', 85)
      await fig(form, 'agri_loss_yuan', 30)
      await form.locator('[data-testid=report-submit]').click()
      await form.locator('[data-testid=field-crop_failed_ha] .el-form-item__error', { hasText: '绝收面积不能大于受灾面积' }).waitFor()
      await fig(form, 'crop_failed_ha', 3)

      // ledgers: one dead person (but 2 dead reported) and the collapsed house
      await form.locator('[data-testid=add-casualty]').click()
      await form.locator('[data-testid=field-casualties-0-name] input').fill('张某')
      await form.locator('[data-testid=field-casualties-0-age] input').fill('67')
      await form.locator('[data-testid=field-casualties-0-address] input').fill('新荣镇东村')
      await form.locator('[data-testid=field-casualties-0-cause] input').fill('房屋倒塌')
      await form.locator('[data-testid=add-house]').click()
      await form.locator('[data-testid=field-houses-0-householder] input').fill('王某')
      await form.locator('[data-testid=field-houses-0-rooms] input').fill('3')
      await form.locator('[data-testid=field-houses-0-address] input').fill('新荣镇东村 12 号')
      await form.locator('[data-testid=hint-casualties]').waitFor() // the mismatch is hinted, never refused before 核报 (ledgers are due at 核报)
      await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'report-phone.png'), fullPage: true })

      // 1 dead, as the ledger says: the hint goes
      await fig(form, 'dead', 1)
      await form.locator('[data-testid=hint-casualties]').waitFor({ state: 'detached' })
      await form.locator('[data-testid=report-submit]').click()
      await page.locator('[data-testid=report-done]').waitFor()
      const after = await apiFetch(page, `/api/v1/disasters/${disasterId}`)
      const mine = after.body.reports.filter((r) => r.division === XINRONG_TOWN)
      assert.equal(mine.length, 1)
      assert.equal(mine[0].kind, 'initial')
      assert.equal(mine[0].level, 'township')
      assert.equal(mine[0].figures.affected, 120)
      assert.equal(mine[0].figures.crop_affected_ha, 15.5)
      assert.equal(mine[0].casualties.length, 1)
      assert.equal(mine[0].houses[0].householder, '王某')

      // a 续报 starts from the last report; lowering a figure asks for a reason
      await page.locator('[data-testid=report-again]').click()
      await form.waitFor()
      assert.equal(await form.locator('[data-testid=kind-followup] input').isChecked(), true, '续报 after the 初报')
      assert.equal(await form.locator('[data-testid=field-affected] input').inputValue(), '120')
      assert.equal(await form.locator('[data-testid=field-reason]').count(), 0, 'no reason field while nothing decreases')
      await fig(form, 'affected', 110)
      await fig(form, 'relocated', 55)
      await form.locator('[data-testid=reason-needed]', { hasText: '受灾人口' }).waitFor()
      await form.locator('[data-testid=report-submit]').click()
      await form.locator('[data-testid=field-reason] .el-form-item__error', { hasText: '数据减少须填写说明' }).waitFor()
      await form.locator('[data-testid=field-reason] textarea').fill('核减重复统计的 10 人次')
      await form.locator('[data-testid=report-submit]').click()
      await page.locator('[data-testid=report-done]').waitFor()
      const after2 = await apiFetch(page, `/api/v1/disasters/${disasterId}`)
      const mine2 = after2.body.reports.filter((r) => r.division === XINRONG_TOWN)
      assert.equal(mine2.length, 2)
      assert.equal(mine2[1].kind, 'followup')
      assert.equal(mine2[1].figures.affected, 110)
      assert.equal(mine2[1].reason, '核减重复统计的 10 人次')
      assert.equal(mine2[1].casualties.length, 1, 'the ledgers carry over')

      // back to the list: the township's initial report is now on time
      await page.locator('[data-testid=report-back-list]').click()
      await page.waitForURL(/\/reporter$/)
      await page.locator(`[data-testid=reporter-disaster-${disasterId}] .yj-status[data-status=on_time]`).waitFor()
      assert.deepEqual(rep.errors.filter((e) => !/favicon|status of (401|422)/.test(e)), [])
    } finally {
      await rep.context.close()
    }

    // --- the commander sees 新荣镇's report and the county total ---
    const cmd2 = await newPage(browser, server.url)
    try {
      const page = cmd2.page
      await login(page, 'commander')
      await page.goto(`/disasters/${disasterId}`)
      const reports = page.locator('[data-testid=reports-table]')
      await reports.locator('[data-testid^=report-unit-]', { hasText: '新荣镇' }).first().waitFor()
      assert.match(await reports.innerText(), /初报/)
      assert.equal((await page.locator(`[data-testid=agg-reported-${XINRONG_DISTRICT}]`).innerText()).replace(/\s/g, ''), '1/2')
      assert.equal(await page.locator(`[data-testid=agg-${XINRONG_DISTRICT}-affected]`).innerText(), '110')
      assert.equal(await page.locator(`[data-testid=agg-${XINRONG_DISTRICT}-dead]`).innerText(), '1')
      assert.equal(await page.locator(`[data-testid="step-${XINRONG_TOWN}:initial"] .yj-status`).getAttribute('data-status'), 'on_time')
      assert.match(await page.locator(`[data-testid="step-${XINRONG_TOWN}:initial"]`).innerText(), /按时/)
      // the version column: the 续报 is v2 and the latest, the 初报 v1
      const ids = await reports
        .locator('[data-testid^=report-unit-]', { hasText: '新荣镇' })
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid').replace('report-unit-', ''))))
      assert.equal(ids.length, 2)
      const [v2, v1] = [Math.max(...ids), Math.min(...ids)]
      assert.match(await page.locator(`[data-testid=report-version-${v2}]`).innerText(), /v2[\s\S]*最新/)
      assert.doesNotMatch(await page.locator(`[data-testid=report-version-${v1}]`).innerText(), /最新/)
      assert.match(await reports.innerText(), /核减重复统计/)
      await page.waitForTimeout(400)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'disaster.png'), fullPage: true })

      // the county report form is pre-filled with the township totals
      await page.locator('[data-testid=btn-upper-report]').click()
      const dlg = page.locator('[data-testid=upper-report-dialog]')
      await dlg.locator('[data-testid=report-form]').waitFor()
      assert.equal(await dlg.locator('[data-testid=field-affected] input').inputValue(), '110')
      assert.equal(await dlg.locator('[data-testid=field-direct_loss_yuan] input').inputValue(), '85')
      await dlg.locator('[data-testid=report-submit]').click()
      await page.locator('.yj-report-success').waitFor()
      await page.locator('[data-testid=upper-report-dialog]').waitFor({ state: 'hidden' })
      await reports.locator('[data-testid^=report-unit-]', { hasText: '新荣区' }).first().waitFor()

      // English: step labels and statuses are translated
      await page.locator('[data-testid=lang-en]').click()
      await page.locator(`[data-testid="step-${XINRONG_TOWN}:initial"]`, { hasText: 'On time' }).waitFor()
      assert.match(await page.locator('[data-testid=steps-table]').innerText(), /Township initial report/)
      await page.locator('[data-testid=lang-zh]').click()
      assert.deepEqual(cmd2.errors.filter((e) => !/favicon|status of 401/.test(e)), [])
    } finally {
      await cmd2.context.close()
    }
  })

  test('(b) the indicators dashboard: import statistics, six charts for 大同市 with verdicts', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'commander')
      await waitForEndpoint(page, '/api/v1/indicators')
      await waitForEndpoint(page, '/api/v1/statistics')
      // accidents of past years (real records through the API) so the charts have something to show
      for (const [y, industry, deaths] of [
        [2019, 'coal_mine', 5],
        [2020, 'construction', 3],
        [2021, 'coal_mine', 2],
        [2022, 'road_traffic', 6],
      ]) {
        const r = await apiFetch(page, '/api/v1/accidents', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            name: `E2E ${y} 年事故${stamp}`,
            industry,
            division: XINRONG_DISTRICT,
            occurred_at: `${y}-06-15T10:00:00+08:00`,
            received_at: `${y}-06-15T10:40:00+08:00`,
            deaths,
            serious_injuries: 1,
            direct_loss_yuan: 800_000,
            description: '',
          }),
        })
        assert.equal(r.status, 201, JSON.stringify(r.body))
      }
      await page.locator('[data-testid=menu-indicators]').click()
      await page.waitForURL(/\/indicators/)
      await page.locator('[data-testid=indicators-division]', { hasText: '大同市' }).waitFor()

      const file = path.join(tmp, 'statistics.csv')
      const rows = [
        ['行政区划', '年份', '地区生产总值(亿元)', '常住人口', '原煤产量(万吨)'],
        [CITY, 2019, 1356.9, 3446000, 11800],
        [CITY, 2020, 1374.3, 3105000, 12100],
        [CITY, 2021, 1614.8, 3083000, 12500],
        [CITY, 2022, 1790.0, 3072000, 12900],
      ]
      writeFileSync(file, '\ufeff' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n')
      await page.locator('[data-testid=btn-import-stats] input[type=file]').setInputFiles(file)
      await page.locator('.yj-stats-imported', { hasText: '导入 4 条统计数据' }).waitFor()
      const stats = await apiFetch(page, `/api/v1/statistics?division=${CITY}`)
      assert.equal(stats.status, 200)
      assert.deepEqual(
        stats.body.map((r) => r.year).sort(),
        [2019, 2020, 2021, 2022],
      )

      await pickFromSelect(page, 'indicators-year', '2022')
      await page.waitForURL(/year=2022/)
      const grid = page.locator('[data-testid=indicators-grid]')
      await grid.locator('.el-loading-mask').waitFor({ state: 'detached' }).catch(() => {})
      const cards = grid.locator('.yj-ind')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=indicators-grid] .yj-ind canvas').length >= 6)
      assert.equal(await cards.count(), 6, 'six indicators')
      assert.equal(await grid.locator('.yj-ind canvas').count(), 6, 'six charts')
      const verdicts = grid.locator('[data-testid^=verdict-]')
      assert.equal(await verdicts.count(), 6)
      for (let i = 0; i < 6; i++) assert.match(await verdicts.nth(i).innerText(), /2022\D*· (达标|未达标|无数据)/)
      // with GDP and coal output known, the per-GDP and per-coal rates have a verdict
      assert.notEqual(await page.locator('[data-testid=verdict-deaths_per_gdp]').getAttribute('data-verdict'), 'no_data')
      // 6 deaths in 2022 against 5 in 2019: the 15 % cut is missed
      assert.equal(await page.locator('[data-testid=verdict-safety_deaths]').getAttribute('data-verdict'), 'not_met')
      assert.match(await page.locator('[data-testid=verdict-safety_deaths]').innerText(), /未达标/)
      assert.equal(await page.locator('[data-testid=statistics-table] .el-table__body tr').count(), 4)
      const dash = await apiFetch(page, `/api/v1/indicators?division=${CITY}&year=2022`)
      assert.deepEqual(dash.body.years, [2019, 2020, 2021, 2022])
      assert.equal(dash.body.series.length, 6)
      await page.waitForTimeout(1200) // chart animations
      await page.screenshot({ path: path.join(SCREENSHOTS, 'indicators.png'), fullPage: true })

      // a county of the city
      await pickFromSelect(page, 'indicators-division-select', '新荣区')
      await page.locator('[data-testid=indicators-division]', { hasText: '新荣区' }).waitFor()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=indicators-grid] .yj-ind canvas').length >= 6)
      assert.deepEqual(errors.filter((e) => !/favicon|status of 401/.test(e)), [])
    } finally {
      await context.close()
    }
  })

  test('(c) the overdue page lists a missing township report (漏报), sorted by due time', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'commander')
      const name = `E2E漏报${stamp}`
      const onset = new Date(Date.now() - 3 * 3600_000).toISOString()
      const res = await apiFetch(page, '/api/v1/disasters', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, disaster_type: 'wind_hail', onset, townships: [HUAYUANTUN_TOWN], source: 'alarm' }),
      })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      const id = res.body.id

      await page.locator('[data-testid=menu-overdue]').click()
      await page.waitForURL(/\/overdue/)
      const table = page.locator('[data-testid=overdue-table]')
      const links = table.locator(`[data-testid=overdue-link-disaster-${id}]`)
      await links.first().waitFor()
      const row = table.locator('.el-table__body tr', { has: page.locator(`[data-testid=overdue-link-disaster-${id}]`) })
      assert.match(await table.innerText(), /乡镇初报/)
      const missing = table.locator('.el-table__body tr', { has: page.locator(`[data-testid=overdue-link-disaster-${id}][data-status=missing]`) })
      assert.ok((await missing.count()) >= 1, 'a missing step')
      assert.match(await missing.first().innerText(), /漏报/)
      assert.match(await row.first().innerText(), new RegExp(name))
      const dues = await table.locator('[data-testid^=overdue-link-]').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('data-due'))))
      assert.deepEqual(dues, [...dues].sort((a, b) => a - b), 'sorted by due')
      // filter: only 漏报
      await pickFromSelect(page, 'filter-status', '漏报')
      const statuses = await table.locator('[data-testid^=overdue-link-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))
      assert.ok(statuses.length >= 1 && statuses.every((s) => s === 'missing'))
      // the link opens the disaster
      await links.first().click()
      await page.waitForURL(new RegExp(`/disasters/${id}$`))
      await page.locator(`[data-testid="step-${HUAYUANTUN_TOWN}:initial"] .yj-status[data-status=missing]`).waitFor()
      // the list page shows the missing badge
      await page.locator('[data-testid=btn-back]').click()
      await page.locator(`[data-testid=badges-${id}]`, { hasText: '漏报' }).waitFor()
    } finally {
      await context.close()
    }
  })

  test('(d) a county operator records an accident: grade with reasons, forward, 补报', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await page.locator('[data-testid=menu-accidents]').click()
      await page.waitForURL(/\/accidents$/)
      await page.locator('[data-testid=btn-create-accident]').click()
      const dlg = page.locator('[data-testid=accident-dialog]')
      const name = `E2E事故${stamp}`
      await dlg.locator('[data-testid=field-name] input').fill(name)
      await dlg.locator('[data-testid=field-deaths] input').fill('3')
      await dlg.locator('[data-testid=field-serious_injuries] input').fill('2')
      await dlg.locator('[data-testid=field-direct_loss_yuan] input').fill('500000')
      await dlg.locator('[data-testid=field-description] textarea').fill('E2E 测试')
      await dlg.locator('[data-testid=accident-save]').click()
      await page.waitForURL(/\/accidents\/\d+$/)
      await page.locator('[data-testid=accident-grade]', { hasText: '较大事故' }).waitFor()
      assert.match(await page.locator('[data-testid=grade-reasons]').innerText(), /死亡 3 人/)
      // forward to the city
      await page.locator('[data-testid=btn-forward]', { hasText: '市级' }).click()
      await page.locator('.el-message-box__btns .el-button--primary').click()
      await page.locator('[data-testid=btn-forward]', { hasText: '省级' }).waitFor()
      assert.equal(await page.locator('[data-testid="astep-report:city"] .yj-status').getAttribute('data-status'), 'on_time')
      // 补报 needs a reason
      await page.locator('[data-testid=btn-supplement]').click()
      const sup = page.locator('[data-testid=supplement-dialog]')
      await sup.locator('[data-testid=field-deaths] input').fill('4')
      await sup.locator('[data-testid=supplement-save]').click()
      await sup.locator('[data-testid=field-reason] .el-form-item__error').waitFor()
      await sup.locator('[data-testid=field-reason] textarea').fill('一名重伤人员经抢救无效死亡')
      await sup.locator('[data-testid=supplement-save]').click()
      await page.locator('[data-testid=accident-deaths]', { hasText: '4' }).waitFor()
      assert.deepEqual(errors.filter((e) => !/favicon|status of 401/.test(e)), [])
    } finally {
      await context.close()
    }
  })
})
