// 指挥中心 end to end against a real `yingji demo`, at the sizes of the
// command hall: the commander's 态势 home page at 1920×1080 (one screen, no
// scrolling, live), the 大屏 /screen opened with a display token an
// administrator issues in the UI (no login, token gone from the address,
// read-only, panels rotating; at 1920×1080 and 3840×2160), the display
// noticing a server restart (stale) and reconnecting by itself, and the
// menu as a drawer on a phone (390×844). Screenshots go to docs/screenshots.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { backendBinary, freePort, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, PHONE } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const HD = { width: 1920, height: 1080 }
const UHD = { width: 3840, height: 2160 }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// A backend this file can stop and start again on the same data and port.
let dataDir
let port
let url
let child
let browser

async function startServer() {
  const logs = []
  child = spawn(backendBinary(), ['demo', '--data-dir', path.join(dataDir, 'data'), '--listen', `127.0.0.1:${port}`], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  })
  child.stdout.on('data', (d) => logs.push(String(d)))
  child.stderr.on('data', (d) => logs.push(String(d)))
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`yingji exited:\n${logs.join('')}`)
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)
    if (ok) return
    await sleep(250)
  }
  throw new Error(`yingji not healthy:\n${logs.join('')}`)
}

async function stopServer() {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const t0 = Date.now()
  while (child.exitCode === null && child.signalCode === null && Date.now() - t0 < 5000) await sleep(100)
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-centre-'))
  port = await freePort()
  url = `http://127.0.0.1:${port}`
  await startServer()
  browser = await launch()
})

after(async () => {
  await browser?.close().catch(() => {})
  await stopServer()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

const realErrors = (errors) => errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|EventSource|net::/.test(e))

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(600)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

let seq = 0
async function newIncident(page, title) {
  seq++
  const r = await apiFetch(page, '/api/v1/incidents', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title,
      incident_type: 'accident.production.coal_mine',
      division: '140213',
      source: 'phone',
      reporter: '张伟',
      reporter_phone: '13800138000',
      lon: 113.3 + seq * 0.01,
      lat: 40.08 + seq * 0.01,
      facts: { deaths: 0, trapped: 3 },
      description: '井下透水，3人被困',
    }),
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body.id
}

describe('指挥中心: the situation, the wall display, the phone', () => {
  test('the login page loads in at most 300 KB on the wire (compressed, Element Plus on demand, no map library)', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, url, { viewport: HD })
    try {
      const done = []
      page.on('requestfinished', (r) => done.push(r))
      await page.goto('/login', { waitUntil: 'networkidle' })
      await page.locator('[data-testid=login-username]').waitFor()
      let bytes = 0
      const names = []
      for (const r of done) {
        const s = await r.sizes()
        bytes += s.responseBodySize + s.responseHeadersSize
        names.push(new URL(r.url()).pathname)
        const res = await r.response()
        const enc = res?.headers()['content-encoding']
        // Scripts and styles of any size go out compressed (a tiny one may not shrink).
        const decoded = res ? (await res.body().catch(() => Buffer.alloc(0))).length : 0
        if (/\.(js|css)$/.test(r.url()) && decoded > 1024) assert.ok(enc === 'br' || enc === 'gzip', `${r.url()} is sent ${enc || 'uncompressed'}`)
      }
      assert.ok(bytes <= 300_000, `${bytes} bytes`)
      assert.ok(!names.some((n) => /leaflet|echarts/.test(n)), names.join(' '))
    } finally {
      await context.close()
    }
  })

  test('the commander’s 态势 fits 1920×1080 without scrolling and follows the feed', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, url, { viewport: HD })
    try {
      await login(page, 'commander')
      const first = await newIncident(page, '平城区煤矿透水（态势）')
      await page.goto('/')
      await page.locator('[data-testid=situation]').waitFor()
      await page.locator(`[data-testid=situation-incident-${first}]`).waitFor()
      await page.locator('[data-testid=situation-live][data-live=true]').waitFor()
      await page.locator(`[data-testid=situation-map] [data-testid=marker-incident-${first}]`).waitFor()
      for (const k of ['incidents', 'warnings', 'enRoute', 'attention', 'indicators']) await page.locator(`[data-testid=kpi-${k}]`).waitFor()
      await page.locator('[data-testid=situation-duty]').waitFor()
      await page.locator('[data-testid=attention]').waitFor()
      await page.locator('[data-testid=map-legend]').waitFor()
      // Live: a second incident appears without a reload.
      const second = await newIncident(page, '平城区煤矿透水（续）')
      await page.locator(`[data-testid=situation-incident-${second}]`).waitFor({ timeout: 10_000 })
      // One screen: neither the page nor the main area scrolls.
      const fits = await page.evaluate(() => {
        const main = document.querySelector('.yj-main')
        return {
          doc: document.documentElement.scrollHeight <= window.innerHeight,
          main: main ? main.scrollHeight <= main.clientHeight + 1 : false,
        }
      })
      assert.deepEqual(fits, { doc: true, main: true })
      await shoot(page, 'centre-home.png')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await context.close()
    }
  })

  test('an administrator issues a display token; /screen opens without a login, reads only, rotates, survives a restart', { timeout: 240_000 }, async () => {
    const adm = await newPage(browser, url, { viewport: HD })
    let wall
    try {
      await login(adm.page, 'admin')
      await adm.page.locator('[data-testid=menu-display-tokens]').click()
      await adm.page.waitForURL(/\/display-tokens$/)
      await adm.page.locator('[data-testid=btn-new-display-token]').click()
      const d = adm.page.locator('[data-testid=display-token-dialog]')
      await d.waitFor()
      await d.locator('[data-testid=display-token-name]').fill('市指挥大厅主屏')
      await d.locator('[data-testid=display-token-save]').click()
      const link = (await adm.page.locator('[data-testid=display-token-url]').innerText()).trim()
      assert.match(link, /\/screen\?token=[\w-]{40,}$/)
      await adm.page.locator('[data-testid=display-tokens-table]').getByText('市指挥大厅主屏').waitFor()
      await shoot(adm.page, 'centre-display-tokens.png')

      // The wall: a fresh browser, no login.
      wall = await newPage(browser, url, { viewport: HD })
      const W = wall.page
      await W.goto(new URL(link).pathname + new URL(link).search)
      await W.locator('[data-testid=screen-board]').waitFor()
      await W.waitForURL((u) => u.pathname === '/screen' && !u.search.includes('token'))
      await W.locator('[data-testid=screen-live][data-live=true]').waitFor()
      // Read-only: the display's cookie cannot write.
      const w = await apiFetch(W, '/api/v1/incidents', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
      assert.equal(w.status, 403)
      assert.equal((await apiFetch(W, '/api/v1/users')).status, 403)
      // The panels rotate on their own.
      const p0 = await W.locator('[data-testid=screen-panel]').getAttribute('data-panel')
      await W.waitForFunction((p) => document.querySelector('[data-testid=screen-panel]')?.dataset.panel !== p, p0, { timeout: 20_000 })
      await shoot(W, 'centre-screen.png')

      // The server goes away: the display says its data is stale …
      await stopServer()
      await W.locator('[data-testid=screen-stale]').waitFor({ timeout: 20_000 })
      await shoot(W, 'centre-screen-stale.png')
      // … and catches up by itself when it is back.
      await startServer()
      await W.locator('[data-testid=screen-live][data-live=true]').waitFor({ timeout: 60_000 })
      assert.equal(await W.locator('[data-testid=screen-stale]').count(), 0)
      const before = Number(await W.locator('[data-testid=screen-kpi-incidents] b').innerText())
      await newIncident(adm.page, '大屏重连后的新事件')
      await W.waitForFunction((n) => Number(document.querySelector('[data-testid=screen-kpi-incidents] b')?.textContent) === n + 1, before, { timeout: 15_000 })

      // The same wall at 3840×2160.
      const uhd = await newPage(browser, url, { viewport: UHD })
      try {
        await uhd.page.goto(new URL(link).pathname + new URL(link).search)
        await uhd.page.locator('[data-testid=screen-live][data-live=true]').waitFor()
        const fits = await uhd.page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)
        assert.ok(fits)
        await shoot(uhd.page, 'centre-screen-4k.png')
      } finally {
        await uhd.context.close()
      }
      assert.deepEqual(realErrors(wall.errors), [])
    } finally {
      await wall?.context.close()
      await adm.context.close()
    }
  })

  test('on a phone the menu is a drawer and forms stack', { timeout: 240_000 }, async () => {
    const { context, page, errors } = await newPage(browser, url, { viewport: PHONE })
    try {
      await login(page, 'commander')
      const aside = page.locator('.yj-aside')
      const hidden = async () => (await aside.boundingBox())?.x + (await aside.boundingBox())?.width <= 0
      assert.ok(await hidden(), 'the menu starts closed')
      await page.locator('[data-testid=menu-toggle]').click()
      await page.waitForFunction(() => document.querySelector('.yj-aside')?.getBoundingClientRect().x === 0)
      await shoot(page, 'centre-phone-menu.png')
      await page.locator('[data-testid=menu-incidents]').click()
      await page.waitForURL(/\/incidents$/)
      await page.waitForFunction(() => document.querySelector('.yj-aside')?.getBoundingClientRect().right <= 0)
      // No sideways scrolling on the page.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1))
      await page.goto('/')
      await page.locator('[data-testid=situation]').waitFor()
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1))
      await shoot(page, 'centre-phone-home.png')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await context.close()
    }
  })
})
