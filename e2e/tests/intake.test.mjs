// Intake that places the call, end to end against a real `yingji demo`:
// the 平城区 duty officer records a coal-mine call by searching the
// village's name (the point, division and address are filled from it); a
// second call about the same place is offered the open incident and added
// to it as a 续报 (重复来电) instead of opening a second incident; a later
// 续报 corrects the place from the same search; the map's
// search box finds the village too. Screenshots for the README.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

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

async function openIntake(P, title) {
  await P.locator('[data-testid=menu-intake]').click()
  const dlg = P.locator('[data-testid=intake-dialog]')
  await dlg.waitFor()
  await dlg.locator('[data-testid=field-title] input').fill(title)
  await dlg.locator('[data-testid=field-incident_type] .el-cascader').click()
  const popper = P.locator('.yj-type-popper:visible')
  await popper.locator('.el-cascader-node', { hasText: '事故灾难' }).click()
  await popper.locator('.el-cascader-node', { hasText: '生产安全事故' }).click()
  await popper.locator('.el-cascader-node', { hasText: '煤矿事故' }).click()
  await dlg.locator('.el-dialog__header').click()
  return dlg
}

async function searchPlace(P, testid, q, village) {
  const input = P.locator(`input[data-testid=${testid}], [data-testid=${testid}] input`).first()
  await input.click()
  await input.fill(q)
  const option = P.locator(`.yj-place-popper:visible [data-testid=place-option-settlement-${village.id}]`)
  await option.waitFor()
  await option.click()
}

describe('接报定位与重复来电', () => {
  test('place search fills the point; a second call becomes a 续报 of the open incident; the map finds the place', { timeout: 240_000 }, async () => {
    const { page: P, errors } = await newPage(browser, server.url)
    try {
      await login(P, 'pingcheng')
      // A demo village of the district, with a name of its own.
      const list = await apiFetch(P, '/api/v1/registries/settlement?division=140213&limit=50')
      assert.equal(list.status, 200, JSON.stringify(list.body))
      const village = list.body.items.find((v) => v.name.length >= 3)
      assert.ok(village, 'a 平城区 village')
      const other = list.body.items.find((v) => v.name.length >= 3 && !v.name.includes(village.name) && !village.name.includes(v.name))
      assert.ok(other, 'a second 平城区 village')

      // First call: the place comes from the search.
      let dlg = await openIntake(P, `井下透水${stamp}`)
      await searchPlace(P, 'intake-place', village.name, village)
      await P.waitForFunction(
        (lon) => Number(document.querySelector('[data-testid=field-lon] input')?.value) === lon,
        village.lon,
      )
      assert.equal(Number(await dlg.locator('[data-testid=field-lat] input').inputValue()), village.lat)
      assert.match(await dlg.locator('[data-testid=field-address] input').inputValue(), new RegExp(village.name))
      await dlg.locator('[data-testid=source-phone]').click()
      await dlg.locator('[data-testid=field-reporter] input').fill('张伟')
      await dlg.locator('[data-testid=field-description] textarea').fill('井下透水，有人被困')
      await dlg.locator('[data-testid=intake-save]').click()
      await P.waitForURL(/\/incidents\/\d+$/)
      const first = Number(new URL(P.url()).pathname.split('/').pop())
      await P.locator('[data-testid=incident-title]').waitFor()

      // Second call about the same place: the open incident is offered.
      dlg = await openIntake(P, `透水又一来电${stamp}`)
      await searchPlace(P, 'intake-place', village.name, village)
      const offer = dlg.locator(`[data-testid=duplicate-${first}]`)
      await offer.waitFor()
      assert.match(await offer.innerText(), /相距 0 米/)
      await dlg.locator('[data-testid=field-reporter] input').fill('李娜')
      await dlg.locator('[data-testid=field-description] textarea').fill('听到井下呼救声')
      await P.screenshot({ path: path.join(SCREENSHOTS, 'intake-duplicate.png') })
      await dlg.locator(`[data-testid=add-call-${first}]`).click()
      await P.waitForURL(new RegExp(`/incidents/${first}$`))
      const call = P.locator('[data-testid=timeline-call]')
      await call.waitFor()
      assert.match(await call.innerText(), /听到井下呼救声/)
      assert.match(await call.innerText(), /李娜/)
      // A 续报 corrects the place (after 核实), from the same search.
      const cur = await apiFetch(P, `/api/v1/incidents/${first}`)
      const verified = await apiFetch(P, `/api/v1/incidents/${first}/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ version: cur.body.version, kind: 'verify' }),
      })
      assert.equal(verified.status, 200, JSON.stringify(verified.body))
      await P.reload()
      await P.locator('[data-testid=btn-update]').click()
      const ud = P.locator('[data-testid=update-dialog]')
      await ud.waitFor()
      await ud.locator('[data-testid=update-note] textarea').fill('位置更正')
      await searchPlace(P, 'update-place-search', other.name, other)
      await ud.locator('[data-testid=update-place-picked]').waitFor()
      await ud.locator('[data-testid=update-save]').click()
      await P.locator('[data-testid=timeline-update]', { hasText: other.name }).waitFor()
      const moved = await apiFetch(P, `/api/v1/incidents/${first}`)
      assert.equal(moved.body.lon, other.lon)
      assert.equal(moved.body.lat, other.lat)

      // No second incident was opened.
      const open = await apiFetch(P, '/api/v1/incidents?active=true')
      assert.equal(open.body.filter((i) => i.title.includes(stamp)).length, 1)

      // The map's search box finds the village and opens it.
      await P.locator('[data-testid=menu-map]').click()
      await P.waitForFunction(() => window.__yjMap?.ready)
      await searchPlace(P, 'map-search', village.name, village)
      await P.waitForFunction((id) => window.__yjMap?.focused?.kind === 'settlement' && window.__yjMap.focused.id === id, village.id)
      assert.match(P.url(), new RegExp(`kind=settlement&id=${village.id}`))
      await P.waitForTimeout(400)
      await P.screenshot({ path: path.join(SCREENSHOTS, 'map-search.png') })
      assert.deepEqual(errors.filter((e) => !e.startsWith('Failed to load resource')), [])
    } finally {
      await P.context().close()
    }
  })
})
