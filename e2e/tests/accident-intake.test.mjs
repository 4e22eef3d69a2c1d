// One intake (issue #13), end to end against a real `yingji demo`: the
// 平城区 duty officer takes a coal-mine call with 2 dead and 1 missing; the
// incident page links the accident record its intake opened (nothing typed
// twice); the accident page shows it graded 较大 with the incident's counts,
// the 21号令 steps (the province's 电话快报, daily 续报), and a 续报 filed there
// is listed with the same-day step. Another county cannot open it.
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

describe('一次接报：生产安全事故自动登记事故报告', () => {
  test('a coal-mine call opens its accident record; the accident page shows the 21号令 steps', { timeout: 240_000 }, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      await P.locator('[data-testid=menu-intake]').click()
      const dlg = P.locator('[data-testid=intake-dialog]')
      await dlg.waitFor()
      await dlg.locator('[data-testid=field-title] input').fill(`煤矿透水${stamp}`)
      await dlg.locator('[data-testid=field-incident_type] .el-cascader').click()
      const popper = P.locator('.yj-type-popper:visible')
      await popper.locator('.el-cascader-node', { hasText: '事故灾难' }).click()
      await popper.locator('.el-cascader-node', { hasText: '生产安全事故' }).click()
      await popper.locator('.el-cascader-node', { hasText: '煤矿事故' }).click()
      await dlg.locator('.el-dialog__header').click()
      await dlg.locator('[data-testid=source-phone]').click()
      await dlg.locator('[data-testid=fact-deaths] input').fill('2')
      await dlg.locator('[data-testid=fact-missing] input').fill('1')
      await dlg.locator('[data-testid=field-description] textarea').fill('井下透水，2 人遇难、1 人下落不明')
      await dlg.locator('[data-testid=field-description] textarea').click()
      await dlg.locator('[data-testid=intake-save]').click()
      await P.waitForURL(/\/incidents\/\d+$/)
      const incident = Number(new URL(P.url()).pathname.split('/').pop())

      // The incident page links the accident its intake opened.
      const link = P.locator('[data-testid=incident-accident]')
      await link.waitFor()
      await link.click()
      await P.waitForURL(/\/accidents\/\d+$/)
      const accident = Number(new URL(P.url()).pathname.split('/').pop())
      await P.locator('[data-testid=accident-grade]').waitFor()
      assert.equal((await P.locator('[data-testid=accident-grade]').innerText()).trim(), '较大事故')
      assert.equal((await P.locator('[data-testid=accident-deaths]').innerText()).trim(), '2')
      assert.equal((await P.locator('[data-testid=accident-missing]').innerText()).trim(), '1')
      assert.match(await P.locator('[data-testid=accident-incident]').innerText(), new RegExp(`#${incident}`))
      // 较大: the county phones the province within the hour (21号令).
      await P.locator('[data-testid="astep-phone:province"]').waitFor()
      assert.match(await P.locator('[data-testid=accident-steps]').innerText(), /县级电话快报省级（21号令）/)
      // Only one accident for the incident.
      const list = await apiFetch(P, '/api/v1/accidents')
      assert.equal(list.body.filter((a) => a.incident_id === incident).length, 1)

      // A 续报 with one more death, filed on the accident page.
      await P.locator('[data-testid=btn-supplement]').click()
      const sd = P.locator('[data-testid=supplement-dialog]')
      await sd.waitFor()
      await sd.locator('[data-testid=field-deaths] input').fill('3')
      await sd.locator('[data-testid=field-reason] textarea').fill('一名被困人员遇难')
      await sd.locator('[data-testid=supplement-save]').click()
      await P.locator('[data-testid=followups]', { hasText: '一名被困人员遇难' }).waitFor()
      await P.locator('[data-testid="astep-change:1"]').waitFor()
      assert.match(await P.locator('[data-testid="astep-change:1"]').innerText(), /按时/)
      await P.screenshot({ path: path.join(SCREENSHOTS, 'accident-from-intake.png'), fullPage: true })

      // Another county: not found.
      const other = await newPage(browser, server.url)
      try {
        await login(other.page, 'yunzhou')
        const r = await apiFetch(other.page, `/api/v1/accidents/${accident}`)
        assert.equal(r.status, 404)
      } finally {
        await other.context.close()
      }
      assert.deepEqual(errors.filter((e) => !e.startsWith('Failed to load resource')), [])
    } finally {
      await P.close()
    }
  })
})
