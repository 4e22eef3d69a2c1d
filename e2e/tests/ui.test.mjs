// End-to-end tests of the web UI against a real `yingji demo` backend in headless Chromium.
// Run: npm test (in e2e/). Needs the backend binary (YINGJI_BIN, default ../target/debug/yingji)
// and the built UI (web/dist, embedded or served through the fallback proxy, see lib/server.mjs).
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import iconv from 'iconv-lite'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
/**
 * Row number the server reports for the 2nd data row. docs/api-contract.md says "1-based data row
 * number" (→ 2), but the backend deliberately reports spreadsheet rows, header = row 1 (→ 3;
 * see crates/yingji/src/registry/io.rs). Whichever wins, change it here.
 */
const EXPECTED_BAD_ROW = 3
const PINGCHENG = '140213000000'

let server
let browser
let tmp
const stamp = Date.now().toString(36).slice(-5)

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-files-'))
  server = await startBackend()
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** Chinese labels of the team schema, fetched from the server (the CSV header uses them). */
async function teamLabels(page) {
  const { status, body } = await apiFetch(page, '/api/v1/registries')
  assert.equal(status, 200)
  const team = body.find((s) => s.kind === 'team')
  assert.ok(team, 'team schema')
  const byKey = Object.fromEntries(team.fields.map((f) => [f.key, f]))
  for (const k of ['name', 'division', 'lon', 'lat', 'responsible', 'phone', 'duty_phone', 'status', 'team_kind', 'headcount'])
    assert.ok(byKey[k], `team field ${k}`)
  return byKey
}

function csvRow(values) {
  return values.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))).join(',')
}

/** Write a GBK-encoded CSV of team rows with Chinese-label headers. */
function writeTeamCsv(file, f, rows) {
  const keys = ['name', 'division', 'lon', 'lat', 'responsible', 'phone', 'duty_phone', 'status', 'team_kind', 'headcount']
  const optLabel = (key, value) => f[key].options?.find((o) => o.value === value)?.label_zh ?? value
  const lines = [csvRow(keys.map((k) => f[k].label_zh))]
  for (const r of rows) {
    lines.push(
      csvRow([r.name, PINGCHENG, r.lon, r.lat, '张三', '13800000000', '0352-1234567', optLabel('status', 'available'), optLabel('team_kind', 'fire'), r.headcount ?? 20]),
    )
  }
  writeFileSync(file, iconv.encode(lines.join('\r\n') + '\r\n', 'gbk'))
}

async function openTeams(page) {
  await page.locator('[data-testid=menu-registry-team]').click()
  await page.waitForURL(/\/registry\/team/)
  await page.locator('[data-testid=registry-table]').waitFor()
  await page.locator('[data-testid=registry-table] .el-loading-mask').waitFor({ state: 'detached' }).catch(() => {})
}

async function searchName(page, name) {
  await page.locator('[data-testid=filter-q]').fill(name)
  await page.locator('[data-testid=filter-q]').press('Enter')
  await page.waitForTimeout(300)
  await page.locator('[data-testid=registry-table] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => {})
}

async function importFile(page, file) {
  await page.locator('[data-testid=btn-import] input[type=file]').setInputFiles(file)
}

describe('yingji web UI', () => {
  const newTeam = `E2E导入救援队${stamp}`
  let newId

  test('(a) county operator imports a GBK CSV; the team appears in the table and on the map', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      // header: display name, role label, jurisdiction
      await assert.doesNotReject(page.locator('[data-testid=user-name]', { hasText: '刘晓东' }).waitFor())
      assert.match(await page.locator('[data-testid=user-role]').innerText(), /县级操作员/)
      assert.match(await page.locator('[data-testid=user-division]').innerText(), /平城区/)

      await openTeams(page)
      assert.match(await page.locator('[data-testid=page-title]').innerText(), /救援队伍/)
      const f = await teamLabels(page)
      const file = path.join(tmp, 'teams-gbk.csv')
      writeTeamCsv(file, f, [{ name: newTeam, lon: 113.3, lat: 40.08, headcount: 25 }])
      await importFile(page, file)
      await page.locator('.el-message--success', { hasText: '导入 1 条' }).waitFor()

      await searchName(page, newTeam)
      const link = page.locator('[data-testid=registry-table] a.yj-name', { hasText: newTeam })
      await link.waitFor()
      newId = Number((await link.getAttribute('data-testid')).replace('row-name-', ''))
      assert.ok(newId > 0, 'new row id')
      assert.match(await page.locator('[data-testid=registry-table]').innerText(), /平城区/)

      // the map (via the menu): the new point is rendered as a team marker
      await page.locator('[data-testid=menu-map]').click()
      await page.waitForURL(/\/map/)
      await page.locator('[data-testid=map]').waitFor()
      // (drawn alone or counted in a cluster bubble at this zoom)
      await page.waitForFunction((id) => (window.__yjMap?.loaded?.team ?? []).includes(id), newId)
      const loaded = await page.evaluate(() => window.__yjMap?.loaded?.team ?? [])
      assert.ok(loaded.includes(newId), 'debug handle lists the new team')

      // "show on map" from the table focuses the record and opens its popup
      await page.goBack()
      await page.locator('[data-testid=registry-table]').waitFor()
      await page.goto(`/registry/team`)
      await searchName(page, newTeam)
      await page.locator(`[data-testid=show-on-map-${newId}]`).click()
      await page.waitForURL(new RegExp(`/map\\?kind=team&id=${newId}`))
      await page.locator('.leaflet-popup-content', { hasText: newTeam }).waitFor()
      // the 401 is /auth/me on the login page before signing in
      assert.deepEqual(errors.filter((e) => !/favicon|status of 401/.test(e)), [])
    } finally {
      await context.close()
    }
  })

  test('(b) an import with a bad row lists the row and field, and writes nothing', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await openTeams(page)
      const f = await teamLabels(page)
      const good = `E2E好行${stamp}`
      const bad = `E2E坏行${stamp}`
      const file = path.join(tmp, 'teams-bad-gbk.csv')
      writeTeamCsv(file, f, [
        { name: good, lon: 113.31, lat: 40.09 },
        { name: bad, lon: 113.32, lat: 95 },
      ])
      const before = await apiFetch(page, '/api/v1/registries/team?limit=1')
      await importFile(page, file)
      const dlg = page.locator('[data-testid=import-errors]')
      await dlg.locator('[data-testid=import-errors-table]').waitFor()
      const rows = dlg.locator('[data-testid=import-errors-table] .el-table__body tr')
      assert.ok((await rows.count()) >= 1)
      const first = await rows.first().innerText()
      const cells = first.split('\t').map((s) => s.trim())
      assert.equal(Number(cells[0]), EXPECTED_BAD_ROW, `error row (got "${first}")`)
      assert.match(first, new RegExp(f.lat.label_zh), 'error names the latitude field')
      assert.match(first, /lat/)
      await dlg.getByRole('button', { name: '关闭' }).last().click()

      const after = await apiFetch(page, '/api/v1/registries/team?limit=1')
      assert.equal(after.body.total, before.body.total, 'nothing was imported')
      const q = await apiFetch(page, `/api/v1/registries/team?q=${encodeURIComponent(good)}`)
      assert.equal(q.body.total, 0, 'the valid row was not imported either')
      await searchName(page, good)
      assert.equal(await page.locator('[data-testid=registry-table] a.yj-name').count(), 0)
    } finally {
      await context.close()
    }
  })

  test('(b2) an import with more errors than listed says how many there are', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await openTeams(page)
      const f = await teamLabels(page)
      const file = path.join(tmp, 'teams-many-bad.csv')
      // 1,200 rows with latitude 95: the server lists the first 1,000.
      writeTeamCsv(
        file,
        f,
        Array.from({ length: 1200 }, (_, i) => ({ name: `E2E多错${stamp}-${i}`, lon: 113.3, lat: 95 })),
      )
      await importFile(page, file)
      const dlg = page.locator('[data-testid=import-errors]')
      await dlg.locator('[data-testid=import-errors-table]').waitFor()
      const hint = await dlg.locator('.el-alert__title').innerText()
      assert.match(hint, /1200 处错误/, hint)
      assert.match(hint, /前 1000 处/, hint)
      await dlg.getByRole('button', { name: '关闭' }).last().click()
    } finally {
      await context.close()
    }
  })

  test('(c) observer is read-only; switching to English changes the menu', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'observer')
      assert.match(await page.locator('[data-testid=user-role]').innerText(), /观察员/)
      await openTeams(page)
      await page.locator('[data-testid=registry-table] a.yj-name').first().waitFor()
      assert.equal(await page.locator('[data-testid=btn-create]').count(), 0, 'no create button')
      assert.equal(await page.locator('[data-testid=btn-import]').count(), 0, 'no import button')
      assert.equal(await page.locator('[data-testid^=delete-]').count(), 0, 'no delete buttons')
      assert.ok(await page.locator('[data-testid=btn-export-csv]').isVisible(), 'export is still offered')

      assert.match(await page.locator('[data-testid=menu-registry-team]').innerText(), /救援队伍/)
      assert.match(await page.locator('[data-testid=menu-map]').innerText(), /一张图/)
      await page.locator('[data-testid=lang-en]').click()
      await page.locator('[data-testid=menu-registry-team]', { hasText: 'Rescue teams' }).waitFor()
      assert.match(await page.locator('[data-testid=menu-map]').innerText(), /One map/)
      assert.match(await page.locator('[data-testid=menu-journal]').innerText(), /Audit journal/)
      assert.match(await page.locator('[data-testid=logout]').innerText(), /Sign out/)
      // remembered across a reload
      await page.reload()
      await page.locator('[data-testid=menu-registry-team]', { hasText: 'Rescue teams' }).waitFor()
      await page.locator('[data-testid=lang-zh]').click()
      await page.locator('[data-testid=menu-registry-team]', { hasText: '救援队伍' }).waitFor()
    } finally {
      await context.close()
    }
  })

  test('(e) a stale save shows the conflict message; server 422 errors land on the form items', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await openTeams(page)
      const first = page.locator('[data-testid=registry-table] a.yj-name').first()
      await first.waitFor()
      const id = Number((await first.getAttribute('data-testid')).replace('row-name-', ''))
      await page.locator(`[data-testid=edit-${id}]`).click()
      await page.locator('[data-testid=record-dialog] [data-testid=field-name] input').waitFor()
      // someone else saves the record meanwhile
      const cur = await apiFetch(page, `/api/v1/registries/team/${id}`)
      assert.equal(cur.status, 200)
      const { id: _id, kind: _k, division_name: _dn, category: _c, updated_at: _u, ...body } = cur.body
      const put = await apiFetch(page, `/api/v1/registries/team/${id}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...body, address: '他人修改的地址' }),
      })
      assert.equal(put.status, 200, JSON.stringify(put.body))
      await page.locator('[data-testid=record-save]').click()
      await page.locator('.el-message--error', { hasText: '记录已被他人修改，请刷新后重试' }).waitFor()
      await page.locator('[data-testid=conflict-alert]').waitFor()
      await page.keyboard.press('Escape')

      // create: the client checks required/min/max; then a server-side 422 is shown on its form item
      await page.locator('[data-testid=btn-create]').click()
      const dlg = page.locator('[data-testid=record-dialog]')
      await dlg.locator('[data-testid=field-name] input').fill(`E2E表单${stamp}`)
      await dlg.locator('[data-testid=field-lat] input').fill('95')
      await dlg.locator('[data-testid=record-save]').click()
      await dlg.locator('[data-testid=field-lat] .el-form-item__error').waitFor()
      assert.match(await dlg.locator('[data-testid=field-lat] .el-form-item__error').innerText(), /纬度/)
      assert.ok(await dlg.locator('[data-testid=field-headcount] .el-form-item__error').isVisible(), 'required headcount flagged')
      // route a save through the server: intercept it to answer like the server does for an attrs field
      await page.route('**/api/v1/registries/team', (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 422,
              contentType: 'application/problem+json',
              body: JSON.stringify({ status: 422, key: 'validation', detail: '校验失败', errors: [{ field: 'headcount', message: '服务端：人数不合理' }] }),
            })
          : route.continue(),
      )
      await dlg.locator('[data-testid=field-lat] input').fill('40.08')
      await dlg.locator('[data-testid=field-lon] input').fill('113.3')
      await dlg.locator('[data-testid=field-headcount] input').fill('12')
      await dlg.locator('[data-testid=field-team_kind] .el-select').click()
      await page.locator('.el-select-dropdown__item:visible').first().click()
      await dlg.locator('[data-testid=record-save]').click()
      await dlg.locator('[data-testid=field-headcount] .el-form-item__error', { hasText: '服务端：人数不合理' }).waitFor()
      await page.unroute('**/api/v1/registries/team')
    } finally {
      await context.close()
    }
  })

  test('(f) the audit journal updates live', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await page.locator('[data-testid=menu-journal]').click()
      await page.locator('[data-testid=journal-table]').waitFor()
      await page.locator('[data-testid=journal-live]', { hasText: '已连接' }).waitFor()
      const name = `E2E实时${stamp}`
      const res = await apiFetch(page, '/api/v1/registries/team', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name,
          division: PINGCHENG,
          lon: 113.29,
          lat: 40.07,
          address: '',
          responsible: '',
          phone: '',
          duty_phone: '',
          status: 'available',
          attrs: { team_kind: 'fire', headcount: 5 },
        }),
      })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      await page.locator('[data-testid=journal-table]', { hasText: name }).waitFor()
    } finally {
      await context.close()
    }
  })

  test('(d) login errors and screenshots at 1440×900', { timeout: 240_000 }, async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    const { context, page } = await newPage(browser, server.url)
    try {
      await page.goto('/login')
      await page.locator('[data-testid=app-name]', { hasText: '应急指挥平台' }).waitFor()
      await page.locator('[data-testid=login-username]').fill('nobody-e2e')
      await page.locator('[data-testid=login-password]').fill('wrong')
      await page.locator('[data-testid=login-submit]').click()
      await page.locator('[data-testid=login-error]', { hasText: '用户名或密码错误' }).waitFor()
      await page.locator('[data-testid=login-username]').fill('')
      await page.locator('[data-testid=login-password]').fill('')
      await page.goto('/login')
      await page.locator('[data-testid=login-username]').waitFor()
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'login.png') })

      await login(page, 'commander')
      await openTeams(page)
      await page.locator('[data-testid=registry-table] a.yj-name').first().waitFor()
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'registry.png') })

      await page.locator('[data-testid=menu-map]').click()
      await page.locator('[data-testid=map]').waitFor()
      await page.locator('path.yj-marker-team').first().waitFor({ state: 'attached' })
      // Default layers: teams, incidents, warnings, resources en route (the rest on demand).
      await page.waitForFunction(() => window.__yjMap?.ready && ['team', 'incident', 'warning'].every((k) => k in window.__yjMap.loaded))
      await page.waitForTimeout(500)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'map.png') })

      await page.locator('[data-testid=menu-home]').click()
      // The commander's home page is the situation board (态势).
      await page.locator('[data-testid=situation-map].leaflet-container').waitFor()
      await page.locator('[data-testid=situation-live][data-live=true]').waitFor()
      await page.waitForTimeout(800)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png') })
    } finally {
      await context.close()
    }
  })
})
