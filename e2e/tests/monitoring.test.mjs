// 监测预警 end to end against a real `yingji demo`: the commander registers a
// device and a methane sensor on one of the demo's monitoring points; the
// device posts a reading over HTTP that crosses the 1.0 %CH₄ threshold; the
// alarm appears on the open alarms page live (no reload), is acknowledged
// and becomes an incident (source 系统告警). Screenshots of the alarms and
// the sensor's chart go to docs/screenshots.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

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

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

async function post(page, p, body) {
  return apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
}

/** A demo monitoring point, a device and a new sensor of `kind` on it (a
 * methane sensor gets ten minutes of normal readings); `ingest` posts
 * readings as the device. */
async function newSensor(P, kind = 'gas', name = '回风巷甲烷') {
  const points = await apiFetch(P, '/api/v1/registries/monitoring_point?limit=1')
  assert.equal(points.status, 200)
  const pt = points.body.items[0]
  const dev = await post(P, '/api/v1/monitoring/devices', { name: '演示瓦斯监测分站', division: pt.division })
  assert.equal(dev.status, 201, JSON.stringify(dev.body))
  const code = `ch4-${Date.now().toString(36).slice(-5)}`
  const s = await post(P, '/api/v1/monitoring/sensors', {
    point_id: pt.id,
    device_id: dev.body.id,
    code,
    name,
    kind,
    interval_secs: 60,
    range_min: 0,
    range_max: 100,
  })
  assert.equal(s.status, 201, JSON.stringify(s.body))
  const sensor = s.body.id
  const ingest = async (readings) => {
    const r = await fetch(`${server.url}/api/v1/monitoring/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ readings }),
    })
    assert.equal(r.status, 200, await r.clone().text())
    return r.json()
  }
  const now = Date.now()
  const at = (msAgo) => new Date(now - msAgo).toISOString()
  if (kind === 'gas') await ingest([0.3, 0.4, 0.5, 0.6, 0.7].map((v, i) => ({ sensor_id: sensor, at: at((10 - i) * 60_000), value: v })))
  return { pt, sensor, ingest, at }
}

describe('监测预警: a reading over the threshold becomes an alarm and an incident', () => {
  test('the alarm appears live, is acknowledged and opened as an incident', { timeout: 240_000 }, async () => {
    const { page: P } = await newPage(browser, server.url)
    await login(P, 'commander')
    const { pt, sensor, ingest, at } = await newSensor(P)

    // The alarms page is open before the reading that crosses the line.
    await P.locator('[data-testid=menu-alarms]').click()
    await P.waitForURL(/\/monitoring\/alarms$/)
    await P.locator('[data-testid=alarms-table]').waitFor()
    await P.locator('[data-testid=alarms-live].el-tag--success').waitFor({ timeout: 15_000 })
    const r = await ingest([{ sensor_id: sensor, at: at(30_000), value: 1.3 }])
    assert.equal(r.alarm_events, 1, JSON.stringify(r))
    const list = await apiFetch(P, `/api/v1/monitoring/alarms?sensor_id=${sensor}`)
    const alarm = list.body[0]
    assert.equal(alarm.state, 'raised')
    // Live: the row comes without a reload.
    const state = P.locator(`[data-testid=alarm-state-${alarm.id}]`)
    await state.waitFor({ timeout: 15_000 })
    assert.equal(await state.getAttribute('data-state'), 'raised')
    await shoot(P, 'monitoring-alarms.png')

    // Acknowledged.
    await P.locator(`[data-testid=alarm-acknowledge-${alarm.id}]`).click()
    await P.waitForFunction((id) => document.querySelector(`[data-testid=alarm-state-${id}]`)?.dataset.state === 'acknowledged', alarm.id, { timeout: 15_000 })
    // And opened as an incident: the incident page, source 系统告警.
    await P.locator(`[data-testid=alarm-open_incident-${alarm.id}]`).click()
    await P.waitForURL(/\/incidents\/\d+$/, { timeout: 15_000 })
    const id = Number(P.url().split('/').pop())
    const inc = await apiFetch(P, `/api/v1/incidents/${id}`)
    assert.equal(inc.status, 200)
    assert.equal(inc.body.source, 'system')
    assert.equal(inc.body.division, pt.division)
    const after = await apiFetch(P, `/api/v1/monitoring/alarms/${alarm.id}`)
    assert.equal(after.body.incident_id, id)

    // The sensor's chart with its threshold line.
    await P.goto(`${server.url}/monitoring/sensors/${sensor}`)
    const chart = P.locator('[data-testid=sensor-chart]')
    await chart.waitFor()
    await P.waitForFunction(() => Number(document.querySelector('[data-testid=sensor-chart]')?.dataset.points) >= 6, null, { timeout: 15_000 })
    assert.equal(await P.locator('[data-testid=sensor-status]').getAttribute('data-status'), 'alarm')
    await shoot(P, 'monitoring-sensor.png')
  })

  test('the situation page shows a new alarm live with a sound, and it is acknowledged there', { timeout: 240_000 }, async () => {
    const { page: P } = await newPage(browser, server.url)
    await login(P, 'duty')
    const { sensor, ingest, at } = await newSensor(P)
    await P.locator('[data-testid=situation]').waitFor()
    await P.locator('[data-testid=situation-live][data-live=true]').waitFor({ timeout: 20_000 })
    const r = await ingest([{ sensor_id: sensor, at: at(20_000), value: 1.4 }])
    assert.equal(r.alarm_events, 1, JSON.stringify(r))
    const alarm = (await apiFetch(P, `/api/v1/monitoring/alarms?sensor_id=${sensor}`)).body[0]
    // Live, without a reload, and the sound was asked for once.
    const row = P.locator(`[data-testid=banner-alarm-${alarm.id}]`)
    await row.waitFor({ timeout: 15_000 })
    assert.ok(Number(await P.locator('[data-testid=alarm-banner]').getAttribute('data-rings')) >= 1)
    // On the situation map at its point, blinking until acknowledged.
    const marker = P.locator(`[data-testid=marker-alarm-${alarm.id}]`)
    await marker.waitFor({ timeout: 15_000 })
    assert.equal(await marker.getAttribute('data-state'), 'raised')
    await shoot(P, 'monitoring-banner.png')
    // Muting is remembered; acknowledging from the banner takes it off.
    await P.locator('[data-testid=alarm-sound-toggle]').click()
    assert.equal(await P.locator('[data-testid=alarm-sound-toggle]').getAttribute('data-on'), 'false')
    assert.equal(await P.evaluate(() => localStorage.getItem('yingji.alarmSound')), 'off')
    await P.locator(`[data-testid=banner-acknowledge-${alarm.id}]`).click()
    await row.waitFor({ state: 'detached', timeout: 15_000 })
    await P.locator(`[data-testid=marker-alarm-${alarm.id}][data-state=acknowledged]`).waitFor({ timeout: 15_000 })
    const after = await apiFetch(P, `/api/v1/monitoring/alarms/${alarm.id}`)
    assert.equal(after.body.state, 'acknowledged')
    assert.equal(after.body.acknowledged_by, 'duty')
  })

  test('a rain gauge over 20 mm/h for ten minutes leads to a 暴雨 warning draft for its area', { timeout: 240_000 }, async () => {
    const { page: P } = await newPage(browser, server.url)
    await login(P, 'commander')
    const { pt, sensor, ingest, at } = await newSensor(P, 'rainfall', '小时雨量')
    // 中国气象局 短时强降水: ≥ 20 mm in an hour, held ten minutes.
    const r = await ingest([5, 25, 26, 27].map((v, i) => ({ sensor_id: sensor, at: at([20, 18, 12, 7][i] * 60_000), value: v })))
    assert.equal(r.alarm_events, 1, JSON.stringify(r))
    const alarm = (await apiFetch(P, `/api/v1/monitoring/alarms?sensor_id=${sensor}`)).body[0]
    await P.goto(`${server.url}/monitoring/alarms`)
    await P.locator(`[data-testid=alarm-warning-${alarm.id}]`).click()
    await P.waitForURL(/\/warnings\/new\?alarm=/)
    // The hazard, the area and the alarm's facts are filled in.
    await P.locator(`[data-testid=warning-form]`).waitFor()
    await P.waitForFunction(() => /监测告警/.test(document.querySelector('[data-testid=field-description] textarea')?.value ?? ''), null, { timeout: 15_000 })
    const desc = await P.locator('[data-testid=field-description] textarea').inputValue()
    assert.match(desc, /暴雨/)
    assert.match(desc, new RegExp(alarm.point_name))
    await P.locator('[data-testid=btn-save]').click()
    await P.waitForURL(/\/warnings\/\d+$/, { timeout: 15_000 })
    const w = await apiFetch(P, `/api/v1/warnings/${P.url().split('/').pop()}`)
    assert.equal(w.body.hazard, 'rainstorm')
    assert.deepEqual(w.body.area.divisions, [pt.division])
    assert.equal(w.body.state, 'draft')
  })
})
