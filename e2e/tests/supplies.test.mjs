// 救灾物资 end to end against a real `yingji demo`: the 平城区 operator
// (pingcheng) drafts a 入库 of 棉帐篷 into the county warehouse with a batch
// and an expiry, approves and posts it (the postings show both sides), then
// drafts, approves and posts a 出库 of part of it (first expiry first) and
// sees the balance on the stock page; the alerts page lists the demo's
// alerts. Posted documents offer only “reverse”.
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

async function pick(scope, page, testid, text) {
  await scope.locator(`[data-testid=${testid}] .el-select__wrapper, [data-testid=${testid}].el-select .el-select__wrapper`).first().click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

/** The step buttons shown, in order. */
async function steps(page) {
  await page.locator('[data-testid=doc-state]').waitFor()
  return page.locator('button[data-testid^=btn-]').evaluateAll((bs) => bs.map((b) => b.dataset.testid.replace('btn-', '')))
}

async function draftDoc(P, kind, warehouse, item, qty, batch) {
  await P.locator('[data-testid=menu-supply-documents]').click()
  await P.waitForURL(/\/supplies\/documents$/)
  await P.locator('[data-testid=btn-new-doc]').click()
  const dlg = P.locator('.el-dialog', { has: P.locator('[data-testid=doc-save]') })
  await dlg.waitFor()
  await dlg.locator(`[data-testid=doc-kind-${kind}]`).click()
  await pick(dlg, P, 'doc-warehouse', warehouse)
  await pick(dlg, P, 'line-0-item', item)
  const q = dlg.locator('[data-testid=line-0-qty] input')
  await q.fill(String(qty))
  if (batch) await dlg.locator('input[data-testid=line-0-batch], [data-testid=line-0-batch] input').fill(batch)
  await dlg.locator('input[data-testid=doc-note], [data-testid=doc-note] input').fill(`浏览器测试 ${stamp}`)
  await dlg.locator('[data-testid=doc-save]').click()
  await P.waitForURL(/\/supplies\/documents\/\d+$/)
  return Number(P.url().split('/').pop())
}

async function approveAndPost(P) {
  assert.deepEqual(await steps(P), ['approve', 'delete'])
  await P.locator('[data-testid=btn-approve]').click()
  await P.locator('[data-testid=doc-state][data-state=approved]').waitFor()
  assert.deepEqual(await steps(P), ['post', 'delete'])
  await P.locator('[data-testid=btn-post]').click()
  await P.locator('[data-testid=doc-state][data-state=posted]').waitFor()
  await P.locator('[data-testid=doc-postings]').waitFor()
  assert.deepEqual(await steps(P), ['reverse'])
}

describe('救灾物资: a receipt and an issue through the ledger', { timeout: 300_000 }, () => {
  test('the county drafts, approves and posts a 入库 and a 出库 and sees the balance', async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      const ws = await apiFetch(P, '/api/v1/supplies/warehouses')
      assert.equal(ws.status, 200)
      const w = ws.body.find((x) => x.own && x.name.includes('平城区'))
      assert.ok(w, JSON.stringify(ws.body))
      const items = await apiFetch(P, '/api/v1/supplies/items')
      const tent = items.body.find((i) => i.name === '棉帐篷')
      const before = await apiFetch(P, `/api/v1/supplies/stock?warehouse_id=${w.id}&item_id=${tent.id}`)
      const had = before.body.reduce((s, r) => s + r.qty, 0)
      assert.ok(had > 0, 'the demo put stock there through the ledger')

      // 入库 of 25, a named batch.
      const batch = `E2E-${stamp}`
      const rk = await draftDoc(P, 'receipt', w.name, '棉帐篷', 25, batch)
      await shoot(P, 'supplies-receipt-draft.png')
      await approveAndPost(P)
      const posted = await apiFetch(P, `/api/v1/supplies/documents/${rk}`)
      assert.deepEqual(posted.body.postings.map((p) => p.delta).sort((a, b) => a - b), [-25, 25])

      // 出库 of 30 without a batch: first expiry first.
      await draftDoc(P, 'issue', w.name, '棉帐篷', 30)
      await approveAndPost(P)
      await shoot(P, 'supplies-issue-posted.png')

      // The balance on the stock page.
      await P.locator('[data-testid=menu-supply-stock]').click()
      await P.waitForURL(/\/supplies\/stock$/)
      await pick(P, P, 'stock-warehouse', w.name)
      await P.locator(`[data-testid=qty-${w.id}-${tent.id}-${batch}]`).waitFor()
      const after = await apiFetch(P, `/api/v1/supplies/stock?warehouse_id=${w.id}&item_id=${tent.id}`)
      assert.equal(after.body.reduce((s, r) => s + r.qty, 0), had + 25 - 30)
      const shown = await P.locator('[data-testid=stock-table] b[data-testid^=qty-]').evaluateAll((bs) => bs.map((b) => Number(b.textContent)))
      assert.ok(shown.length > 0)
      await shoot(P, 'supplies-stock.png')

      // Alerts: the demo's minimum and near-expiry batches.
      await P.locator('[data-testid=menu-supply-alerts]').click()
      await P.locator('[data-testid=alerts-table]').waitFor()
      await shoot(P, 'supplies-alerts.png')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await P.context().close()
    }
  })
})
