// 预警发布 end to end against a real `yingji demo`, two people: the 平城区
// operator draws a polygon that crosses itself (refused, highlighted on the
// map), then a proper one around a village, sees the villages and the
// population it reaches, and submits; the city commander (a second browser
// context) approves and publishes; the operator's open page follows through
// the live feed; the alert is in the public Atom feed and its CAP XML passes
// `yingji cap validate`; the coverage panel shows the 90 % indicator.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { startBackend, backendBinary, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const PINGCHENG = '140213000000' // 平城区
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
  await page.screenshot({ path: path.join(SCREENSHOTS, file), fullPage: false })
}

/** Click the drawing map at a longitude/latitude. */
async function clickAt(page, lon, lat) {
  const box = await page.locator('.yj-area-canvas').boundingBox()
  const p = await page.evaluate(([lo, la]) => {
    const pt = window.__yjAreaMap.map.latLngToContainerPoint([la, lo])
    return { x: pt.x, y: pt.y }
  }, [lon, lat])
  await page.mouse.click(box.x + p.x, box.y + p.y)
  await page.waitForTimeout(120)
}

async function drawPolygon(page, ring) {
  await page.locator('[data-testid=draw-polygon]').click()
  for (const [lon, lat] of ring) await clickAt(page, lon, lat)
  await page.locator('[data-testid=draw-finish]').click()
}

describe('预警发布: draw, preview, approve as a second person, publish, feed, coverage', { timeout: 300_000 }, () => {
  test('operator drafts on the map, commander approves and publishes', async () => {
    const op = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url)
    try {
      await login(op.page, 'pingcheng')
      await login(cmd.page, 'commander')
      const A = op.page
      const B = cmd.page

      // A village of 平城区 with coordinates, from the settlement registry.
      const reg = await apiFetch(A, `/api/v1/registries/settlement?division=${PINGCHENG}&limit=200`)
      assert.equal(reg.status, 200, JSON.stringify(reg.body))
      const village = reg.body.items.find((x) => x.lon !== null && x.lat !== null && (x.attrs?.population ?? 0) > 0)
      assert.ok(village, 'a 平城区 settlement with a population')

      // --- the operator opens the editor from the menu ---
      await A.locator('[data-testid=menu-warning-new]').click()
      await A.waitForURL(/\/warnings\/new$/)
      await A.waitForFunction(() => window.__yjAreaMap?.ready)
      await A.evaluate(([lat, lon]) => window.__yjAreaMap.map.setView([lat, lon], 14, { animate: false }), [village.lat, village.lon])
      // The template prefills the texts.
      await A.locator('[data-testid=hazard-rainstorm]').waitFor({ state: 'attached' })
      await A.locator('[data-testid=level-orange]').click()
      await A.waitForFunction(() => document.querySelector('[data-testid=field-instruction] textarea')?.value.includes('停课'))
      assert.match(await A.locator('[data-testid=field-headline] input').inputValue(), /平城区应急管理局发布暴雨橙色预警信号/)

      const d = 0.006
      const { lon, lat } = village
      // A bow-tie first: refused, the crossing is highlighted on the map.
      await drawPolygon(A, [
        [lon - d, lat - d],
        [lon + d, lat + d],
        [lon + d, lat - d],
        [lon - d, lat + d],
      ])
      await A.locator('[data-testid=area-problems] li[data-field="area.polygons[0]"]', { hasText: '自相交' }).waitFor()
      await A.locator('path.yj-problem-point').first().waitFor({ state: 'attached' })
      assert.ok((await A.locator('path.yj-area-wrong').count()) >= 1, 'the ring is drawn as wrong')
      await A.locator('[data-testid=draw-clear]').click()
      await A.waitForFunction(() => !document.querySelector('[data-testid=area-problems]'))

      // The proper square around the village: the preview names villages and population.
      await drawPolygon(A, [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
      ])
      await A.locator('[data-testid=reach-villages-table] tbody tr').first().waitFor()
      await A.locator('[data-testid=reach-villages-table]', { hasText: village.name }).waitFor()
      const popText = await A.locator('[data-testid=reach-population] .el-statistic__content').innerText()
      const population = Number(popText.replace(/[^\d]/g, ''))
      assert.ok(population >= village.attrs.population, `population ${popText} covers ${village.name}`)
      // The same figure from the API for the drawn ring.
      const ring = await A.evaluate(() => {
        const layers = []
        window.__yjAreaMap.map.eachLayer((l) => {
          if (l.options?.className?.includes('yj-area-shape') && l.getLatLngs) layers.push(l.getLatLngs()[0].map((p) => [p.lng, p.lat]))
        })
        return layers[0]
      })
      const check = await apiFetch(A, '/api/v1/warnings/targeting', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ area: { polygons: [ring] } }),
      })
      assert.equal(check.status, 200, JSON.stringify(check.body))
      assert.equal(check.body.population, population)
      assert.ok(await A.locator('path.yj-reach-village').count() >= 1, 'villages on the map')

      await A.locator('[data-testid=field-area_desc] input').fill(`平城区${village.name}及周边${stamp}`)
      await A.locator('[data-testid=field-description] textarea').fill(`预计未来6小时${village.name}一带降雨量将达50毫米以上，并伴有雷电。`)
      await shoot(A, 'warning-editor.png')
      await A.locator('[data-testid=btn-save-submit]').click()
      await A.waitForURL(/\/warnings\/\d+$/)
      const id = Number(new URL(A.url()).pathname.split('/').pop())
      await A.locator('[data-testid=warning-state][data-state=submitted]').waitFor()
      // Before sending: the CAP preview is valid and the operator cannot approve or publish.
      await A.locator('[data-testid=cap-valid][data-valid=true]').waitFor()
      assert.equal(await A.locator('[data-testid=btn-approve]').count(), 0)
      assert.equal(await A.locator('[data-testid=btn-publish]').count(), 0)

      // --- the commander, in another browser context, approves and publishes ---
      await B.locator('[data-testid=menu-warning-list]').click()
      await B.locator(`[data-testid=warning-link-${id}]`).click()
      await B.waitForURL(new RegExp(`/warnings/${id}$`))
      await B.locator('[data-testid=warning-state][data-state=submitted]').waitFor()
      await B.locator('[data-testid=btn-approve]').click()
      await B.locator('[data-testid=warning-state][data-state=approved]').waitFor()
      await B.locator('[data-testid=btn-publish]').click()
      await B.locator('[data-testid=warning-state][data-state=published]').waitFor()
      const ident = (await B.locator('[data-testid=warning-identifier]').innerText()).trim()
      assert.match(ident, /^140213418000\d\d_\d{14}_\d$/)

      // The operator's open page follows through the live feed (no reload).
      await A.locator('[data-testid=warning-state][data-state=published]').waitFor({ timeout: 10_000 })

      // --- the public Atom feed lists it; its CAP XML validates ---
      const feed = await fetch(`${server.url}/api/v1/public/cap/feed.atom`)
      assert.equal(feed.status, 200)
      assert.match(feed.headers.get('content-type'), /application\/atom\+xml/)
      const atom = await feed.text()
      assert.ok(atom.includes(ident), 'the alert is in the Atom feed')
      const href = await B.locator('[data-testid=cap-link]').getAttribute('href')
      const capRes = await fetch(`${server.url}${href}`)
      assert.equal(capRes.status, 200)
      assert.match(capRes.headers.get('content-type'), /application\/cap\+xml/)
      const xml = await capRes.text()
      assert.ok(xml.includes(`<identifier>${ident}</identifier>`))
      assert.ok(xml.includes('<polygon>'), 'the drawn polygon is in the CAP area')
      const dir = mkdtempSync(path.join(os.tmpdir(), 'yingji-cap-'))
      try {
        const file = path.join(dir, `${ident}.xml`)
        writeFileSync(file, xml)
        const out = execFileSync(backendBinary(), ['cap', 'validate', file], { encoding: 'utf8' })
        assert.match(out, /: valid \(CAP 1\.2\)/)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }

      // --- coverage: the indicator, per channel and per division, and the map ---
      const panel = B.locator('[data-testid=coverage-panel]')
      await panel.locator('[data-testid=coverage-met]').waitFor()
      const cov = await apiFetch(B, `/api/v1/warnings/${id}/coverage`)
      assert.equal(cov.status, 200)
      assert.equal(cov.body.target_share, 0.9)
      assert.equal(cov.body.targeted_population, population)
      assert.equal(await panel.locator('[data-testid=coverage-met]').getAttribute('data-met'), String(cov.body.met))
      await panel.locator('[data-testid=coverage-divisions] tbody tr').first().waitFor()
      assert.match(await panel.locator('[data-testid=coverage-divisions]').innerText(), new RegExp(String(population)))
      await B.locator('[data-testid=cap-valid][data-valid=true]').waitFor()
      await B.evaluate(() => document.querySelector('[data-testid=coverage-panel]')?.scrollIntoView())
      await shoot(B, 'warning.png')

      // Another county's operator does not see it.
      const yz = await newPage(browser, server.url)
      try {
        await login(yz.page, 'yunzhou')
        const r = await apiFetch(yz.page, `/api/v1/warnings/${id}/coverage`)
        assert.equal(r.status, 404)
      } finally {
        await yz.context.close()
      }

      assert.deepEqual(realErrors(op.errors), [])
      assert.deepEqual(realErrors(cmd.errors), [])
    } finally {
      await op.context.close()
      await cmd.context.close()
    }
  })
})
