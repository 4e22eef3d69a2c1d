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
import { execFileSync, spawn } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { startBackend, backendBinary, freePort, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const PINGCHENG = '140213000000' // 平城区
const stamp = Date.now().toString(36).slice(-5)

const MOSQUITTO = process.env.MOSQUITTO || '/usr/sbin/mosquitto'


/** Approving and publishing ask first (a question, not an error): confirm. */
async function confirmBox(page) {
  const box = page.locator('.el-message-box.yj-confirm')
  await box.waitFor()
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}

let server
let browser
let broker
let receiver
let confDir
let hookUrl

/** Wait until a TCP port accepts connections. */
async function waitPort(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end()
        resolve(true)
      })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nothing listens on ${port}`)
}

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  // The township loudspeakers (应急广播) through a real MQTT broker, and a
  // subscriber's webhook that refuses everything (400: a dead letter at once).
  const mqttPort = await freePort()
  broker = spawn(MOSQUITTO, ['-p', String(mqttPort)], { stdio: 'ignore' })
  await waitPort(mqttPort)
  receiver = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.statusCode = 400
      res.end('no')
    })
  })
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r))
  hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`
  confDir = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-conf-'))
  const conf = path.join(confDir, 'yingji.toml')
  writeFileSync(
    conf,
    // The failing webhook listens on this machine: allowed as a bureau's own system would be.
    `[warnings]\nworker_interval_ms = 200\n\n[warnings.channels.webhook]\nallow = ["127.0.0.1"]\n\n[warnings.channels.broadcast]\nhost = "127.0.0.1"\nport = ${mqttPort}\n`,
  )
  server = await startBackend({ env: { YINGJI_CONFIG: conf } })
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
  broker?.kill('SIGTERM')
  receiver?.close()
  if (confDir) rmSync(confDir, { recursive: true, force: true })
})

const realErrors = (errors) => errors.filter((e) => !e.startsWith('Failed to load resource'))

/** A screenshot; `full` grows the viewport to the content first (the shell scrolls inside 100vh). */
async function shoot(page, file, { full = false } = {}) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.mouse.move(2, 2)
  const size = page.viewportSize()
  if (full) {
    const h = await page.evaluate(() => {
      const main = document.querySelector('.yj-main')
      return main ? main.scrollHeight + 56 : document.documentElement.scrollHeight
    })
    await page.setViewportSize({ width: size.width, height: Math.min(Math.max(h, size.height), 3000) })
  }
  await page.waitForTimeout(500)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
  if (full) await page.setViewportSize(size)
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

describe('预警发布: draw, preview, approve as a second person, publish, feed, coverage', () => {
  test('operator drafts on the map, commander approves and publishes', { timeout: 240_000 }, async () => {
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
      // A subscriber at the village whose webhook fails: it must not block the loudspeakers.
      const sub = await apiFetch(A, '/api/v1/registries/subscriber', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name: `失效接收单位${stamp}`,
          division: village.division,
          lon: village.lon,
          lat: village.lat,
          attrs: { subscriber_type: 'org', webhook_url: hookUrl },
        }),
      })
      assert.equal(sub.status, 201, JSON.stringify(sub.body))

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
      assert.equal(check.body.subscribers_by_channel.webhook, 1)
      await A.locator('[data-testid=reach-channel-webhook]', { hasText: '1' }).waitFor()

      await A.locator('[data-testid=field-area_desc] input').fill(`平城区${village.name}及周边${stamp}`)
      await A.locator('[data-testid=field-description] textarea').fill(`预计未来6小时${village.name}一带降雨量将达50毫米以上，并伴有雷电。`)
      // Leaflet's container keeps its classes (clipping) after the drawing mode changed.
      assert.equal(await A.locator('.yj-area-canvas.leaflet-container').count(), 1)
      await shoot(A, 'warning-editor.png', { full: true })
      await A.locator('[data-testid=btn-save-submit]').click()
      await A.waitForURL(/\/warnings\/\d+$/)
      const id = Number(new URL(A.url()).pathname.split('/').pop())
      await A.locator('[data-testid=warning-state][data-state=submitted]').waitFor()
      // Before sending: the CAP preview is valid and the operator cannot approve or publish.
      await A.locator('[data-testid=cap-valid][data-valid=true]').waitFor()
      assert.equal(await A.locator('[data-testid=btn-approve]').count(), 0)
      // The SMS text as a phone shows it, before anything is sent.
      assert.ok((await A.locator('[data-testid=sms-text]').innerText()).length > 5)
      assert.equal(await A.locator('[data-testid=btn-publish]').count(), 0)

      // --- the commander, in another browser context, approves and publishes ---
      await B.locator('[data-testid=menu-warning-list]').click()
      await B.locator(`[data-testid=warning-link-${id}]`).click()
      await B.waitForURL(new RegExp(`/warnings/${id}$`))
      await B.locator('[data-testid=warning-state][data-state=submitted]').waitFor()
      await B.locator('[data-testid=btn-approve]').click()
      await confirmBox(B)
      await B.locator('[data-testid=warning-state][data-state=approved]').waitFor()
      await B.locator('[data-testid=btn-publish]').click()
      await confirmBox(B)
      await B.locator('[data-testid=warning-state][data-state=published]').waitFor()
      await B.waitForFunction(() => /^\d{14}/.test(document.querySelector('[data-testid=warning-identifier]')?.textContent ?? ''))
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
      // The loudspeakers of every township reached deliver; the failing webhook is a dead letter beside them.
      const panel = B.locator('[data-testid=coverage-panel]')
      await panel.locator('[data-testid=coverage-met][data-met=true]').waitFor({ timeout: 30_000 })
      await B.locator('[data-testid=dead-count]').waitFor({ timeout: 30_000 })
      const cov = await apiFetch(B, `/api/v1/warnings/${id}/coverage`)
      assert.equal(cov.status, 200)
      assert.equal(cov.body.target_share, 0.9)
      assert.equal(cov.body.targeted_population, population)
      assert.equal(cov.body.reached_population, population)
      assert.equal(cov.body.met, true)
      // One loudspeaker message per targeted township (the demo's cell-broadcast and SMS messages are counted under the district).
      assert.equal(cov.body.channels.broadcast.delivered, cov.body.by_division.filter((r) => r.targeted_population > 0).length)
      assert.equal(cov.body.channels.cell_broadcast.delivered, 1)
      assert.deepEqual(cov.body.channels.webhook, { targeted: 1, delivered: 0, pending: 0, dead: 1 })
      assert.equal(await panel.locator('[data-testid=coverage-met]').getAttribute('data-met'), String(cov.body.met))
      await panel.locator('[data-testid=coverage-divisions] tbody tr').first().waitFor()
      assert.equal(cov.body.by_division.reduce((n, r) => n + r.targeted_population, 0), population)
      assert.equal(await panel.locator('[data-testid=coverage-divisions] tbody tr').count(), cov.body.by_division.length)
      const divText = await panel.locator('[data-testid=coverage-divisions]').innerText()
      for (const r of cov.body.by_division) assert.ok(divText.includes(r.name) && divText.includes(String(r.targeted_population)), r.name)
      await panel.locator(`[data-testid=coverage-met]`, { hasText: cov.body.met ? '达标' : '未达标' }).waitFor()
      await B.locator('[data-testid=cap-valid][data-valid=true]').waitFor()
      await shoot(B, 'warning.png', { full: true })

      // The one map shows the area of the warning in force; its popup opens the warning.
      await B.locator('[data-testid=menu-map]').click()
      await B.waitForFunction((want) => window.__yjMap?.ready && window.__yjMap.loaded.warning?.includes(want), id)
      await B.locator('[data-testid=layer-warning]').waitFor({ state: 'attached' })
      await B.evaluate(([la, lo]) => window.__yjMap.map.setView([la, lo], 14, { animate: false }), [lat, lon])
      await B.locator(`path.yj-warning-${id}`).first().waitFor({ state: 'attached' })
      const mapBox = await B.locator('.leaflet-container').first().boundingBox()
      const inner = await B.evaluate(([lo, la]) => {
        const pt = window.__yjMap.map.latLngToContainerPoint([la, lo])
        return { x: pt.x, y: pt.y }
      }, [lon - d * 0.85, lat - d * 0.85])
      await B.mouse.click(mapBox.x + inner.x, mapBox.y + inner.y)
      await B.locator('[data-testid=popup-open-warning]').click()
      await B.waitForURL(new RegExp(`/warnings/${id}$`))

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
  test('circle and division, refused centre outside, edit, reject with a reason, revise, cancel', { timeout: 240_000 }, async () => {
    const op = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url)
    try {
      await login(op.page, 'pingcheng')
      await login(cmd.page, 'commander')
      const A = op.page
      const B = cmd.page
      const post = (page, p, body) =>
        apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

      const reg = await apiFetch(A, `/api/v1/registries/settlement?division=${PINGCHENG}&limit=200`)
      const village = reg.body.items.filter((x) => x.lon !== null && (x.attrs?.population ?? 0) > 0).at(-1)
      assert.ok(village)
      // A point east of 平城区's boundary (outside the jurisdiction).
      const bnd = await apiFetch(A, '/api/v1/divisions/boundaries')
      const coords = JSON.stringify(bnd.body.features.map((f) => f.geometry.coordinates)).match(/-?\d+\.\d+/g).map(Number)
      const lons = coords.filter((_, i) => i % 2 === 0)
      const outside = [Math.max(...lons) + 0.08, village.lat]

      await A.goto('/warnings/new')
      await A.waitForFunction(() => window.__yjAreaMap?.ready)
      await A.evaluate(([a, b]) => window.__yjAreaMap.map.fitBounds([a, b], { animate: false, padding: [40, 40] }), [
        [village.lat, village.lon],
        [outside[1], outside[0]],
      ])
      await A.locator('[data-testid=level-blue]').click()
      assert.match(await A.locator('[data-testid=field-headline] input').inputValue(), /蓝色预警信号/)

      // A circle centred outside the district: refused, its centre highlighted.
      await A.locator('[data-testid=circle-radius] input').fill('1')
      await A.locator('[data-testid=circle-radius] input').press('Tab')
      await A.locator('[data-testid=draw-circle]').click()
      await clickAt(A, outside[0], outside[1])
      await A.locator('[data-testid=area-problems] li[data-field="area.circles[0]"]', { hasText: '管辖范围' }).waitFor()
      await A.locator('path.yj-problem-point').first().waitFor({ state: 'attached' })
      await A.locator('[data-testid=draw-clear]').click()

      // A 1 km circle on the village, then a whole township picked from the cascader.
      await A.evaluate(([lat, lon]) => window.__yjAreaMap.map.setView([lat, lon], 13, { animate: false }), [village.lat, village.lon])
      await A.locator('[data-testid=draw-circle]').click()
      await clickAt(A, village.lon, village.lat)
      await A.locator('[data-testid=reach-villages-table]', { hasText: village.name }).waitFor()
      const popOf = async () => Number((await A.locator('[data-testid=reach-population] .el-statistic__content').innerText()).replace(/[^\d]/g, ''))
      const circlePop = await popOf()
      assert.ok(circlePop >= village.attrs.population)
      const towns = await apiFetch(A, `/api/v1/divisions?parent=${PINGCHENG}`)
      const town = towns.body.find((d) => !village.division.startsWith(d.code.slice(0, 9)))
      assert.ok(town, 'another township')
      await A.locator('[data-testid=division-picker] .el-cascader').click()
      const popper = A.locator('.el-cascader__dropdown:visible')
      await popper.locator('.el-cascader-node', { hasText: '平城区' }).click()
      await popper.locator('.el-cascader-node', { hasText: town.name }).locator('.el-radio').click()
      await A.locator(`[data-testid=division-${town.code}]`).waitFor()
      await A.waitForFunction((n) => Number(document.querySelector('[data-testid=reach-population] .el-statistic__content')?.textContent.replace(/[^\d]/g, '')) > n, circlePop)
      const both = await post(A, '/api/v1/warnings/targeting', {
        area: { polygons: [], circles: [{ lon: village.lon, lat: village.lat, radius_m: 1000 }], divisions: [town.code] },
      })
      assert.equal(both.status, 200, JSON.stringify(both.body))
      await A.waitForFunction((n) => Number(document.querySelector('[data-testid=reach-population] .el-statistic__content')?.textContent.replace(/[^\d]/g, '')) === n, both.body.population)

      await A.locator('[data-testid=field-area_desc] input').fill(`${village.name}周边及${town.name}${stamp}`)
      await A.locator('[data-testid=btn-save]').click()
      await A.waitForURL(/\/warnings\/\d+$/)
      const id = Number(new URL(A.url()).pathname.split('/').pop())
      await A.locator('[data-testid=warning-state][data-state=draft]').waitFor()
      await A.locator('[data-testid=cap-valid][data-valid=true]').waitFor()
      assert.match(await A.locator('[data-testid=cap-xml]').innerText(), /<circle>/)

      // Edit: the level goes up; the untouched texts follow the template.
      await A.locator('[data-testid=btn-edit]').click()
      await A.waitForURL(new RegExp(`/warnings/${id}/edit$`))
      await A.locator(`[data-testid=division-${town.code}]`).waitFor()
      await A.locator('[data-testid=level-red]').click()
      await A.waitForFunction(() => document.querySelector('[data-testid=field-headline] input')?.value.includes('红色预警信号'))
      await A.locator('[data-testid=btn-save-submit]').click()
      await A.waitForURL(new RegExp(`/warnings/${id}$`))
      await A.locator('[data-testid=warning-state][data-state=submitted]').waitFor()

      // The commander returns it with a reason; the author's page shows it live.
      await B.goto(`/warnings/${id}`)
      await B.locator('[data-testid=warning-state][data-state=submitted]').waitFor()
      await B.locator('[data-testid=btn-reject]').click()
      await B.locator('[data-testid=reason-save]').click()
      await B.locator('[data-testid=reason-dialog] .el-form-item__error').waitFor()
      await B.locator('[data-testid=reason-text]').fill('范围应包括相邻乡镇')
      await B.locator('[data-testid=reason-save]').click()
      await B.locator('[data-testid=warning-state][data-state=draft]').waitFor()
      await A.locator('[data-testid=warning-note]', { hasText: '范围应包括相邻乡镇' }).waitFor({ timeout: 10_000 })

      // Submitted again, approved and published.
      await A.locator('[data-testid=btn-submit]').click()
      await A.locator('[data-testid=warning-state][data-state=submitted]').waitFor()
      await B.locator('[data-testid=btn-approve]').click()
      await confirmBox(B)
      await B.locator('[data-testid=warning-state][data-state=approved]').waitFor()
      await B.locator('[data-testid=btn-publish]').click()
      await confirmBox(B)
      await B.locator('[data-testid=warning-state][data-state=published]').waitFor()

      // 更新: a draft Update, through approval again; the first is superseded.
      await A.locator('[data-testid=warning-state][data-state=published]').waitFor({ timeout: 10_000 })
      await A.locator('[data-testid=btn-revise]').click()
      await A.locator('.el-message-box__btns .el-button--primary').click()
      await A.waitForURL(/\/warnings\/\d+\/edit$/)
      const uid = Number(new URL(A.url()).pathname.split('/').at(-2))
      assert.notEqual(uid, id)
      await A.locator('[data-testid=page-title]', { hasText: '更新' }).waitFor()
      await A.locator('[data-testid=field-description] textarea').fill('降雨持续，范围扩大。')
      await A.locator('[data-testid=btn-save-submit]').click()
      await A.waitForURL(new RegExp(`/warnings/${uid}$`))
      await B.goto(`/warnings/${uid}`)
      await B.locator('[data-testid=btn-approve]').click()
      await confirmBox(B)
      await B.locator('[data-testid=warning-state][data-state=approved]').waitFor()
      await B.locator('[data-testid=btn-publish]').click()
      await confirmBox(B)
      await B.locator('[data-testid=warning-state][data-state=published]').waitFor()
      const first = await apiFetch(B, `/api/v1/warnings/${id}`)
      assert.equal(first.body.state, 'superseded')

      // 解除 with a reason.
      await B.locator('[data-testid=btn-cancel]').click()
      await B.locator('[data-testid=reason-text]').fill('降雨结束')
      await B.locator('[data-testid=reason-save]').click()
      await B.locator('[data-testid=warning-state][data-state=cancelled]').waitFor()
      const list = await apiFetch(B, '/api/v1/warnings')
      const cancelMsg = list.body.find((w) => w.msg_type === 'Cancel' && w.refers_to === uid)
      assert.ok(cancelMsg?.identifier, 'a Cancel message was sent')
      await B.locator('[data-testid=menu-warning-list]').click()
      await B.locator(`[data-testid=warning-state-${uid}][data-state=cancelled]`).waitFor()

      // The same pages in English.
      await B.evaluate(() => localStorage.setItem('yingji.locale', 'en'))
      await B.goto(`/warnings/${id}`)
      await B.locator('[data-testid=warning-state][data-state=superseded]', { hasText: 'Superseded' }).waitFor()
      await B.locator('[data-testid=coverage-panel]', { hasText: 'Coverage' }).waitFor()
      await B.locator('[data-testid=menu-warnings]', { hasText: 'Public warnings' }).waitFor()
      await B.goto('/warnings/new')
      await B.locator('[data-testid=draw-polygon]', { hasText: 'Draw polygon' }).waitFor()
      await B.evaluate(() => localStorage.setItem('yingji.locale', 'zh-CN'))

      assert.deepEqual(realErrors(op.errors), [])
      assert.deepEqual(realErrors(cmd.errors), [])
    } finally {
      await op.context.close()
      await cmd.context.close()
    }
  })

  test('the area description follows the chosen areas, a typed one naming none is warned; the signal in its colour', { timeout: 240_000 }, async () => {
    const op = await newPage(browser, server.url)
    try {
      await login(op.page, 'pingcheng')
      const A = op.page
      const towns = (await apiFetch(A, `/api/v1/divisions?parent=${PINGCHENG}`)).body
      assert.ok(towns.length >= 3, 'three townships')
      const [t1, t2, t3] = towns
      await A.goto('/warnings/new')
      await A.locator('[data-testid=warning-form]').waitFor()

      // The signal: the hazard's name and the colour level, in the colour.
      const preview = A.locator('[data-testid=signal-preview] [data-testid=warning-signal]')
      await preview.waitFor()
      assert.equal(await preview.getAttribute('data-level'), 'yellow')
      assert.equal(await preview.getAttribute('aria-label'), '暴雨黄色预警信号')
      await A.locator('[data-testid=level-red]').click()
      await A.locator('[data-testid=signal-preview] [data-testid=warning-signal][data-level=red]').waitFor()
      assert.equal(await preview.locator('rect').first().getAttribute('fill'), '#c62828')
      assert.equal(await preview.locator('[data-part=level]').textContent(), '红色预警')
      assert.equal(await preview.locator('[data-part=name]').textContent(), '暴雨')

      // Two townships chosen: the description is their names, joined with 、.
      const noDropdown = () => A.waitForFunction(() => ![...document.querySelectorAll('.el-cascader__dropdown')].some((d) => d.offsetParent !== null))
      const pick = async (town) => {
        await noDropdown()
        await A.locator('[data-testid=division-picker] .el-cascader').click()
        const popper = A.locator('.el-cascader__dropdown:visible')
        await popper.locator('.el-cascader-node', { hasText: '平城区' }).click()
        const node = popper.locator('.el-cascader-node', { hasText: town.name })
        await node.waitFor()
        await A.waitForTimeout(300) // the lazily loaded level settles
        await node.locator('.el-radio').click()
        await A.locator(`[data-testid=division-${town.code}]`).waitFor()
        // The list closes (or is closed) before the next pick.
        await noDropdown().catch(async () => {
          await A.locator('[data-testid=page-title]').click()
          await noDropdown()
        })
      }
      const desc = A.locator('[data-testid=field-area_desc] input')
      await pick(t1)
      await A.waitForFunction((v) => document.querySelector('[data-testid=field-area_desc] input')?.value === v, t1.name)
      await pick(t2)
      await A.waitForFunction((v) => document.querySelector('[data-testid=field-area_desc] input')?.value === v, `${t1.name}、${t2.name}`)
      await A.locator('[data-testid=area-desc-auto]').waitFor()
      // The description's place follows into the prefilled description.
      await A.waitForFunction((v) => document.querySelector('[data-testid=field-description] textarea')?.value.includes(v), `${t1.name}、${t2.name}`)
      // One removed: the description follows.
      await A.locator(`[data-testid=division-${t2.code}] .el-tag__close`).click()
      await A.waitForFunction((v) => document.querySelector('[data-testid=field-area_desc] input')?.value === v, t1.name)
      // Picked again after its removal: back in the area and in the description.
      await pick(t2)
      await A.waitForFunction((v) => document.querySelector('[data-testid=field-area_desc] input')?.value === v, `${t1.name}、${t2.name}`)
      await A.locator(`[data-testid=division-${t2.code}] .el-tag__close`).click()
      await A.waitForFunction((v) => document.querySelector('[data-testid=field-area_desc] input')?.value === v, t1.name)

      // Typed by the user: kept when the areas change, and warned when it names none of them.
      await desc.fill('北部山区')
      await A.locator('[data-testid=area-desc-warning]', { hasText: t1.name }).waitFor()
      assert.equal(await A.locator('[data-testid=area-desc-auto]').count(), 0)
      await pick(t3)
      assert.equal(await desc.inputValue(), '北部山区')
      await desc.fill(`${t3.name}北部山区`)
      await A.locator('[data-testid=area-desc-warning]').waitFor({ state: 'detached' })

      // Saved (a soft warning does not stop it): the page shows the signal.
      await A.locator('[data-testid=btn-save]').click()
      await A.waitForFunction(() => /^\/warnings\/\d+$/.test(location.pathname))
      const sig = A.locator('[data-testid=warning-signal]')
      await sig.waitFor()
      assert.equal(await sig.getAttribute('data-level'), 'red')
      assert.equal(await sig.getAttribute('aria-label'), '暴雨红色预警信号')
      assert.match(await A.locator('[data-testid=warning-fields]').innerText(), new RegExp(`${t3.name}北部山区`))
      await A.waitForTimeout(300)
      await sig.screenshot({ path: path.join(SCREENSHOTS, 'warning-signal.png') })
      assert.deepEqual(realErrors(op.errors), [])
    } finally {
      await op.context.close()
    }
  })
})
