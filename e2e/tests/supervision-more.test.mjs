// 监督管理 on the one map and on the duty desk, against a real `yingji demo`:
// (1) the four-colour risk map (四色图) — from the risk points page to the map
// with the layer on, each demo enterprise a disc in its highest colour
// (as many of each colour as the API says), the legend's four rows in
// Chinese and in English, a popup naming the enterprise; switching the
// layer off and on again. (2) The demo's overdue 重大 hazards are escalated
// by the server's job (提级督办): the commander's 需要关注 list shows them
// and a hazard's page shows the escalation in its history. (3) A check list
// (检查表): an inspection filled against a template on site, a failed item
// made a hidden hazard in one click.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, pickOption } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')

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

const legendRows = (page) =>
  page.locator('[data-testid=map-legend]').evaluate((el) => {
    const titles = [...el.querySelectorAll('.yj-legend-title')]
    const t = titles.find((x) => x.textContent === '四色风险图' || x.textContent === 'Four-colour risk map')
    const out = []
    for (let n = t?.nextElementSibling; n && !n.classList.contains('yj-legend-title'); n = n.nextElementSibling) out.push(n.textContent)
    return t ? [t.textContent, ...out] : []
  })

describe('监督管理: the four-colour map and escalated hazards', { timeout: 300_000 }, () => {
  test('the four-colour map shows every enterprise in its colour, with a legend in both languages', { timeout: 150_000 }, async () => {
    const { page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'commander')
      const api = await apiFetch(page, '/api/v1/supervision/risk-map')
      assert.equal(api.status, 200)
      assert.ok(api.body.items.length > 0, 'the demo has assessed enterprises')
      assert.ok(api.body.red > 0, 'and some of them red')

      await page.goto('/supervision/risk-points')
      await page.locator('[data-testid=link-risk-map]').click()
      await page.waitForURL(/\/map\?layer=risk$/)
      await page.waitForFunction(() => window.__yjMap?.ready && (window.__yjMap.loaded.risk ?? []).length > 0)
      const drawn = await page.evaluate(() => window.__yjMap.loaded.risk)
      assert.deepEqual(
        [...drawn].sort((a, b) => a - b),
        api.body.items.map((p) => p.enterprise_id).sort((a, b) => a - b),
      )
      for (const c of ['red', 'orange', 'yellow', 'blue']) {
        assert.equal(await page.locator(`path.yj-risk-${c}`).count(), api.body[c], c)
      }
      assert.deepEqual(await legendRows(page), ['四色风险图', '重大风险', '较大风险', '一般风险', '低风险'])

      // A red enterprise's popup names it and counts its points.
      const red = api.body.items.find((p) => p.colour === 'red')
      await page.evaluate(([lat, lon]) => window.__yjMap.map.setView([lat, lon], 13, { animate: false }), [red.lat, red.lon])
      await page.locator(`path.yj-risk-e${red.enterprise_id}`).click({ force: true })
      const popup = page.locator(`[data-testid=risk-popup-${red.enterprise_id}]`)
      await popup.waitFor()
      assert.match(await popup.textContent(), new RegExp(red.name))
      await page.waitForTimeout(400)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'risk-map.png') })

      // English: the legend follows.
      await page.locator('[data-testid=lang-en]').click()
      await page.waitForFunction(() => document.querySelector('[data-testid=map-legend]')?.textContent.includes('Four-colour risk map'))
      assert.deepEqual(await legendRows(page), ['Four-colour risk map', 'Major risk', 'Significant risk', 'General risk', 'Low risk'])
      await page.locator('[data-testid=lang-zh]').click()

      // Off: the discs and the legend go; on again: they come back.
      await page.locator('[data-testid=layer-risk]').click()
      await page.waitForFunction(() => (window.__yjMap.loaded.risk ?? []).length === 0)
      assert.equal(await page.locator('path.yj-risk').count(), 0)
      assert.deepEqual(await legendRows(page), [])
      await page.locator('[data-testid=layer-risk]').click()
      await page.waitForFunction((n) => (window.__yjMap.loaded.risk ?? []).length === n, api.body.items.length)
      assert.equal(await page.locator('path.yj-risk').count(), api.body.items.length)
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await page.context().close()
    }
  })

  test('overdue 重大 hazards are escalated and need the commander’s attention', { timeout: 120_000 }, async () => {
    const { page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'commander')
      // The job runs at start: wait until the demo's overdue 重大 hazards are escalated.
      let escalated = []
      for (let i = 0; i < 60 && !escalated.length; i++) {
        const r = await apiFetch(page, '/api/v1/supervision/hazards?overdue=true&grade=major&limit=500')
        escalated = r.body.items.filter((h) => h.escalations > 0)
        if (!escalated.length) await page.waitForTimeout(1000)
      }
      assert.ok(escalated.length > 0, 'the demo has overdue 重大 hazards, escalated')
      const h = escalated[0]
      await page.goto('/')
      const item = page.locator(`[data-testid=attention-hazard-${h.id}]`)
      await item.waitFor()
      assert.match(await item.textContent(), /逾期 \d+ 天/)
      await item.locator('a').click()
      await page.waitForURL(new RegExp(`/supervision/hazards/${h.id}$`))
      await page.locator('[data-testid=hazard-escalations]').waitFor()
      const kinds = await page.locator('[data-testid=hazard-timeline] [data-kind]').evaluateAll((xs) => xs.map((x) => x.dataset.kind))
      assert.equal(kinds.at(-1), 'escalated', JSON.stringify(kinds))
      assert.match(await page.locator('[data-testid=hazard-timeline]').textContent(), /逾期提级督办/)
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await page.context().close()
    }
  })

  test('an inspection is filled against a check list and a failed item becomes a hazard in one click', { timeout: 120_000 }, async () => {
    const { page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'commander')
      const tpl = await apiFetch(page, '/api/v1/supervision/check-templates', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          title: '通用安全检查表（测试）',
          items: [
            { text: '安全出口畅通', basis: '《安全生产法》第四十二条' },
            { text: '特种作业人员持证上岗', basis: '《安全生产法》第三十条' },
          ],
        }),
      })
      assert.equal(tpl.status, 201, JSON.stringify(tpl.body))
      const draw = await apiFetch(page, '/api/v1/supervision/inspection-draws', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: '检查表演示抽查', n: 1 }),
      })
      assert.equal(draw.status, 201, JSON.stringify(draw.body))
      const iid = draw.body.inspections[0].id

      await page.goto(`/supervision/inspections/${iid}`)
      await page.locator('[data-testid=inspection-start]').click()
      await page.locator('[data-testid=checks-form]').waitFor()
      await pickOption(page, page.locator('[data-testid=checks-template]'), '通用安全检查表（测试）')
      await page.locator('[data-testid=check-item-1]').waitFor()
      await page.locator('[data-testid=check-1-fail]').click()
      // A failed item without a note is refused, the field named.
      await page.locator('[data-testid=checks-submit]').click()
      await page.locator('[data-testid=check-item-1] .el-form-item__error', { hasText: '不符合项须写明发现的问题' }).waitFor()
      await page.locator('[data-testid=check-note-1]').fill('电工无特种作业操作证')
      await page.locator('[data-testid=checks-submit]').click()
      await page.locator('[data-testid=check-result-1][data-result=fail]').waitFor()
      assert.equal(await page.locator('[data-testid=check-result-0]').getAttribute('data-result'), 'pass')

      // One click: the failed item is a finding and a reported hazard.
      await page.locator('[data-testid=check-to-hazard-1]').click()
      const link = page.locator('[data-testid=check-hazard-1]')
      await link.waitFor()
      assert.equal(await page.locator('[data-testid=check-to-hazard-0]').count(), 0, 'a passed item is no hazard')
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'inspection-checklist.png') })
      await link.click()
      await page.waitForURL(/\/supervision\/hazards\/\d+$/)
      await page.locator('[data-testid=hazard-state][data-state=reported]').waitFor()
      assert.match(await page.locator('[data-testid=page-title]').textContent(), /特种作业人员持证上岗/)
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await page.context().close()
    }
  })
})
