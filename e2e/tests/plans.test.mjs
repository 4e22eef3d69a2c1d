// 数字预案 end to end against a real `yingji demo`: the city commander opens
// the forest-fire plan from the plan list, revises it (a revision trigger and
// a reason), lowers the Ⅱ level's burned-area criterion from 100 to 50 ha in
// the draft, publishes it, sees revision 2 in force and revision 1 superseded
// but still readable with its old criterion; then plans and holds a drill of
// that plan with a problem found, and sees the problem as an improvement item
// on the 整改事项 page, where its state can be advanced.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const CODE = 'DT-ZX-SLHZ'
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

const realErrors = (errors) => errors.filter((e) => !e.startsWith('Failed to load resource'))

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  const size = page.viewportSize()
  const h = await page.evaluate(() => {
    const main = document.querySelector('.yj-main')
    return main ? main.scrollHeight + 56 : document.documentElement.scrollHeight
  })
  await page.setViewportSize({ width: size.width, height: Math.min(Math.max(h, size.height), 3000) })
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
  await page.setViewportSize(size)
}

test('revise a plan, change a criterion, publish; hold a drill whose problem becomes an improvement item', async () => {
  const { page, errors, context } = await newPage(browser, server.url)
  try {
    await login(page, 'commander')

    // The plan list shows the status and links to the plan page.
    await page.goto('/plans')
    const status = page.locator(`[data-testid=plan-status-${CODE}]`)
    await status.waitFor()
    assert.equal(await status.getAttribute('data-status'), 'in_force')
    await page.locator(`[data-testid=plan-link-${CODE}]`).click()
    await page.waitForURL(`**/plans/${CODE}`)
    await page.locator('[data-testid=plan-head-version][data-revision="1"]').waitFor()
    assert.match(await page.locator('[data-testid=crit-II-0]').innerText(), /100/)

    // Revise: trigger and reason; the draft editor opens.
    await page.locator('[data-testid=btn-revise]').click()
    await page.locator('[data-testid=revise-version]').fill(`2026版`)
    await page.locator('[data-testid=revise-trigger-response_lessons]').click()
    await page.locator('[data-testid=revise-reason]').fill('演练发现Ⅱ级响应启动偏晚')
    await page.locator('[data-testid=revise-submit]').click()
    const value = page.locator('[data-testid=edit-crit-value-II-0] input')
    await value.waitFor()
    assert.equal(await value.inputValue(), '100')
    await value.fill('50')
    await value.press('Tab')
    await page.locator('[data-testid=edit-criteria-text-II]').fill('受害森林面积50公顷以上（修订）')
    await page.locator('[data-testid=edit-save]').click()
    await page.locator('[data-testid=edit-dialog]').waitFor({ state: 'hidden' })
    await page.locator('[data-testid=plan-shown][data-status=draft]').waitFor()
    assert.match(await page.locator('[data-testid=crit-II-0]').innerText(), /50/)

    // Publish (commander): revision 2 is in force, revision 1 superseded.
    await page.locator('[data-testid=btn-publish]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-testid=plan-head-version][data-revision="2"]').waitFor()
    assert.equal(await page.locator('[data-testid=plan-head-status]').getAttribute('data-status'), 'in_force')
    await page.locator('[data-testid=version-row-1][data-status=superseded]').waitFor()
    await page.locator('[data-testid=version-row-2][data-status=in_force]').waitFor()
    await page.locator('[data-testid=plan-shown][data-revision="2"]').waitFor()
    assert.match(await page.locator('[data-testid=crit-II-0]').innerText(), /50/)

    // The old version stays readable, unchanged.
    await page.locator('[data-testid=btn-view-version-1]').click()
    await page.locator('[data-testid=plan-shown][data-revision="1"][data-status=superseded]').waitFor()
    assert.match(await page.locator('[data-testid=crit-II-0]').innerText(), /100/)
    await page.locator('[data-testid=btn-view-version-2]').click()
    await page.locator('[data-testid=plan-shown][data-revision="2"]').waitFor()
    await shoot(page, 'plan.png')

    // Plan a drill of the plan and hold it with a problem found.
    await page.locator('[data-testid=plan-drills-link]').click()
    await page.waitForURL('**/drills?plan=*')
    await page.locator('[data-testid=btn-create-drill]').click()
    const title = `森林火灾扑救桌面推演${stamp}`
    await page.locator('[data-testid=drill-title]').fill(title)
    await page.locator('[data-testid=drill-create-submit]').click()
    await page.locator('[data-testid=drill-create-dialog]').waitFor({ state: 'hidden' })
    const drills = await apiFetch(page, `/api/v1/drills?plan=${CODE}`)
    assert.equal(drills.status, 200)
    const drill = drills.body.find((d) => d.title === title)
    assert.ok(drill, JSON.stringify(drills.body))
    await page.locator(`[data-testid=drill-state-${drill.id}][data-state=planned]`).waitFor()
    await page.locator(`[data-testid=btn-hold-${drill.id}]`).click()
    const problem = `扑火队与无人机图传链路中断${stamp}`
    await page.locator('[data-testid=drill-problems]').fill(problem)
    await page.locator('[data-testid=drill-step-submit]').click()
    await page.locator(`[data-testid=drill-state-${drill.id}][data-state=held]`).waitFor()

    // The problem is an improvement item; start working on it.
    await page.locator('[data-testid=menu-improvements]').click()
    await page.waitForURL('**/improvements')
    const items = await apiFetch(page, `/api/v1/improvements?source=drill`)
    const item = items.body.find((i) => i.title === problem)
    assert.ok(item, 'the problem became an item')
    assert.equal(item.plan_code, CODE)
    const row = page.locator(`[data-testid=improvement-${item.id}]`)
    await row.waitFor()
    assert.equal(await row.getAttribute('data-state'), 'open')
    await page.locator(`[data-testid=btn-start-${item.id}]`).click()
    await page.locator(`[data-testid=improvement-${item.id}][data-state=in_progress]`).waitFor()
    // Overdue items from the demo drills are flagged.
    await page.locator('[data-testid=improvements-overdue]').waitFor()

    assert.deepEqual(realErrors(errors), [])
  } finally {
    await context.close()
  }
})
