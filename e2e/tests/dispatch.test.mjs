// 就近调配 on the one map and the coverage page, in headless Chromium against `yingji demo`
// (the demo routes on its embedded Datong main roads: answers by road, off-road legs dashed).
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import os from 'node:os'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { startBackend, backendBinary, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')

let server
let browser

before(async () => {
  server = await startBackend()
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
})

describe('dispatch and coverage', () => {
  test('click an incident point, get the nearest teams ranked with routes, see coverage', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'commander')
      await page.locator('[data-testid=menu-map]').click()
      await page.waitForFunction(() => window.__yjMap?.ready)
      // Teams are shown by default (clustered): hide them in the layer
      // control so that the click lands on the map, not on a cluster.
      await page.locator('[data-testid=layer-team]').waitFor({ state: 'attached' })
      await page.evaluate(() => document.querySelector('[data-testid=layer-team]').closest('label').querySelector('input').click())
      // Centre on 平城区 and click the middle of the map.
      await page.evaluate(() => window.__yjMap.map.setView([40.08, 113.3], 11, { animate: false }))
      await page.waitForTimeout(300)
      const box = await page.locator('[data-testid=map]').boundingBox()
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
      await page.locator('[data-testid=incident-pin]').waitFor({ state: 'attached' })
      const at = (await page.locator('[data-testid=dispatch-at]').textContent()).trim()
      assert.match(at, /^40\.0\d+,113\.\d+$/)

      await page.locator('[data-testid=dispatch-find]').click()
      await page.locator('[data-testid=dispatch-result]').waitFor()
      const note = await page.locator('[data-testid=dispatch-note]').textContent()
      assert.match(note, /按路网行车时间排序/)
      assert.match(note, /15 km\/h/)
      // The list is the server's ranking, nearest first.
      const { status, body } = await apiFetch(page, `/api/v1/dispatch/nearest?at=${at}&kind=team&limit=5`)
      assert.equal(status, 200)
      assert.equal(body.items.length, 5)
      for (let i = 1; i < body.items.length; i++) assert.ok(body.items[i - 1].time_s <= body.items[i].time_s)
      for (let i = 0; i < 5; i++) {
        const text = await page.locator(`[data-testid=dispatch-item-${i}]`).textContent()
        assert.ok(text.includes(body.items[i].name), `${i}: ${text}`)
      }
      // One route per result is drawn, and the off-road legs apart, dashed.
      assert.equal(await page.locator('path.yj-route').count(), 5)
      assert.equal(body.method, 'road')
      const lines = body.items.reduce((n, it) => n + it.off_road_lines.length, 0)
      assert.ok(lines >= 1, 'main roads only: some leg is off the road')
      assert.equal(await page.locator('path.yj-offroad').count(), lines)
      assert.equal(await page.locator('path.yj-offroad').first().getAttribute('stroke-dasharray'), '3 7')
      await page.locator('[data-testid=offroad-legend]').waitFor()
      // Road time and off-road time are shown apart, as the server gave them.
      for (let i = 0; i < 5; i++) {
        const it = body.items[i]
        if (it.method !== 'road' || !it.off_road) continue
        const legs = await page.locator(`[data-testid=dispatch-legs-${i}]`).textContent()
        assert.ok(legs.includes(`道路 ${(it.road_time_s / 60).toFixed(1)}`), legs)
        assert.ok(legs.includes(`离路段 ${(it.off_road.time_s / 60).toFixed(1)}`), legs)
      }
      // The honest note and the ODbL attribution near the map.
      const roads = await page.locator('[data-testid=roads-note]').textContent()
      assert.match(roads, /主干道/)
      assert.match(roads, /© OpenStreetMap contributors/)
      assert.match(await page.locator('.leaflet-control-attribution').textContent(), /OpenStreetMap/)

      // Isochrones by road from the first start.
      await page.locator('[data-testid=iso-draw]').click()
      await page.locator('[data-testid=iso-note]', { hasText: '分钟可达范围' }).waitFor()
      assert.ok((await page.locator('path.yj-isochrone').count()) >= 1)
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dispatch.png') })

      // Coverage page: the figures are the server's, four suggested sites are marked.
      await page.locator('[data-testid=menu-coverage]').click()
      await page.locator('[data-testid=coverage-share]').waitFor()
      const cov = await apiFetch(page, '/api/v1/dispatch/coverage?kind=team&minutes=60&sites=4')
      assert.equal(cov.status, 200)
      assert.equal(cov.body.total_population, 3105591, 'demo settlements carry the census total')
      const share = (await page.locator('[data-testid=coverage-share]').textContent()).trim()
      assert.equal(share, `${(cov.body.share * 100).toFixed(1)}%`)
      // Up to four sites, each adding people, until everyone is covered.
      const n = cov.body.suggested.length
      assert.ok(n >= 1 && n <= 4, `suggested ${n}`)
      for (const s of cov.body.suggested) assert.ok(s.added_population > 0)
      if (n < 4) assert.equal(cov.body.suggested[n - 1].covered_population, cov.body.total_population)
      await page.locator(`[data-testid=suggested-${n - 1}]`).waitFor({ state: 'attached' })
      const rows = await page.locator('[data-testid=coverage-suggested] tbody tr').count()
      assert.equal(rows, n)
      assert.ok((await page.locator('path.yj-cov-covered').count()) > 0)
      if (cov.body.uncovered_count > 0) assert.ok((await page.locator('path.yj-cov-uncovered').count()) > 0)
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'coverage.png') })
      // 401 before login is a network error, not a page error.
      assert.deepEqual(errors.filter((e) => !e.startsWith('Failed to load resource')), [])
    } finally {
      await context.close()
    }
  })
})

describe('with a road graph', () => {
  let graphServer
  let dir
  before(async () => {
    // A real road graph (the Liechtenstein extract in data/osm), built with the CLI.
    const osm = path.join(REPO_DIR, 'data', 'osm', 'liechtenstein-2024-03-04.osm.pbf')
    assert.ok(existsSync(osm), `the OSM extract is missing: ${osm}`)
    dir = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-graph-'))
    const graph = path.join(dir, 'li.graph')
    execFileSync(backendBinary(), ['route', 'build', '--osm', osm, '--out', graph], { stdio: 'ignore' })
    graphServer = await startBackend({ env: { YINGJI_ROUTING_GRAPH: graph } })
  })
  after(async () => {
    await graphServer?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  test('an isochrone around a clicked point is drawn on the map', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, graphServer.url)
    try {
      await login(page, 'commander')
      await page.locator('[data-testid=menu-map]').click()
      await page.waitForFunction(() => window.__yjMap?.ready)
      await page.evaluate(() => window.__yjMap.map.setView([47.14, 9.52], 12, { animate: false }))
      await page.waitForTimeout(300)
      const box = await page.locator('[data-testid=map]').boundingBox()
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
      await page.locator('[data-testid=incident-pin]').waitFor({ state: 'attached' })
      await page.locator('[data-testid=iso-draw]').click()
      await page.locator('[data-testid=iso-note]', { hasText: '分钟可达范围' }).waitFor()
      assert.ok((await page.locator('path.yj-isochrone').count()) >= 1)
      const at = (await page.locator('[data-testid=dispatch-at]').textContent()).trim()
      const { status, body } = await apiFetch(page, `/api/v1/routing/isochrone?from=${at}&minutes=30`)
      assert.equal(status, 200)
      const note = await page.locator('[data-testid=iso-note]').textContent()
      assert.ok(note.includes(String(body.properties.nodes_reached)), note)
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'isochrone.png') })
    } finally {
      await context.close()
    }
  })
})
