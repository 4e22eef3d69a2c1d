// Accessibility of the main pages, checked with axe-core (WCAG 2 A/AA:
// labels of inputs, colour contrast, names of buttons and links, image
// alternatives, ARIA) against a real `yingji demo`: the login page, the
// 态势 home page, the map, the incident list and an incident's page, the
// intake dialog, the warning form, the directory, a consultation and the
// 大屏. Any violation fails with its rule, element and summary; the few
// exceptions from library internals are listed, each with its reason, in
// lib/axe.mjs.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend } from '../lib/server.mjs'
import { launch, newPage, login, postJson as post, newIncident } from '../lib/browser.mjs'
import { assertAccessible } from '../lib/axe.mjs'

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

/**
 * The map page's own findings in files being changed on another branch
 * (MapView.vue, layers.ts: not to be edited here), each named precisely and
 * handed over: the fix is a `title` on the point markers, a label on the
 * status filter and a focusable legend. Remove an entry when its fix lands.
 */
// Findings on the map page that are still open (rule, selector, why); none now.
const MAP_PENDING = []

/** Let transitions and toasts settle before a check (contrast is measured on what is painted). */
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('.el-message, .el-loading-mask'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(500)
}

describe('accessibility (axe-core, WCAG 2 A/AA)', () => {
  test('login page, 态势 home, incident list and page, intake dialog', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await page.goto('/login')
      await page.locator('[data-testid=login-username]').waitFor()
      await settle(page)
      await assertAccessible(page, 'the login page')

      await login(page, 'pingcheng')
      const inc = await newIncident(page, { title: '无障碍检查用事件' })
      assert.equal(inc.status, 201, JSON.stringify(inc.body))

      await page.goto('/')
      await page.locator('[data-testid=situation]').waitFor()
      await settle(page)
      await assertAccessible(page, 'the 态势 home page')

      await page.goto('/incidents')
      await page.locator('.el-table__row').first().waitFor()
      await settle(page)
      await assertAccessible(page, 'the incident list')

      await page.goto(`/incidents/${inc.body.id}`)
      await page.locator('[data-testid=incident-title]').waitFor()
      await settle(page)
      await assertAccessible(page, "an incident's page")

      await page.locator('[data-testid=menu-intake]').click()
      await page.locator('[data-testid=intake-dialog]').waitFor()
      await settle(page)
      await assertAccessible(page, 'the intake dialog', { include: '[data-testid=intake-dialog]' })
    } finally {
      await context.close()
    }
  })

  test('map, warning form, directory, consultation, 大屏', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(browser, server.url)
    try {
      await login(page, 'pingcheng')
      await page.goto('/map')
      await page.waitForFunction(() => window.__yjMap?.ready)
      await settle(page)
      await assertAccessible(page, 'the map', { also: MAP_PENDING })

      await page.goto('/warnings/new')
      await page.locator('[data-testid=warning-form]').waitFor()
      await page.locator('[data-testid=warning-signal]').waitFor()
      await settle(page)
      await assertAccessible(page, 'the warning form')

      await page.goto('/directory')
      await page.locator('[data-testid=directory-table] .el-table__row').first().waitFor()
      await settle(page)
      await assertAccessible(page, 'the directory')

      const inc = await newIncident(page, { title: '无障碍检查用会商事件' })
      assert.equal(inc.status, 201, JSON.stringify(inc.body))
      const c = await post(page, '/api/v1/consultations', {
        incident_id: inc.body.id,
        title: '无障碍检查用会商',
        place: '一号会商室',
        scheduled_at: new Date(Date.now() + 3600_000).toISOString(),
        agenda: ['通报情况'],
      })
      assert.equal(c.status, 201, JSON.stringify(c.body))
      await page.goto(`/consultations/${c.body.id}`)
      await page.locator('[data-testid=consultation-state]').waitFor()
      await settle(page)
      await assertAccessible(page, 'a consultation')

      await page.goto('/screen')
      await page.locator('[data-testid=screen-live][data-live=true]').waitFor()
      await settle(page)
      await assertAccessible(page, 'the 大屏')
    } finally {
      await context.close()
    }
  })
})
