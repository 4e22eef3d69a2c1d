// People, not logins; a map with context and no tile server; resources
// under way by road (issue #19), end to end against a real `yingji demo`:
// the audit log reads as sentences naming people by name and position and
// filters by person and module; pages name who did what; the map draws the
// demo's main roads and, zoomed in, the village names, and goes full
// screen; a team under way is drawn on the 态势 along its road with its
// expected arrival. Screenshots for the README.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, pickOption } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const stamp = Date.now().toString(36).slice(-5)
// The demo's 平城区 duty officer, by name and position.
const PC_NAME = '刘晓东'
const PC_FULL = '刘晓东（平城区应急管理局 值班员）'

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

const post = (page, p, body) => apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

async function newIncident(page, title, lon, lat) {
  const r = await post(page, '/api/v1/incidents', {
    title,
    incident_type: 'accident.production.coal_mine',
    division: '140213',
    source: 'phone',
    reporter: '张伟',
    reporter_phone: '13800138000',
    lon,
    lat,
    facts: { deaths: 0, trapped: 2 },
    description: '井下透水',
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body.id
}

describe('people, the offline map, resources by road', () => {
  test('the audit log reads as sentences and filters by person and module; pages name people', { timeout: 240_000 }, async () => {
    const pc = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url)
    try {
      await login(pc.page, 'pingcheng')
      const r = await post(pc.page, '/api/v1/registries/contact', {
        name: `审计联络员${stamp}`,
        division: '140213',
        phone: '0352-2024567',
        attrs: { group: 'township', organisation: `新建街道办事处${stamp}`, position: '值班主任', mobile: '13912345678' },
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const id = await newIncident(pc.page, `审计测试${stamp}`, 113.3, 40.09)

      await login(cmd.page, 'commander')
      const P = cmd.page
      await P.goto('/journal')
      const sentences = P.locator('[data-testid=journal-sentence]')
      await sentences.first().waitFor()
      // The officer's entry names them, never by login.
      await P.locator('[data-testid=journal-sentence]', { hasText: PC_FULL }).first().waitFor()
      const all = await sentences.allInnerTexts()
      assert.ok(!all.some((s) => /^pingcheng\b/.test(s)), all.slice(0, 5).join(' / '))

      // By person: every sentence is theirs.
      await pickOption(P, P.locator('[data-testid=journal-person]'), PC_NAME)
      await P.getByRole('button', { name: '查询' }).click()
      await P.waitForFunction(
        (who) => {
          const rows = [...document.querySelectorAll('[data-testid=journal-sentence]')]
          return rows.length > 0 && rows.every((r) => r.textContent.startsWith(who))
        },
        PC_FULL,
      )
      // And by module: the registry's entries of that person only.
      await pickOption(P, P.locator('[data-testid=journal-module]'), '应急资源')
      await P.getByRole('button', { name: '查询' }).click()
      await P.waitForFunction(() => {
        const rows = [...document.querySelectorAll('[data-testid=journal-sentence]')]
        return rows.length > 0 && rows.every((r) => r.textContent.includes('联络') || r.textContent.includes('通讯录') || r.textContent.includes('应急'))
      })
      await P.waitForTimeout(300)
      await P.screenshot({ path: path.join(SCREENSHOTS, 'audit-sentences.png') })

      // The incident page names who took the call.
      await P.goto(`/incidents/${id}`)
      await P.locator('[data-testid=person]', { hasText: PC_FULL }).first().waitFor()
    } finally {
      await pc.context.close()
      await cmd.context.close()
    }
  })

  test('the map has the main roads and, zoomed in, village names with no tile server, and goes full screen', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await page.goto('/map')
      await page.waitForFunction(() => window.__yjMap?.ready)
      await page.waitForFunction(() => Number(document.querySelector('.leaflet-container')?.dataset.roads || 0) > 20)
      assert.ok((await page.locator('path.yj-road, canvas').count()) > 0)
      // Zoomed out: no names; zoomed in on the city: the villages' names.
      assert.equal(await page.locator('.yj-village-name').count(), 0)
      await page.evaluate(() => window.__yjMap.map.setView([40.08, 113.3], 13, { animate: false }))
      await page.waitForFunction(() => Number(document.querySelector('.leaflet-container')?.dataset.villageNames || 0) > 0)
      assert.ok((await page.locator('.yj-village-name').count()) > 0)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'map-offline.png') })

      const fs = page.locator('[data-testid=map-fullscreen]')
      assert.equal(await fs.getAttribute('aria-label'), '全屏')
      await fs.click()
      await page.waitForFunction(() => document.fullscreenElement?.classList.contains('leaflet-container'))
      assert.equal(await fs.getAttribute('aria-label'), '退出全屏')
      await fs.click()
      await page.waitForFunction(() => !document.fullscreenElement)
    } finally {
      await context.close()
    }
  })

  test('a team under way is drawn along its road on the 态势 with its expected arrival', { timeout: 240_000 }, async () => {
    const pc = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url, { viewport: { width: 1920, height: 1080 } })
    try {
      await login(pc.page, 'pingcheng')
      await login(cmd.page, 'commander')
      const id = await newIncident(pc.page, `在途测试${stamp}`, 113.28, 40.07)
      const team = await post(pc.page, '/api/v1/registries/team', {
        name: `在途救护队${stamp}`,
        division: '140213',
        lon: 113.32,
        lat: 40.1,
        attrs: { team_kind: 'mine', headcount: 20 },
      })
      assert.equal(team.status, 201, JSON.stringify(team.body))
      const order = await post(pc.page, `/api/v1/incidents/${id}/dispatch`, { resource_kind: 'team', resource_id: team.body.id })
      assert.equal(order.status, 201, JSON.stringify(order.body))
      const ourl = `/api/v1/dispatch-orders/${order.body.id}/events`
      assert.equal((await post(cmd.page, ourl, { version: 1, kind: 'approve' })).status, 200)
      assert.equal((await post(pc.page, ourl, { version: 2, kind: 'depart' })).status, 200)
      const list = await apiFetch(cmd.page, '/api/v1/situation/en-route')
      const mine = list.body.find((o) => o.order_id === order.body.id)
      assert.ok(mine?.route?.length >= 3 && mine.eta, JSON.stringify(mine))

      const P = cmd.page
      await P.goto('/')
      const road = P.locator('path.yj-en-route-road')
      await road.first().waitFor()
      // The line says when the team is expected (its tooltip, opened as a pointer over it would).
      for (let i = 0; i < (await road.count()); i++) await road.nth(i).dispatchEvent('mouseover', { clientX: 10, clientY: 10 })
      await P.locator('.leaflet-tooltip', { hasText: '预计' }).first().waitFor()
    } finally {
      await pc.context.close()
      await cmd.context.close()
    }
  })
  test('a point picked on the map opens the intake with its place and division', { timeout: 240_000 }, async () => {
    const { context, page: P } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      await P.goto('/map')
      await P.waitForFunction(() => window.__yjMap?.ready)
      await P.evaluate(() => {
        const m = window.__yjMap.map
        m.setView([40.08, 113.3], 13, { animate: false })
        m.fire('click', { latlng: m.getCenter() })
      })
      await P.locator('[data-testid=intake-here]').click()
      await P.waitForURL(/\/incidents/)
      const dlg = P.locator('[data-testid=intake-dialog]')
      await dlg.waitFor()
      await P.waitForFunction(() => Math.abs(Number(document.querySelector('[data-testid=field-lon] input')?.value) - 113.3) < 1e-6)
      assert.ok(Math.abs(Number(await dlg.locator('[data-testid=field-lat] input').inputValue()) - 40.08) < 1e-6)
      // The division the point lies in was looked up and its name is the address.
      await P.waitForFunction(() => (document.querySelector('[data-testid=field-address] input')?.value || '').length > 0)
      await dlg.locator('[data-testid=field-title] input').fill(`地图接报${stamp}`)
      await dlg.locator('[data-testid=field-incident_type] .el-cascader').click()
      const popper = P.locator('.yj-type-popper:visible')
      await popper.locator('.el-cascader-node', { hasText: '事故灾难' }).click()
      await popper.locator('.el-cascader-node', { hasText: '生产安全事故' }).click()
      await popper.locator('.el-cascader-node', { hasText: '煤矿事故' }).click()
      await dlg.locator('.el-dialog__header').click()
      await dlg.locator('[data-testid=field-reporter] input').fill('王强')
      await dlg.locator('[data-testid=field-description] textarea').fill('地图选点接报')
      await dlg.locator('[data-testid=intake-save]').click()
      await P.waitForURL(/\/incidents\/\d+/)
      const id = Number(new URL(P.url()).pathname.split('/').pop())
      const inc = await apiFetch(P, `/api/v1/incidents/${id}`)
      assert.equal(inc.status, 200)
      assert.ok(String(inc.body.division).startsWith('140213'), inc.body.division)
      assert.equal(inc.body.lon, 113.3)
    } finally {
      await context.close()
    }
  })
})
