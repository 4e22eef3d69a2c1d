// 上级预警 and 需要关注, end to end against a real `yingji demo` configured
// with a watched directory: the 平城区 duty officer reads the upstream inbox
// from the page, sees a valid alert and an invalid one (with the element
// paths of its problems), sees the alert's area on the map, relays it as a
// local draft warning; the home page's attention list shows a new report
// without a reload.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const PINGCHENG = '140213000000'
const SOURCE = '省气象台'
const stamp = Date.now().toString(36).slice(-5)

let server
let browser
let dir

const cst = (d) => new Date(d.getTime() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00')

function alertXml(identifier, { lat, lon }) {
  const now = new Date()
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier>
  <sender>sxqxt@cma.gov.cn</sender>
  <sent>${cst(now)}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>${cst(new Date(now.getTime() + 24 * 3600_000))}</expires>
    <senderName>山西省气象台</senderName>
    <headline>山西省气象台发布暴雨橙色预警${stamp}</headline>
    <description>预计未来12小时平城区将出现50毫米以上强降水。</description>
    <instruction>注意防范城市内涝，地下空间人员及时撤离。</instruction>
    <area>
      <areaDesc>大同市平城区</areaDesc>
      <circle>${lat.toFixed(5)},${lon.toFixed(5)} 1.5</circle>
      <geocode><valueName>行政区划代码</valueName><value>${PINGCHENG}</value></geocode>
    </area>
  </info>
</alert>`
}

const INVALID = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>bad-${stamp}</identifier>
  <sent>2026-11-29T08:00:00+08:00</sent>
  <status>Maybe</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
</alert>`

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  dir = mkdtempSync(path.join(os.tmpdir(), 'yingji-upstream-'))
  mkdirSync(path.join(dir, 'inbox'))
  const config = path.join(dir, 'yingji.toml')
  writeFileSync(config, `[[upstream.sources]]\nname = "${SOURCE}"\ndir = "${path.join(dir, 'inbox')}"\ninterval_s = 3600\n`)
  server = await startBackend({ env: { YINGJI_CONFIG: config } })
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('上级预警 and 需要关注', () => {
  test('read the inbox, see why one is invalid, see the area on the map, relay one; attention follows live', { timeout: 240_000 }, async () => {
    const { page, errors, context } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      const reg = await apiFetch(page, `/api/v1/registries/team?division=${PINGCHENG}&limit=20`)
      const spot = reg.body.items.find((x) => x.lon !== null && x.lat !== null)
      assert.ok(spot, 'a 平城区 team with coordinates')

      // The home page's attention list, live: a new report appears without a reload.
      await page.locator('[data-testid=attention]').waitFor()
      const post = (p, body) => apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      const inc = await post('/api/v1/incidents', {
        title: `平城区地下通道积水${stamp}`,
        incident_type: 'natural.flood_drought.urban_waterlogging',
        division: PINGCHENG,
        source: 'phone',
        facts: { trapped: 3 },
      })
      assert.equal(inc.status, 201, JSON.stringify(inc.body))
      await page.locator('[data-testid=attention-unverified]', { hasText: `平城区地下通道积水${stamp}` }).waitFor({ timeout: 10_000 })

      // Two files arrive in the watched directory; the officer reads it now.
      writeFileSync(path.join(dir, 'inbox', `a-${stamp}.xml`), alertXml(`PC-${stamp}`, spot))
      writeFileSync(path.join(dir, 'inbox', `b-${stamp}.cap`), INVALID)
      await page.goto('/upstream')
      await page.locator('[data-testid=upstream-sources]', { hasText: SOURCE }).waitFor()
      await page.locator(`[data-testid="read-${SOURCE}"]`).click()
      const table = page.locator('[data-testid=upstream-table]')
      await table.locator('tr', { hasText: `暴雨橙色预警${stamp}` }).waitFor()
      const list = await apiFetch(page, '/api/v1/upstream-alerts')
      const good = list.body.find((a) => a.identifier === `PC-${stamp}`)
      const bad = list.body.find((a) => a.origin.endsWith(`b-${stamp}.cap`))
      assert.equal(good.state, 'active')
      assert.equal(bad.state, 'rejected')
      await page.locator(`[data-testid=state-${bad.id}]`).waitFor()

      // Why the invalid one is invalid, element by element.
      await table.locator('tr', { has: page.locator(`[data-testid=state-${bad.id}]`) }).locator('a').first().click()
      const problems = page.locator('[data-testid=upstream-problems]')
      await problems.waitFor()
      const text = await problems.innerText()
      assert.match(text, /sender/, text)
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'upstream.png') })
      await page.keyboard.press('Escape')

      // The alert's area is on the map.
      await page.goto('/map')
      await page.waitForFunction((id) => window.__yjMap?.ready && (window.__yjMap.loaded.upstream || []).includes(id), good.id)
      await page.locator('[data-testid=layer-upstream]').waitFor({ state: 'attached' })

      // Relay: a local draft that refers to it.
      await page.goto('/upstream')
      await page.locator(`[data-testid=relay-${good.id}]`).click()
      await page.locator('[data-testid=relay-submit]').click()
      await page.waitForURL(/\/warnings\/\d+/)
      const wid = Number(new URL(page.url()).pathname.split('/').pop())
      const w = await apiFetch(page, `/api/v1/warnings/${wid}`)
      assert.equal(w.status, 200)
      assert.equal(w.body.state, 'draft')
      assert.equal(w.body.hazard, 'rainstorm')
      assert.equal(w.body.level, 'orange')
      const again = await apiFetch(page, `/api/v1/upstream-alerts/${good.id}`)
      assert.deepEqual(again.body.relayed_as, [wid])

      assert.deepEqual(errors.filter((e) => !e.startsWith('Failed to load resource')), [])
    } finally {
      await context.close()
    }
  })
})
