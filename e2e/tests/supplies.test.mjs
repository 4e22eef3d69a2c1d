// 救灾物资 end to end against a real `yingji demo`: the 平城区 operator
// (pingcheng) drafts a 入库 of 棉帐篷 into the county warehouse with a batch
// and an expiry; the drafter is not offered “approve” (制单与审核分离): the
// city's commander approves it and pingcheng posts it (the postings show
// both sides), then a 出库 of part of it the same way (first expiry first),
// and sees the balance on the stock page; the alerts page lists the demo's
// alerts. Posted documents offer only “reverse”.
//
// 需求申请: from an incident's page (“申请物资”) pingcheng requests tents and
// quilts delivered to the incident's point and submits; the commander sees
// the proposed allocation (warehouse, item, quantity, road time, unmet) and
// accepts it; the 出库/调拨 documents exist as drafts and no stock moved.
//
// 运输: a request's posted document is shipped from its page (安排运输,
// vehicle and carrier), departs, reports a position, arrives and is signed
// for with a shortfall and its reason; the incident page shows what was
// requested, sent and received.
//
// 避难场所启用: pingcheng opens one of its shelters and registers a household
// (a full ID number is refused, the last four taken); occupancy and free
// places follow in the list.
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

const realErrors = (errors) => errors.filter((e) => !e.startsWith('Failed to load resource'))

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

async function pick(scope, page, testid, text) {
  await pickOption(page, scope.locator(`[data-testid=${testid}] .el-select__wrapper, [data-testid=${testid}].el-select .el-select__wrapper`).first(), text)
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

/** The drafter (P) sees no “approve”; the checker (Q) approves; P posts.
 * An approved or posted 出库/调拨 may also be shipped (发运). */
async function approveAndPost(P, Q, id, shippable = false) {
  const ship = shippable ? ['ship'] : []
  assert.deepEqual(await steps(P), ['delete'])
  await Q.goto(`/supplies/documents/${id}`)
  assert.deepEqual(await steps(Q), ['approve', 'delete'])
  await Q.locator('[data-testid=btn-approve]').click()
  await Q.locator('[data-testid=doc-state][data-state=approved]').waitFor()
  await P.reload()
  await P.locator('[data-testid=doc-state][data-state=approved]').waitFor()
  assert.deepEqual((await steps(P)).sort(), ['post', 'delete', ...ship].sort())
  await P.locator('[data-testid=btn-post]').click()
  await P.locator('[data-testid=doc-state][data-state=posted]').waitFor()
  await P.locator('[data-testid=doc-postings]').waitFor()
  assert.deepEqual((await steps(P)).sort(), ['reverse', ...ship].sort())
}

describe('救灾物资: a receipt and an issue through the ledger', () => {
  test('the county drafts, approves and posts a 入库 and a 出库 and sees the balance', { timeout: 240_000 }, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    const { page: Q } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      await login(Q, 'commander')
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
      await approveAndPost(P, Q, rk)
      const posted = await apiFetch(P, `/api/v1/supplies/documents/${rk}`)
      assert.deepEqual(posted.body.postings.map((p) => p.delta).sort((a, b) => a - b), [-25, 25])

      // 出库 of 30 without a batch: first expiry first.
      const ck = await draftDoc(P, 'issue', w.name, '棉帐篷', 30)
      await approveAndPost(P, Q, ck, true)
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
      await Q.context().close()
    }
  })

  test('a request from an incident → the proposed allocation → accepted: the documents exist', { timeout: 240_000 }, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    const { page: Q, errors: qErrors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      await login(Q, 'commander')
      const inc = await apiFetch(P, '/api/v1/incidents', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          title: `物资申请测试 ${stamp}`,
          incident_type: 'accident.production.coal_mine',
          division: '140213',
          source: 'phone',
          reporter: '张伟',
          reporter_phone: '13800138000',
          lon: 113.31,
          lat: 40.09,
          facts: { deaths: 0, trapped: 3 },
          description: '需要帐篷和棉被',
        }),
      })
      assert.equal(inc.status, 201, JSON.stringify(inc.body))
      const stockBefore = await apiFetch(Q, '/api/v1/supplies/stock')

      // From the incident page: 申请物资 opens the form for this incident.
      await P.goto(`/incidents/${inc.body.id}`)
      await P.locator('[data-testid=btn-request-supplies]').click()
      await P.waitForURL(/\/supplies\/requests\?incident=\d+/)
      const dlg = P.locator('.el-dialog', { has: P.locator('[data-testid=req-save]') })
      await dlg.waitFor()
      await dlg.locator('[data-testid=req-incident]', { hasText: '物资申请测试' }).waitFor()
      await pick(dlg, P, 'req-line-0-item', '棉帐篷')
      await dlg.locator('[data-testid=req-line-0-qty] input').fill('40')
      await dlg.locator('[data-testid=req-add-line]').click()
      await pick(dlg, P, 'req-line-1-item', '棉被')
      await dlg.locator('[data-testid=req-line-1-qty] input').fill('100000')
      await dlg.locator('input[data-testid=req-note], [data-testid=req-note] input').fill(`浏览器测试 ${stamp}`)
      await shoot(P, 'supplies-request-form.png')
      await dlg.locator('[data-testid=req-save]').click()
      await P.waitForURL(/\/supplies\/requests\/\d+$/)
      const id = Number(P.url().split('/').pop())
      await P.locator('[data-testid=request-state][data-state=drafted]').waitFor()
      await P.locator('[data-testid=btn-req-submit]').click()
      await P.locator('[data-testid=request-state][data-state=submitted]').waitFor()
      // The county is not offered the proposal.
      assert.equal(await P.locator('[data-testid=btn-req-accept]').count(), 0)

      // The city: the proposal as a table, nearest first; the quilts beyond
      // all stock stay unmet.
      await Q.goto(`/supplies/requests/${id}`)
      await Q.locator('[data-testid=proposal-table] tbody tr').first().waitFor()
      const proposal = await apiFetch(Q, `/api/v1/supplies/requests/${id}/proposal`)
      assert.equal(proposal.status, 200, JSON.stringify(proposal.body))
      const tents = proposal.body.lines.filter((l) => l.item_name === '棉帐篷')
      assert.equal(tents.reduce((s, l) => s + l.qty, 0), 40, JSON.stringify(proposal.body))
      const times = proposal.body.lines.map((l) => l.time_s)
      assert.deepEqual([...times].sort((a, b) => a - b), times.slice().sort((a, b) => a - b))
      assert.ok(proposal.body.unmet.some((u) => u.item_name === '棉被'), JSON.stringify(proposal.body.unmet))
      await Q.locator('[data-testid=proposal-unmet] .el-tag').first().waitFor()
      const rows = await Q.locator('[data-testid=proposal-table] tbody tr').count()
      assert.equal(rows, proposal.body.lines.length)
      await shoot(Q, 'supplies-request-proposal.png')
      await Q.locator('[data-testid=btn-req-accept]').click()
      await Q.locator('[data-testid=request-state][data-state=allocated]').waitFor()
      await Q.locator('[data-testid=request-documents]').waitFor()

      // The documents exist, drafted; nothing has moved.
      const r = await apiFetch(Q, `/api/v1/supplies/requests/${id}`)
      assert.ok(r.body.documents.length >= 1, JSON.stringify(r.body))
      for (const d of r.body.documents) {
        assert.equal(d.state, 'draft')
        assert.ok(['issue', 'transfer'].includes(d.kind))
        await Q.locator(`[data-testid=request-doc-${d.id}]`).waitFor()
      }
      const sent = r.body.allocations.filter((a) => a.item_name === '棉帐篷').reduce((s, a) => s + a.qty, 0)
      assert.equal(sent, 40)
      const stockAfter = await apiFetch(Q, '/api/v1/supplies/stock')
      const sum = (rows) => rows.reduce((s, x) => s + x.qty, 0)
      assert.equal(sum(stockAfter.body), sum(stockBefore.body), 'no stock moves at acceptance')
      await shoot(Q, 'supplies-request-allocated.png')
      // The drafter of those documents (the commander) is not offered “approve”.
      await Q.locator(`[data-testid=request-doc-${r.body.documents[0].id}]`).click()
      assert.deepEqual(await steps(Q), ['delete'])
      assert.deepEqual(realErrors(errors), [])
      assert.deepEqual(realErrors(qErrors), [])
    } finally {
      await P.context().close()
      await Q.context().close()
    }
  })

  test('a shipment departs, reports its position, arrives and is received with a difference; the incident shows it', { timeout: 240_000 }, async () => {
    const { page: Q, errors } = await newPage(browser, server.url)
    const { page: A } = await newPage(browser, server.url)
    try {
      await login(Q, 'commander')
      await login(A, 'admin')
      const post = (page, url, body) =>
        apiFetch(page, url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      const inc = await post(Q, '/api/v1/incidents', {
        title: `物资运输测试 ${stamp}`,
        incident_type: 'accident.production.coal_mine',
        division: '140213',
        source: 'phone',
        reporter: '张伟',
        reporter_phone: '13800138000',
        lon: 113.31,
        lat: 40.09,
        facts: { deaths: 0, trapped: 0 },
        description: '需要帐篷',
      })
      assert.equal(inc.status, 201, JSON.stringify(inc.body))
      const items = await apiFetch(Q, '/api/v1/supplies/items')
      const tent = items.body.find((i) => i.name === '棉帐篷')
      const later = new Date(Date.now() + 6 * 3600_000).toISOString()
      let r = await post(Q, '/api/v1/supplies/requests', {
        source: 'incident', incident_id: inc.body.id, place_kind: 'point', lon: 113.31, lat: 40.09,
        needed_by: later, lines: [{ item_id: tent.id, qty: 6 }],
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      r = await post(Q, `/api/v1/supplies/requests/${r.body.id}/events`, { kind: 'submit', version: r.body.version })
      const prop = await apiFetch(Q, `/api/v1/supplies/requests/${r.body.id}/proposal`)
      r = await post(Q, `/api/v1/supplies/requests/${r.body.id}/events`, { kind: 'accept', version: r.body.version, lines: prop.body.accept })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      const doc = r.body.documents[0]
      const sent = r.body.allocations.filter((a) => a.doc_id === doc.id).reduce((s, a) => s + a.qty, 0)
      // The commander drafted it: the admin approves, the commander posts.
      let d = await post(A, `/api/v1/supplies/documents/${doc.id}/events`, { kind: 'approve', version: doc.version })
      assert.equal(d.status, 200, JSON.stringify(d.body))
      d = await post(Q, `/api/v1/supplies/documents/${doc.id}/events`, { kind: 'post', version: d.body.version })
      assert.equal(d.status, 200, JSON.stringify(d.body))

      // From the document's page: 安排运输.
      await Q.goto(`/supplies/documents/${doc.id}`)
      await Q.locator('[data-testid=ship-plan]').click()
      const dlg = Q.locator('.el-dialog', { has: Q.locator('[data-testid=ship-save]') })
      await dlg.waitFor()
      await dlg.locator('input[data-testid=ship-vehicle], [data-testid=ship-vehicle] input').fill('晋B12345')
      await dlg.locator('input[data-testid=ship-carrier], [data-testid=ship-carrier] input').fill('大同运输公司')
      await dlg.locator('[data-testid=ship-save]').click()
      await Q.waitForURL(/\/supplies\/shipments\/\d+$/)
      await Q.locator('[data-testid=shipment-state][data-state=planned]').waitFor()
      await Q.locator('[data-testid=btn-ship-depart]').click()
      await Q.locator('[data-testid=shipment-state][data-state=departed]').waitFor()
      await Q.locator('[data-testid=ship-lon] input').fill('113.35')
      await Q.locator('[data-testid=ship-lat] input').fill('40.08')
      await Q.locator('[data-testid=btn-ship-position]').click()
      await Q.locator('[data-testid=shipment-position]', { hasText: '113.35' }).waitFor()
      await shoot(Q, 'supplies-shipment-departed.png')
      await Q.locator('[data-testid=btn-ship-arrive]').click()
      await Q.locator('[data-testid=shipment-state][data-state=arrived]').waitFor()
      // One tent short: the reason is asked for.
      await Q.locator(`[data-testid=ship-received-${tent.id}] input`).fill(String(sent - 1))
      await Q.locator(`[data-testid=ship-received-${tent.id}] input`).blur()
      await pick(Q, Q, `ship-reason-${tent.id}`, '损坏')
      await Q.locator('[data-testid=btn-ship-receive]').click()
      await Q.locator('[data-testid=shipment-state][data-state=received]').waitFor()
      assert.equal(await Q.locator(`[data-testid=ship-got-${tent.id}]`).textContent(), String(sent - 1))
      await shoot(Q, 'supplies-shipment-received.png')

      // The incident page: requested, sent, received.
      await Q.goto(`/incidents/${inc.body.id}`)
      await Q.locator('[data-testid=incident-supplies]').waitFor()
      assert.equal(await Q.locator(`[data-testid=flow-requested-${tent.id}]`).textContent(), '6')
      assert.equal(await Q.locator(`[data-testid=flow-sent-${tent.id}]`).textContent(), String(sent))
      assert.equal(await Q.locator(`[data-testid=flow-received-${tent.id}]`).textContent(), String(sent - 1))
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await Q.context().close()
      await A.context().close()
    }
  })

  test('a county opens a shelter and registers a household', { timeout: 240_000 }, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      const list = await apiFetch(P, '/api/v1/shelters')
      assert.equal(list.status, 200, JSON.stringify(list.body))
      const sh = list.body.find((s) => s.writes && !s.open && s.occupancy.free >= 3)
      assert.ok(sh, 'the demo has a shelter in 平城区')
      await P.locator('[data-testid=menu-shelters]').click()
      await P.waitForURL(/\/shelters$/)
      await P.locator(`[data-testid=shelter-${sh.id}]`).click()
      await P.waitForURL(new RegExp(`/shelters/${sh.id}$`))
      await P.locator('[data-testid=shelter-state][data-state=closed]').waitFor()
      await P.locator('[data-testid=btn-shelter-open]').click()
      await P.locator('[data-testid=shelter-state][data-state=open]').waitFor()
      const form = P.locator('[data-testid=household-form]')
      await form.locator('input[data-testid=hh-name], [data-testid=hh-name] input').fill('王芳')
      await form.locator('input[data-testid=hh-id], [data-testid=hh-id] input').fill('140202198001011234')
      await form.locator('input[data-testid=hh-phone], [data-testid=hh-phone] input').fill('13900139000')
      await form.locator('[data-testid=hh-members] input').fill('3')
      await form.locator('input[data-testid=hh-origin], [data-testid=hh-origin] input').fill('西韩岭村')
      await form.locator('input[data-testid=hh-needs], [data-testid=hh-needs] input').fill('老人一名')
      await form.locator('[data-testid=hh-save]').click()
      // The whole ID number is refused at the field.
      await form.locator('.el-form-item__error').first().waitFor()
      await form.locator('input[data-testid=hh-id], [data-testid=hh-id] input').fill('1234')
      await form.locator('[data-testid=hh-save]').click()
      await P.locator('[data-testid=households-table] tbody tr').first().waitFor()
      assert.equal(await P.locator('[data-testid=occ-occupants]').textContent(), '3')
      assert.equal(await P.locator('[data-testid=occ-free]').textContent(), String(sh.occupancy.free - 3))
      await shoot(P, 'shelter-household.png')
      await P.locator('[data-testid=menu-shelters]').click()
      await P.locator(`[data-testid=shelter-open-${sh.id}]`).waitFor()
      assert.equal(await P.locator(`[data-testid=shelter-occupants-${sh.id}]`).textContent(), '3')
      await shoot(P, 'shelters-list.png')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await P.context().close()
    }
  })
})
