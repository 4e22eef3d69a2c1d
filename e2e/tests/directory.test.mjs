// 通讯录, end to end against a real `yingji demo`: the 平城区 duty officer
// opens the directory from the menu, finds the demo's command-member
// contacts by group and by words, and gets click-to-call (tel:) and text
// (sms:) links; a contact they add appears at once; the city observer (no
// right to personal data) sees the mobile masked and not dialable; on a
// phone the list still reads. Screenshots for the README.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, PHONE } from '../lib/browser.mjs'

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

describe('通讯录', () => {
  test('search by group and words, call and text links, masked numbers for the observer, phone size', { timeout: 240_000 }, async () => {
    const op = await newPage(browser, server.url)
    const obs = await newPage(browser, server.url)
    const phone = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(op.page, 'pingcheng')
      // A contact of the duty officer's own district, added through the registry API.
      const name = `张${stamp}`
      const mobile = '19900001234'
      const r = await apiFetch(op.page, '/api/v1/registries/contact', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name,
          division: '140213',
          phone: '0352-2024567',
          attrs: { group: 'township', organisation: `新建街道办事处${stamp}`, position: '值班主任', mobile },
        }),
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const id = r.body.id

      await op.page.locator('[data-testid=menu-directory]').click()
      await op.page.waitForURL(/\/directory$/)
      await op.page.locator('[data-testid=directory-table] .el-table__row').first().waitFor()

      // By group: the township duty rooms hold the new contact.
      await op.page.locator('[data-testid=group-township]').click()
      const tel = op.page.locator(`[data-testid=tel-contact-${id}-office]`)
      await tel.waitFor()
      assert.equal(await tel.getAttribute('href'), 'tel:03522024567')
      assert.equal(await op.page.locator(`[data-testid=sms-contact-${id}-mobile]`).getAttribute('href'), `sms:${mobile}`)
      assert.equal(await op.page.locator(`[data-testid=tel-contact-${id}-mobile]`).getAttribute('href'), `tel:${mobile}`)
      await op.page.locator('[data-testid=group-township]').click() // off again

      // By words (organisation + position), every word must match.
      await op.page.locator('[data-testid=directory-q]').fill(`街道办事处${stamp} 值班`)
      await op.page.locator('[data-testid=directory-search]').click()
      await op.page.locator(`[data-testid=tel-contact-${id}-office]`).waitFor()
      assert.equal(await op.page.locator('[data-testid=directory-table] .el-table__row').count(), 1)
      await op.page.locator('[data-testid=directory-q]').fill(`街道办事处${stamp} 消防`)
      await op.page.locator('[data-testid=directory-search]').click()
      await op.page.locator('[data-testid=directory-table] .el-table__empty-text').waitFor()

      // Jurisdiction: the city's command members (the demo's, at city level)
      // are not the district officer's records.
      await op.page.locator('[data-testid=directory-q]').fill('')
      await op.page.locator('[data-testid=group-command]').click()
      await op.page.locator('[data-testid=directory-table] .el-table__empty-text').waitFor()
      assert.equal(await op.page.locator('[data-testid=directory-total]').innerText(), '共 0 条')

      // The city observer: sees the contact, the mobile masked and not dialable.
      await login(obs.page, 'observer')
      await obs.page.goto(`/directory`)
      await obs.page.locator('[data-testid=directory-q]').fill(name)
      await obs.page.locator('[data-testid=directory-search]').click()
      const masked = obs.page.locator(`[data-testid=masked-contact-${id}-mobile]`)
      await masked.waitFor()
      assert.match(await masked.innerText(), /\*/)
      assert.equal(await obs.page.locator(`[data-testid=tel-contact-${id}-mobile]`).count(), 0)
      // The office line is a public line: dialable for everyone.
      assert.equal(await obs.page.locator(`[data-testid=tel-contact-${id}-office]`).count(), 1)

      // The city's command members, as the observer sees them (the demo's).
      await obs.page.locator('[data-testid=directory-q]').fill('')
      await obs.page.locator('[data-testid=group-command]').click()
      await obs.page.locator('[data-testid=group-command].is-checked').waitFor()
      await obs.page.locator('[data-testid=directory-total]', { hasText: '共 8 条' }).waitFor()
      await obs.page.waitForFunction(() => !document.querySelector('[data-testid=directory-table] .el-loading-mask'))
      const groups = await obs.page.locator('[data-testid^=entry-group-]').allInnerTexts()
      assert.equal(groups.length, 8, `the demo's eight command-member units: ${groups}`)
      assert.ok(groups.every((g) => g === '指挥部成员单位'), String(groups))
      await obs.page.screenshot({ path: path.join(SCREENSHOTS, 'directory.png') })

      // On a phone the directory opens from the menu drawer and lists entries.
      await login(phone.page, 'pingcheng')
      await phone.page.goto('/directory')
      await phone.page.locator(`[data-testid=tel-contact-${id}-office]`).first().waitFor()
      await phone.page.screenshot({ path: path.join(SCREENSHOTS, 'directory-phone.png') })
    } finally {
      await op.context.close()
      await obs.context.close()
      await phone.context.close()
    }
  })
})
