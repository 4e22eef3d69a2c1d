// 用户管理, end to end against a real `yingji demo`: the city admin disables
// a county operator from the Users page (their open session stops working at
// once, they cannot log in), enables them again, creates an API token for
// them (the secret is shown once and works), and revokes it (it stops
// working at once). Operators see no Users menu.
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

async function bearerMe(token) {
  const r = await fetch(`${server.backendUrl}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } })
  return r.status
}

describe('用户管理', () => {
  test('disable a user (their session ends), enable them, create and revoke an API token', { timeout: 240_000 }, async () => {
    const admin = await newPage(browser, server.url)
    const op = await newPage(browser, server.url)
    try {
      // The operator is logged in and sees no Users menu.
      await login(op.page, 'yunzhou')
      assert.equal((await apiFetch(op.page, '/api/v1/auth/me')).status, 200)
      assert.equal(await op.page.locator('[data-testid=menu-users]').count(), 0)
      assert.equal((await apiFetch(op.page, '/api/v1/users')).status, 403)

      await login(admin.page, 'admin')
      await admin.page.locator('[data-testid=menu-users]').click()
      await admin.page.waitForURL(/\/users$/)
      const status = admin.page.locator('[data-testid=user-status-yunzhou]')
      await status.waitFor()
      assert.equal((await status.innerText()).trim(), '正常')

      // Disable: confirm, the list shows it, the open session is refused at once.
      await admin.page.locator('[data-testid=user-toggle-yunzhou]').click()
      await admin.page.locator('.el-message-box__btns .el-button--primary').click()
      await admin.page.locator('[data-testid=user-status-yunzhou]', { hasText: '已停用' }).waitFor()
      assert.equal((await apiFetch(op.page, '/api/v1/auth/me')).status, 401, 'the disabled user session')
      const again = await apiFetch(op.page, '/api/v1/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'yunzhou', password: 'Demo@2025' }),
      })
      assert.equal(again.status, 401)
      await admin.page.screenshot({ path: path.join(SCREENSHOTS, 'users.png') })

      // Enable again: they can log in.
      await admin.page.locator('[data-testid=user-toggle-yunzhou]').click()
      await admin.page.locator('[data-testid=user-status-yunzhou]', { hasText: '正常' }).waitFor()
      await login(op.page, 'yunzhou')

      // A token: created from the page, its secret shown once, it works.
      await admin.page.locator('[data-testid=user-tokens-yunzhou]').click()
      await admin.page.locator('[data-testid=token-name]').fill(`网关${stamp}`)
      await admin.page.locator('[data-testid=token-create]').click()
      const secret = (await admin.page.locator('[data-testid=token-secret]').innerText()).trim()
      assert.ok(secret.length >= 43, secret)
      await admin.page.locator(`[data-testid="token-status-网关${stamp}"]`, { hasText: '有效' }).waitFor()
      assert.equal(await bearerMe(secret), 200)
      const listed = await admin.page.locator('[data-testid=tokens-table]').innerText()
      assert.ok(!listed.includes(secret), 'the list never shows the secret')

      // Revoke: confirm; it stops working at once.
      await admin.page.locator(`[data-testid="token-revoke-网关${stamp}"]`).click()
      await admin.page.locator('.el-message-box__btns .el-button--primary').click()
      await admin.page.locator(`[data-testid="token-status-网关${stamp}"]`, { hasText: '已吊销' }).waitFor()
      assert.equal(await bearerMe(secret), 401, 'the revoked token')

      // The journal records it all.
      const j = await apiFetch(admin.page, '/api/v1/journal?module=auth')
      const kinds = j.body.map((e) => e.kind)
      for (const k of ['disabled', 'enabled', 'token_created', 'token_revoked']) assert.ok(kinds.includes(k), `${k} in ${kinds}`)

      for (const p of [admin, op]) assert.deepEqual(p.errors.filter((e) => !e.startsWith('Failed to load resource')), [])
    } finally {
      await admin.context.close()
      await op.context.close()
    }
  })
})
