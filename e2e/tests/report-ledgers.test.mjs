// The phone 初报 without ledgers and the county report that references its
// townships' ledgers (issue #13; docs/rules.md "Ledgers at 核报, not at 初报",
// "Ledgers referenced, not repeated"), against a real `yingji demo` backend.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, PHONE } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const XINRONG_TOWN = '140212100000' // 新荣镇 (the demo reporter `xinrong`)
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

describe('ledgers are due at 核报 and referenced up the chain', () => {
  test('a township officer files a rough 初报 on a phone without ledgers: warned, not refused; the county form references the township ledger', { timeout: 240_000 }, async () => {
    const name = `E2E台账${stamp}`
    const cmd = await newPage(browser, server.url)
    let id
    try {
      await login(cmd.page, 'commander')
      const onset = new Date(Date.now() - 20 * 60_000).toISOString()
      const r = await apiFetch(cmd.page, '/api/v1/disasters', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, disaster_type: 'rainstorm', onset, townships: [XINRONG_TOWN] }),
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      id = r.body.id
    } finally {
      await cmd.context.close()
    }

    const rep = await newPage(browser, server.url, { viewport: PHONE })
    try {
      const page = rep.page
      await login(page, 'xinrong')
      await page.goto(`/report/${id}`)
      const form = page.locator('[data-testid=report-form]')
      await form.waitFor()
      assert.equal(await form.locator('[data-testid=kind-initial] input').isChecked(), true)
      // Rough numbers within the hour: 2 dead, 3 houses collapsed, no names yet.
      for (const [k, v] of [['affected', 60], ['dead', 2], ['collapsed_households', 3], ['collapsed_rooms', 7]]) {
        await form.locator(`[data-testid=field-${k}] input`).fill(String(v))
      }
      await form.locator('[data-testid=hint-casualties]').waitFor() // hinted, never blocked
      await form.locator('[data-testid=report-submit]').click()
      await page.locator('[data-testid=report-done]').waitFor()
      const flag = page.locator('[data-testid=report-flag]', { hasText: '核报时须补齐' })
      await flag.waitFor()
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scroll at 390 px')
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'report-phone-rough.png'), fullPage: true })
      const after = await apiFetch(page, `/api/v1/disasters/${id}`)
      const mine = after.body.reports.filter((x) => x.division === XINRONG_TOWN)
      assert.equal(mine.length, 1)
      assert.equal(mine[0].kind, 'initial')
      assert.equal(mine[0].casualties.length, 0)
      assert.equal(mine[0].figures.dead, 2)
      // The 续报 names one of the dead (through the API: the form is tested above).
      const f = await apiFetch(page, `/api/v1/disasters/${id}/reports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          kind: 'followup', level: 'township', division: XINRONG_TOWN,
          figures: { ...mine[0].figures },
          casualties: [{ name: '李某', status: 'dead', gender: '女', age: 72, address: '新荣镇西村', cause: '房屋倒塌' }],
        }),
      })
      assert.equal(f.status, 201, JSON.stringify(f.body))
      assert.deepEqual(rep.errors.filter((e) => !/favicon|status of (401|422)/.test(e)), [])
    } finally {
      await rep.context.close()
    }

    // The county's form (the city commander files for 新荣区): the township's
    // person is referenced, not copied into the county's own rows.
    const c2 = await newPage(browser, server.url)
    try {
      const page = c2.page
      await login(page, 'commander')
      await page.goto(`/disasters/${id}`)
      await page.locator('[data-testid=btn-upper-report]').click()
      const dialog = page.locator('[data-testid=upper-report-dialog]')
      await dialog.waitFor()
      const refd = dialog.locator('[data-testid=referenced-casualties]')
      await refd.waitFor()
      assert.match(await refd.innerText(), /引用下级台账 1 人/)
      assert.match(await refd.innerText(), /李某/)
      assert.equal(await dialog.locator('[data-testid^=casualty-]').count(), 0, 'no copied rows')
      assert.equal(await page.locator('[data-testid=btn-bulletin]').count(), 1, '信息专报 is offered')
      assert.deepEqual(c2.errors.filter((e) => !/favicon|status of 401/.test(e)), [])
    } finally {
      await c2.context.close()
    }
  })
})
