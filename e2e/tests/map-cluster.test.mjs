// The map's clustering, end to end against a real `yingji demo`: zoomed out
// over the city, the rescue teams (shown by default) close together on the
// screen are drawn as one bubble with their count; every team in view is
// drawn once (alone or in a bubble: the counts add up to the records the
// server returns for the view); a bubble's count is the number of teams in
// its square of the grid (56 px, web/src/features/map/cluster.ts); clicking it
// zooms in on them, and from zoom 13 on each of those teams is its own symbol.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
/** The grid's cell in screen pixels (CLUSTER_CELL_PX) and the zoom from which every point is drawn (CLUSTER_UNTIL_ZOOM). */
const CELL = 56
const UNTIL_ZOOM = 13

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

describe('map clustering', () => {
  test('zoomed out: bubbles with counts that add up; zoomed in: each team its own symbol', { timeout: 240_000 }, async () => {
    const { context, page: P, errors } = await newPage(browser, server.url, { viewport: { width: 1440, height: 900 } })
    try {
      await login(P, 'commander')
      const all = await apiFetch(P, '/api/v1/registries/team/layer')
      assert.equal(all.status, 200, JSON.stringify(all.body))
      const teams = all.body.features.filter((f) => f.geometry?.type === 'Point')
      assert.ok(teams.length >= 10, `the demo has teams to cluster (${teams.length})`)

      await P.goto('/map')
      await P.waitForFunction(() => window.__yjMap?.ready)
      // The whole city in view, zoomed out.
      await P.evaluate(() => window.__yjMap.map.setZoom(9, { animate: false }))
      await P.waitForFunction(() => window.__yjMap.map.getZoom() === 9)
      await P.locator('[data-testid=cluster-team]').first().waitFor()
      await P.locator('[data-testid=map-clustered]').waitFor()
      await P.waitForTimeout(500)

      // Every team in the loaded view is drawn once: alone, or counted in a bubble.
      const seen = await P.evaluate(
        ([feats]) => {
          const map = window.__yjMap.map
          const b = map.getBounds().pad(0.1)
          const inView = feats.filter((f) => b.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]])).length
          const bubbles = [...document.querySelectorAll('[data-testid=cluster-team]')].map((e) => Number(e.dataset.count))
          const singles = document.querySelectorAll('[data-testid^=marker-team-]').length
          return { inView, bubbles, singles }
        },
        [teams],
      )
      assert.ok(seen.bubbles.length > 0, 'bubbles are drawn zoomed out')
      assert.ok(seen.bubbles.every((n) => n >= 2), `a bubble stands for two or more: ${seen.bubbles}`)
      assert.equal(seen.bubbles.reduce((a, n) => a + n, 0) + seen.singles, seen.inView, JSON.stringify(seen))
      for (const el of await P.locator('[data-testid=cluster-team]').all()) {
        assert.equal(await el.locator('b').innerText(), await el.getAttribute('data-count'), 'the bubble shows its count')
      }
      await P.screenshot({ path: path.join(SCREENSHOTS, 'map-clusters.png') })

      // The largest bubble: the teams of its square of the grid, counted independently.
      const largest = P.locator(`[data-testid=cluster-team][data-count="${Math.max(...seen.bubbles)}"]`).first()
      const n = Number(await largest.getAttribute('data-count'))
      const box = await largest.boundingBox()
      const members = await P.evaluate(
        ([feats, cx, cy, cell]) => {
          const map = window.__yjMap.map
          const r = map.getContainer().getBoundingClientRect()
          const lp = map.containerPointToLayerPoint([cx - r.left, cy - r.top])
          const key = (p) => `${Math.floor(p.x / cell)}:${Math.floor(p.y / cell)}`
          const want = key(lp)
          return feats
            .filter((f) => key(map.latLngToLayerPoint([f.geometry.coordinates[1], f.geometry.coordinates[0]])) === want)
            .map((f) => f.properties.id)
        },
        [teams, box.x + box.width / 2, box.y + box.height / 2, CELL],
      )
      assert.equal(members.length, n, `the bubble's count ${n} is the number of teams it stands for (${members})`)

      // Click it: the map zooms in on them (fitting them in view, which may
      // stop short of the zoom where clustering ends: then one step more on
      // the same centre), and each is drawn alone.
      await largest.click()
      await P.waitForFunction(() => window.__yjMap.map.getZoom() > 9)
      await P.waitForTimeout(300)
      await P.evaluate((z) => {
        const map = window.__yjMap.map
        if (map.getZoom() < z) map.setZoom(z, { animate: false })
      }, UNTIL_ZOOM)
      await P.waitForFunction((z) => window.__yjMap.map.getZoom() >= z, UNTIL_ZOOM)
      for (const id of members) await P.locator(`[data-testid=marker-team-${id}]`).waitFor()
      const inside = await P.evaluate((ids) => {
        const r = document.querySelector('[data-testid=map]').getBoundingClientRect()
        return ids.filter((id) => {
          const b = document.querySelector(`[data-testid=marker-team-${id}]`).getBoundingClientRect()
          return b.right > r.left && b.left < r.right && b.bottom > r.top && b.top < r.bottom
        }).length
      }, members)
      assert.equal(inside, n, 'every team of the bubble is on the screen as its own symbol')
      assert.equal(await P.locator('[data-testid=cluster-team]').count(), 0, 'no bubbles zoomed in')
      await P.waitForTimeout(300)
      await P.screenshot({ path: path.join(SCREENSHOTS, 'map-clusters-zoomed.png') })
      assert.deepEqual(errors.filter((e) => !/Failed to load resource|status of 401/.test(e)), [])
    } finally {
      await context.close()
    }
  })
})
