// End-to-end test of 事故调查 (493号令 第二十九条、第三十二条) against a real
// `yingji demo` backend: a county operator sets up the investigation team of
// an accident whose 60 days have run out (overdue shown), extends it by the
// days the government approved (the deadline moves), submits the report
// (the reply deadline appears) and records the reply. Another county cannot
// open the accident. No API is mocked.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const PINGCHENG = '140213000000' // 平城区 (the demo operator `pingcheng`)
const DAY = 86_400_000

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

/**
 * 24:00 (Beijing) of the n-th day after the day of `t`, as the Chinese page
 * prints it: `YYYY/MM/DD 00:00` of the next day (or `… 24:00` of the last
 * day, as some ICU versions write midnight), as a RegExp.
 */
function dueShown(t, days) {
  const p = (n) => String(n).padStart(2, '0')
  const day = (k) => {
    const local = new Date(t.getTime() + 8 * 3600_000)
    const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + k))
    return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}`
  }
  return new RegExp(`${day(days + 1)} 00:00|${day(days)} 24:00`)
}

/** POST a JSON body with the page's session. */
function postJson(page, p, body) {
  return apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
}

describe('accident investigation', () => {
  test('a county operator opens, extends, submits and replies; deadlines and overdue shown', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      /** An accident `daysAgo` days ago (through the API: the form is tested elsewhere). */
      async function accident(daysAgo) {
        const occurred = new Date(Date.now() - daysAgo * DAY)
        const r = await postJson(page, '/api/v1/accidents', {
          name: `E2E 调查${stamp}-${daysAgo}`,
          industry: 'construction',
          division: PINGCHENG,
          occurred_at: occurred.toISOString(),
          deaths: 1,
          serious_injuries: 0,
          direct_loss_yuan: 0,
          description: '',
        })
        assert.equal(r.status, 201, JSON.stringify(r.body))
        return { id: r.body.id, occurred }
      }
      const card = page.locator('[data-testid=investigation]')
      const dlg = page.locator('[data-testid=investigation-dialog]')

      // 70 days ago: the 60 days (from the day after, to 24:00) have run out.
      const old = await accident(70)
      await page.goto(`/accidents/${old.id}`)
      await card.locator('[data-testid=inv-state]', { hasText: '尚未成立调查组' }).waitFor()
      assert.match(await card.locator('[data-testid=inv-report-due]').innerText(), dueShown(old.occurred, 60))
      await card.locator('[data-testid=inv-report-overdue]').waitFor()
      assert.equal(await card.locator('[data-testid=inv-extend]').count(), 0, 'nothing but open before the team exists')
      // Set up the team: the leader is required (the form says so before sending).
      await card.locator('[data-testid=inv-open]').click()
      await dlg.locator('[data-testid=inv-save]').click()
      await dlg.locator('[data-testid=field-team_lead] .el-form-item__error').waitFor()
      await dlg.locator('input[data-testid=inv-team-lead]').fill('张三')
      await dlg.locator('[data-testid=inv-save]').click()
      await card.locator('[data-testid=inv-state]', { hasText: '调查中' }).waitFor()
      // Extending after the 60 days is refused by the server, on the time field.
      await card.locator('[data-testid=inv-extend]').click()
      await dlg.locator('[data-testid=field-days] input').fill('20')
      await dlg.locator('input[data-testid=inv-basis]').fill('平城区人民政府 平政函〔2026〕5号')
      await dlg.locator('[data-testid=inv-save]').click()
      await dlg.locator('[data-testid=field-at] .el-form-item__error', { hasText: '届满' }).waitFor()
      await dlg.locator('.el-dialog__footer .el-button', { hasText: '取消' }).click()

      // 10 days ago, its team set up (through the API): extended by the 20 days approved.
      const { id, occurred } = await accident(10)
      const opened = await postJson(page, `/api/v1/accidents/${id}/investigation`, { team_lead: '李四' })
      assert.equal(opened.status, 201, JSON.stringify(opened.body))
      await page.goto(`/accidents/${id}`)
      await card.locator('[data-testid=inv-state]', { hasText: '调查中' }).waitFor()
      assert.match(await card.locator('[data-testid=inv-report-due]').innerText(), dueShown(occurred, 60))
      await card.locator('[data-testid=inv-extend]').click()
      await dlg.locator('[data-testid=field-days] input').fill('20')
      await dlg.locator('input[data-testid=inv-basis]').fill('平城区人民政府 平政函〔2026〕6号')
      await dlg.locator('[data-testid=inv-save]').click()
      await card.locator('[data-testid=inv-extension]', { hasText: '20 日' }).waitFor()
      assert.match(await card.locator('[data-testid=inv-report-due]').innerText(), dueShown(occurred, 80))
      assert.equal(await card.locator('[data-testid=inv-report-overdue]').count(), 0)
      assert.equal(await card.locator('[data-testid=inv-extend]').count(), 0, 'extended once only')
      // A technical appraisal of 5 days does not count (第二十七条第二款): the deadline moves again.
      await card.locator('[data-testid=inv-appraisal]').click()
      await dlg.locator('[data-testid=field-days] input').fill('5')
      await dlg.locator('input[data-testid=inv-basis]').fill('支架失效原因鉴定（某检测中心）')
      await dlg.locator('[data-testid=inv-save]').click()
      await card.locator('[data-testid=inv-appraisal-days]', { hasText: '5 日' }).waitFor()
      assert.match(await card.locator('[data-testid=inv-report-due]').innerText(), dueShown(occurred, 85))

      // Submit the report: the reply deadline (15 days, 一般事故) appears.
      await card.locator('[data-testid=inv-submit]').click()
      await dlg.locator('[data-testid=inv-save]').click()
      await card.locator('[data-testid=inv-state]', { hasText: '报告已提交' }).waitFor()
      assert.match(await card.locator('[data-testid=inv-reply-due]').innerText(), dueShown(new Date(), 15))
      assert.equal(await card.locator('[data-testid=inv-extend_reply]').count(), 0, 'only 特别重大 may extend the reply')
      await page.locator('[data-testid="astep-reply"] .yj-status[data-status=pending]').waitFor()

      // Reply with its document number.
      await card.locator('[data-testid=inv-reply]').click()
      await dlg.locator('[data-testid=inv-save]').click()
      await dlg.locator('[data-testid=field-document] .el-form-item__error').waitFor()
      await dlg.locator('input[data-testid=inv-document]').fill('平政函〔2026〕9号')
      await dlg.locator('[data-testid=inv-save]').click()
      await card.locator('[data-testid=inv-state]', { hasText: '已批复' }).waitFor()
      await card.locator('[data-testid=inv-replied]', { hasText: '平政函〔2026〕9号' }).waitFor()
      await page.locator('[data-testid="astep-reply"] .yj-status[data-status=on_time]').waitFor()
      assert.deepEqual(errors.filter((e) => !/favicon|status of 4\d\d/.test(e)), [])

      // Another county does not see the accident at all.
      const other = await newPage(browser, server.url)
      try {
        await login(other.page, 'yunzhou')
        const seen = await apiFetch(other.page, `/api/v1/accidents/${id}`)
        assert.equal(seen.status, 404)
      } finally {
        await other.context.close()
      }
    } finally {
      await context.close()
    }
  })
})
