// Headless Debian Chromium through playwright-core (no browser download).
import { chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const PASSWORD = 'Demo@2025'

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A phone-sized viewport (iPhone 12–15). */
export const PHONE = { width: 390, height: 844 }

export async function newPage(browser, baseURL, { locale = 'zh-CN', viewport = { width: 1440, height: 900 } } = {}) {
  const context = await browser.newContext({ baseURL, viewport, locale, timezoneId: 'Asia/Shanghai' })
  context.setDefaultTimeout(20_000)
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  return { context, page, errors }
}

/** Log in through the login form and wait for the app shell. */
export async function login(page, username, password = PASSWORD) {
  await page.goto('/login')
  await page.locator('[data-testid=login-username]').fill(username)
  await page.locator('[data-testid=login-password]').fill(password)
  await page.locator('[data-testid=login-submit]').click()
  await page.locator('[data-testid=user-name]').waitFor()
}

/** GET/POST an API path with the page's session (same origin). */
export async function apiFetch(page, path, init = {}) {
  return page.evaluate(
    async ([p, i]) => {
      const r = await fetch(p, { ...i, headers: { 'X-Requested-With': 'yingji', ...(i.headers || {}) } })
      const text = await r.text()
      let body = text
      try {
        body = JSON.parse(text)
      } catch {
        /* not JSON */
      }
      return { status: r.status, body }
    },
    [path, init],
  )
}

/**
 * Choose the option `text` of an Element Plus select: click `trigger` (the
 * select, or an element around or inside it), then the option from that
 * select's own list (its combobox names it in `aria-controls`) — never one
 * of another dropdown that is still closing — and wait for the list to
 * close, so the next select opens on a settled page.
 */
export async function pickOption(page, trigger, text) {
  await trigger.click()
  const list = await trigger.locator('input[role=combobox]').first().getAttribute('aria-controls')
  const option = page.locator(`[id="${list}"] .el-select-dropdown__item`, { hasText: text }).first()
  await option.waitFor({ state: 'visible' })
  await option.click()
  await page.locator(`[id="${list}"]`).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {})
}

/** POST a JSON body to an API path with the page's session. */
export function postJson(page, path, body) {
  return apiFetch(page, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
}

/** Record an incident of 平城区 through the API (a coal-mine call unless `fields` say otherwise); returns the answer. */
export function newIncident(page, fields = {}) {
  return postJson(page, '/api/v1/incidents', {
    title: '测试事件',
    incident_type: 'accident.production.coal_mine',
    division: '140213',
    source: 'phone',
    reporter: '张伟',
    reporter_phone: '13800138000',
    lon: 113.31,
    lat: 40.09,
    facts: { deaths: 0, trapped: 2 },
    description: '现场有人员被困',
    ...fields,
  })
}
