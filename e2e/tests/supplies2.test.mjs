// 救灾物资 (2) end to end against a real `yingji demo`, each test with its
// own time budget:
//
// 物资台账卡: from the stock page pingcheng opens the card of 棉帐篷 in the
// county warehouse; its closing balance is the stock; the XLSX downloads.
//
// 盘点导入: a count file with a wrong quantity is refused, naming row 2 and
// its column, nothing drafted; a right one drafts a 盘点单 (draft).
//
// 物资发放: pingcheng opens a shelter with a household in, distributes 棉帐篷
// from it (the list drafts a relief 出库单); the commander approves,
// pingcheng posts, and the household signs (签收) on the document's page.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, pickOption } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const PER_TEST = { timeout: 180_000 }

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
  await page.waitForTimeout(300)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

/** 平城区's own warehouse and the demo's 棉帐篷. */
async function countyTent(P) {
  const ws = await apiFetch(P, '/api/v1/supplies/warehouses')
  const w = ws.body.find((x) => x.own && x.name.includes('平城区'))
  assert.ok(w, JSON.stringify(ws.body))
  const items = await apiFetch(P, '/api/v1/supplies/items')
  const tent = items.body.find((i) => i.name === '棉帐篷')
  const stock = await apiFetch(P, `/api/v1/supplies/stock?warehouse_id=${w.id}&item_id=${tent.id}`)
  return { w, tent, stock: stock.body }
}

describe('救灾物资 (2): the stock card, a count import, a signed distribution', () => {
  test('the stock card opens from the stock page and ends at the stock', PER_TEST, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      const { w, tent, stock } = await countyTent(P)
      const had = stock.reduce((s, r) => s + r.qty, 0)
      assert.ok(had > 0)
      await P.goto('/supplies/stock')
      await pickOption(P, P.locator('[data-testid=stock-warehouse] .el-select__wrapper').first(), w.name)
      const link = P.locator(`[data-testid^=card-link-${w.id}-${tent.id}-]`).first()
      await link.waitFor()
      await link.click()
      await P.waitForURL(/\/supplies\/card\?/)
      await P.locator('[data-testid=card-closing]').waitFor()
      assert.equal(Number(await P.locator('[data-testid=card-closing]').textContent()), had)
      const rows = await P.locator('[data-testid=card-table] tbody tr').count()
      assert.ok(rows > 0, 'the demo posted this month')
      const href = await P.locator('[data-testid=card-export]').getAttribute('href')
      const x = await apiFetch(P, href)
      assert.equal(x.status, 200)
      await shoot(P, 'supplies-stock-card.png')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await P.close()
    }
  })

  test('a count file is refused with its row and column, then drafts a 盘点单', PER_TEST, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      const { w, tent, stock } = await countyTent(P)
      const before = await apiFetch(P, '/api/v1/supplies/documents?kind=count')
      await P.goto('/supplies/documents')
      const input = P.locator('[data-testid=btn-import-count] input[type=file]')
      await input.setInputFiles({ name: 'count.csv', mimeType: 'text/csv', buffer: Buffer.from(`仓库,物资代码,批次,数量\n${w.name},${tent.code},${stock[0].batch_no},x\n`) })
      const dlg = P.locator('[data-testid=count-import-errors]')
      await dlg.locator('[data-testid=count-import-errors-table] tbody tr').first().waitFor()
      const cells = await dlg.locator('[data-testid=count-import-errors-table] tbody tr td').allTextContents()
      assert.equal(cells[0].trim(), '2', cells.join('|'))
      assert.equal(cells[1].trim(), 'qty', cells.join('|'))
      await shoot(P, 'supplies-count-import-errors.png')
      await dlg.locator('.el-dialog__headerbtn').click()
      const mid = await apiFetch(P, '/api/v1/supplies/documents?kind=count')
      assert.equal(mid.body.total, before.body.total, 'nothing drafted')

      await input.setInputFiles({ name: 'count.csv', mimeType: 'text/csv', buffer: Buffer.from(`仓库,物资代码,批次,数量\n${w.name},${tent.code},${stock[0].batch_no},${stock[0].qty + 1}\n`) })
      await P.locator('.yj-count-imported').waitFor()
      const after = await apiFetch(P, '/api/v1/supplies/documents?kind=count')
      assert.equal(after.body.total, before.body.total + 1)
      assert.equal(after.body.items[0].state, 'draft')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await P.close()
    }
  })

  test('a distribution from a shelter is posted and signed for', PER_TEST, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    const { page: Q } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      await login(Q, 'commander')
      const { w, stock } = await countyTent(P)
      const had = stock.reduce((s, r) => s + r.qty, 0)
      const list = await apiFetch(P, '/api/v1/shelters')
      const sh = list.body.find((s) => s.writes && !s.open && s.occupancy.free >= 2)
      assert.ok(sh, 'the demo has a shelter in 平城区')
      const post = (p, body) => apiFetch(P, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      assert.ok([200, 201].includes((await post(`/api/v1/shelters/${sh.id}/open`, {})).status))
      const hh = await post(`/api/v1/shelters/${sh.id}/households`, { head_name: '赵敏', id_last4: '4321', members: 2 })
      assert.equal(hh.status, 201, JSON.stringify(hh.body))

      await P.goto(`/shelters/${sh.id}`)
      await P.locator('[data-testid=btn-distribute]').click()
      const dlg = P.locator('[data-testid=dist-dialog]')
      await dlg.locator('[data-testid=dist-warehouse]').waitFor()
      await pickOption(P, dlg.locator('[data-testid=dist-warehouse] .el-select__wrapper, [data-testid=dist-warehouse].el-select .el-select__wrapper').first(), w.name)
      await pickOption(P, dlg.locator('[data-testid=dist-item-0] .el-select__wrapper, [data-testid=dist-item-0].el-select .el-select__wrapper').first(), '棉帐篷')
      await dlg.locator('[data-testid=dist-save]').click()
      await P.waitForURL(/\/supplies\/documents\/\d+$/)
      const id = Number(P.url().split('/').pop())
      await P.locator('[data-testid=dist-households] tbody tr').first().waitFor()

      // The commander approves (制单与审核分离); pingcheng posts.
      const doc = await apiFetch(Q, `/api/v1/supplies/documents/${id}`)
      const ok = await apiFetch(Q, `/api/v1/supplies/documents/${id}/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'approve', version: doc.body.version }),
      })
      assert.equal(ok.status, 200, JSON.stringify(ok.body))
      await P.reload()
      await P.locator('[data-testid=btn-post]').click()
      await P.locator('[data-testid=doc-state][data-state=posted]').waitFor()
      const listed = await apiFetch(P, `/api/v1/supplies/distributions/${id}`)
      const sent = listed.body.items.reduce((s, i) => s + i.total, 0)
      assert.equal(sent, listed.body.households.length, JSON.stringify(listed.body))
      const now = await apiFetch(P, `/api/v1/supplies/stock?warehouse_id=${w.id}&item_id=${stock[0].item_id}`)
      assert.equal(now.body.reduce((s, r) => s + r.qty, 0), had - sent)
      await P.locator('[data-testid=dist-sign-1]').click()
      await P.locator('[data-testid=dist-signed-1]').waitFor()
      await shoot(P, 'supplies-distribution-signed.png')
      const l = await apiFetch(P, `/api/v1/supplies/distributions/${id}`)
      assert.equal(l.body.signed, 1)
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await P.close()
      await Q.close()
    }
  })
})
