// 监督管理 end to end against a real `yingji demo`: the demo enterprise user
// (qiye, 云冈区) reports a hidden hazard of their own enterprise; the 云冈区
// operator (yungang) grades it 重大 and lists it for supervision (挂牌督办);
// the enterprise plans the rectification with the five in place and reports
// it done; the operator accepts it on site and closes it (销号). The buttons
// are the server's allowed_events at every step; the history shows each
// step. The commander's list highlights the demo's overdue hazards.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

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

const realErrors = (errors) => errors.filter((e) => !e.startsWith('Failed to load resource'))

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

/** The step buttons shown, in order. */
async function buttons(page) {
  const bar = page.locator('[data-testid=hazard-actions]')
  await bar.waitFor()
  return bar.locator('button').evaluateAll((bs) => bs.map((b) => b.dataset.testid.replace('btn-hazard-', '')))
}

/** Take a step through its dialog; `fill` fills the step's fields. */
async function take(page, kind, fill = async () => {}) {
  await page.locator(`[data-testid=btn-hazard-${kind}]`).click()
  const d = page.locator('[data-testid=hazard-step-dialog]')
  await d.waitFor()
  await fill(d)
  await d.locator('[data-testid=step-submit]').click()
  await d.waitFor({ state: 'hidden' })
}

describe('监督管理: a self-reported hazard from report to 销号', () => {
  test('the enterprise reports, the county lists it, the enterprise rectifies, the county accepts and closes', { timeout: 240_000 }, async () => {
    const ent = await newPage(browser, server.url)
    const op = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url)
    try {
      await login(ent.page, 'qiye')
      await login(op.page, 'yungang')
      await login(cmd.page, 'commander')
      const E = ent.page
      const O = op.page
      const C = cmd.page

      // --- the enterprise reports from the menu ---
      await E.locator('[data-testid=menu-hazards]').click()
      await E.waitForURL(/\/supervision\/hazards$/)
      await E.locator('[data-testid=hazards-table]').waitFor()
      // The demo gives its enterprise hazards of its own, and only those.
      const mine = await apiFetch(E, '/api/v1/supervision/hazards')
      assert.equal(mine.status, 200)
      const enterprises = new Set(mine.body.items.map((h) => h.enterprise_id))
      assert.equal(enterprises.size, 1, JSON.stringify([...enterprises]))
      await E.locator('[data-testid=btn-report-hazard]').click()
      const rd = E.locator('[data-testid=hazard-report-dialog]')
      await rd.waitFor()
      // One enterprise: chosen already.
      await rd.locator('[data-testid=hazard-enterprise]', { hasText: '有限' }).waitFor()
      const title = `主通风机备用电源切换失败${stamp}`
      await rd.locator('[data-testid=hazard-title]').fill(title)
      await rd.locator('[data-testid=hazard-location]').fill('主扇房')
      await rd.locator('[data-testid=hazard-report-submit]').click()
      await E.waitForURL(/\/supervision\/hazards\/\d+$/)
      const id = Number(E.url().match(/(\d+)$/)[1])
      await E.locator('[data-testid=hazard-state][data-state=reported]').waitFor()
      assert.deepEqual(await buttons(E), [], 'the enterprise does not grade its own hazard')

      // --- the county grades it 重大 and lists it ---
      await O.goto(`${server.url}/supervision/hazards/${id}`)
      await O.locator('[data-testid=hazard-state][data-state=reported]').waitFor()
      assert.deepEqual(await buttons(O), ['confirm'])
      await take(O, 'confirm', async (d) => {
        await d.locator('[data-testid=step-grade] label', { hasText: '重大隐患' }).click()
      })
      await O.locator('[data-testid=hazard-grade]', { hasText: '重大隐患' }).waitFor()
      assert.deepEqual(await buttons(O), ['rectify', 'list'])
      await take(O, 'list', async (d) => {
        await d.locator('[data-testid=step-note]').fill('区级挂牌督办，限期整改')
      })
      await O.locator('[data-testid=hazard-listed]').waitFor()
      assert.deepEqual(await buttons(O), ['rectify'])

      // --- the enterprise plans the rectification: without funds it is refused on the field ---
      await E.reload()
      await E.locator('[data-testid=hazard-listed]').waitFor()
      assert.deepEqual(await buttons(E), ['rectify'])
      const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10)
      await E.locator('[data-testid=btn-hazard-rectify]').click()
      const sd = E.locator('[data-testid=hazard-step-dialog]')
      await sd.waitFor()
      await sd.locator('[data-testid=step-measures]').fill('更换双电源自动切换装置，增设在线监测')
      await sd.locator('[data-testid=step-responsible]').fill('王矿长')
      await sd.locator('[data-testid=step-deadline-item] input').fill(tomorrow)
      await sd.locator('[data-testid=step-deadline-item] input').press('Enter')
      await sd.locator('[data-testid=step-contingency]').fill('切换失败时立即停产撤人')
      await sd.locator('[data-testid=step-submit]').click()
      await sd.locator('.el-form-item__error', { hasText: '资金' }).waitFor()
      await sd.locator('[data-testid=step-funds-item] input').fill('120000')
      await sd.locator('[data-testid=step-submit]').click()
      await sd.waitFor({ state: 'hidden' })
      await E.locator('[data-testid=hazard-state][data-state=rectifying]').waitFor()
      await E.locator('[data-testid=hazard-deadline]', { hasText: tomorrow }).waitFor()
      await take(E, 'report_rectified', async (d) => {
        await d.locator('[data-testid=step-report]').fill('已更换切换装置，带载试验合格')
      })
      await E.locator('[data-testid=hazard-state][data-state=rectified]').waitFor()
      assert.deepEqual(await buttons(E), [], 'the enterprise does not accept its own work')

      // --- the county accepts on site and closes it ---
      await O.reload()
      await O.locator('[data-testid=hazard-state][data-state=rectified]').waitFor()
      assert.deepEqual(await buttons(O), ['return', 'accept'])
      await take(O, 'accept', async (d) => {
        await d.locator('[data-testid=step-note]').fill('现场验收合格')
      })
      await O.locator('[data-testid=hazard-state][data-state=verified]').waitFor()
      assert.deepEqual(await buttons(O), ['close'])
      await take(O, 'close')
      await O.locator('[data-testid=hazard-state][data-state=closed]').waitFor()
      assert.deepEqual(await buttons(O), [])
      const kinds = await O.locator('[data-testid=hazard-timeline] [data-kind]').evaluateAll((xs) => xs.map((x) => x.dataset.kind))
      assert.deepEqual(kinds, ['reported', 'confirm', 'list', 'rectify', 'report_rectified', 'accept', 'close'])
      await shoot(O, 'supervision-hazard.png')

      // The server agrees, and the journal has who did each step.
      const h = await apiFetch(O, `/api/v1/supervision/hazards/${id}`)
      assert.equal(h.body.state, 'closed')
      assert.deepEqual(
        h.body.timeline.map((s) => s.actor),
        ['qiye', 'yungang', 'yungang', 'qiye', 'qiye', 'yungang', 'yungang'],
      )

      // --- the city's list: overdue ones highlighted, the closed hazard under its filter ---
      await C.goto(`${server.url}/supervision/hazards`)
      await C.locator('[data-testid=hazards-table]').waitFor()
      await C.locator('[data-testid=hazards-overdue-only]').click()
      await C.locator('[data-testid=hazards-table] tr.yj-overdue').first().waitFor()
      const overdue = await C.locator('[data-testid=hazards-table] [data-overdue]').evaluateAll((xs) => xs.map((x) => x.dataset.overdue))
      assert.ok(overdue.length > 0 && overdue.every((x) => x === 'true'), JSON.stringify(overdue))
      await shoot(C, 'supervision-hazards.png')
      await C.locator('[data-testid=hazards-overdue-only]').click()
      await C.locator('[data-testid=hazards-open]').click()
      await C.locator(`[data-testid=hazard-${id}][data-state=closed]`).waitFor()

      // --- risk points: every demo enterprise has a colour ---
      await C.locator('[data-testid=menu-risk-points]').click()
      await C.locator('[data-testid=risk-points-table]').waitFor()
      // The 40 demo enterprises, each with its colour.
      await C.locator('[data-testid^=enterprise-risk-]').nth(39).waitFor()
      const colours = await C.locator('[data-testid^=enterprise-risk-]').evaluateAll((xs) => xs.map((x) => x.dataset.colour))
      assert.equal(colours.length, 40)
      assert.ok(colours.every((c) => ['red', 'orange', 'yellow', 'blue'].includes(c)), JSON.stringify(colours))
      await shoot(C, 'supervision-risk-points.png')

      // --- the enterprise page leads to its own risk points and colour ---
      await E.goto(`${server.url}/registry/enterprise`)
      const link = E.locator('[data-testid^=enterprise-risks-]').first()
      await link.waitFor()
      await link.click()
      await E.waitForURL(/\/supervision\/risk-points\?enterprise_id=\d+$/)
      await E.locator('[data-testid^=enterprise-risk-]').first().waitFor()
      assert.equal(await E.locator('[data-testid^=enterprise-risk-]').count(), 1)
      assert.ok((await E.locator('[data-testid=risk-points-table] tbody tr').count()) >= 1)

      assert.deepEqual(realErrors(ent.errors), [])
      assert.deepEqual(realErrors(op.errors), [])
      assert.deepEqual(realErrors(cmd.errors), [])
    } finally {
      await ent.context.close()
      await op.context.close()
      await cmd.context.close()
    }
  })
})
