// End-to-end test of 493号令 第十条 against a real `yingji demo` backend: a
// county operator sees, for an accident its county received 3 hours ago, the
// five notifications it owes (government, police, labour, union,
// procuratorate) overdue; records one (迟报, with who and how);
// reports past the city to the province (越级上报) with a reason, which the
// chain marks while the city still owes its report. Another county cannot
// record a notification. No API is mocked.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const PINGCHENG = '140213000000' // 平城区 (the demo operator `pingcheng`)
const HOUR = 3_600_000

let server
let browser
const stamp = Date.now().toString(36).slice(-5)

before(async () => {
  server = await startBackend()
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
})

function postJson(page, p, body) {
  return apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
}

describe('accident notifications (第十条) and skip-level reports', () => {
  test('a county records a notification and reports past the city to the province', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      const now = Date.now()
      const r = await postJson(page, '/api/v1/accidents', {
        name: `E2E 通报${stamp}`,
        industry: 'construction',
        division: PINGCHENG,
        occurred_at: new Date(now - 4 * HOUR).toISOString(),
        received_at: new Date(now - 3 * HOUR).toISOString(),
        deaths: 3,
        serious_injuries: 0,
        direct_loss_yuan: 0,
        description: '',
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const id = r.body.id
      await page.goto(`/accidents/${id}`)
      const card = page.locator('[data-testid=notifications]')
      // Five county notifications, all overdue (2 h from the county's receipt).
      for (const party of ['government', 'police', 'labour', 'union', 'procuratorate']) {
        await card.locator(`[data-testid=nstatus-county-${party}] .yj-status[data-status=missing]`).waitFor()
      }
      assert.equal(await card.locator('[data-testid^=nstatus-city-]').count(), 0, 'the city has not received it')
      await card.locator('[data-testid=notification-table]', { hasText: '人民检察院' }).waitFor()

      // Record the police notification now (time left empty): done, but
      // 1 hour after its 2 hours, so 迟报; who and how are shown.
      await card.locator('[data-testid=notify-county-police]').click()
      const dlg = page.locator('[data-testid=notify-dialog]')
      await dlg.locator('input[data-testid=notify-note]').fill('电话通知 110 指挥中心值班员')
      await dlg.locator('[data-testid=notify-save]').click()
      await card.locator('[data-testid=notified-county-police]', { hasText: 'pingcheng · 电话通知 110 指挥中心值班员' }).waitFor()
      await card.locator('[data-testid=nstatus-county-police] .yj-status[data-status=late]').waitFor()
      assert.equal(await card.locator('[data-testid=notify-county-police]').count(), 0, 'recorded once')
      // The overdue list: the union still owed (漏报), the police done late (迟报).
      const overdue = await apiFetch(page, '/api/v1/reports/overdue')
      const status = Object.fromEntries(overdue.body.filter((o) => o.id === id).map((o) => [o.key, o.status]))
      assert.equal(status['notify:county:union'], 'missing', JSON.stringify(status))
      assert.equal(status['notify:county:police'], 'late', JSON.stringify(status))

      // 越级上报 to the province: the reason is required, then the chain shows it.
      await page.locator('[data-testid=btn-skip]').click()
      const skip = page.locator('[data-testid=skip-dialog]')
      await skip.locator('[data-testid=skip-province]').click()
      await skip.locator('[data-testid=skip-save]').click()
      await skip.locator('[data-testid=field-skip-reason] .el-form-item__error').waitFor()
      await skip.locator('textarea[data-testid=skip-reason]').fill('市级值班电话无人接听，伤亡较大')
      await skip.locator('[data-testid=skip-save]').click()
      await page.locator('[data-testid=chain-province]', { hasText: '越级' }).waitFor()
      // The city still owes its report (2 h from the county's receipt: 漏报).
      await page.locator('[data-testid="astep-report:city"] .yj-status[data-status=missing]').waitFor()
      await page.locator('[data-testid="astep-report:province"] .yj-status[data-status=on_time]').waitFor()
      await page.locator('[data-testid=btn-forward]', { hasText: '市级' }).waitFor()
      assert.deepEqual(errors.filter((e) => !/favicon|status of 4\d\d/.test(e)), [])

      // Another county can neither see nor record anything.
      const other = await newPage(browser, server.url)
      try {
        await login(other.page, 'yunzhou')
        const tried = await postJson(other.page, `/api/v1/accidents/${id}/notifications`, { version: 3, level: 'county', party: 'union' })
        assert.equal(tried.status, 404)
      } finally {
        await other.context.close()
      }
    } finally {
      await context.close()
    }
  })
})
