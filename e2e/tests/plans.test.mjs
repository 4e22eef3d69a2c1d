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
    await page.locator(`[data-testid=btn-evaluate-${drill.id}]`).click()
    await page.locator('[data-testid=drill-evaluation]').fill('检验了前线指挥部与航空救援的协同，基本达到目的')
    await page.locator('[data-testid=drill-step-submit]').click()
    await page.locator(`[data-testid=drill-state-${drill.id}][data-state=evaluated]`).waitFor()

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
    await page.locator(`[data-testid=btn-complete-${item.id}]`).click()
    await page.locator(`[data-testid=improvement-${item.id}][data-state=done]`).waitFor()
    // The one who completed it is not offered the verification; someone else is.
    assert.equal(await page.locator(`[data-testid=btn-reopen-${item.id}]`).count(), 1)
    assert.equal(await page.locator(`[data-testid=btn-verify-${item.id}]`).count(), 0)
    const other = await newPage(browser, server.url)
    try {
      await login(other.page, 'admin')
      await other.page.goto('/improvements')
      await other.page.locator(`[data-testid=btn-verify-${item.id}]`).click()
      await other.page.locator('[data-testid=improvements-only] label:nth-child(2)').click()
      await other.page.locator(`[data-testid=improvement-${item.id}][data-state=verified]`).waitFor()
      assert.deepEqual(realErrors(other.errors), [])
    } finally {
      await other.context.close()
    }
    // Overdue items from the demo drills are flagged.
    await page.locator('[data-testid=improvements-overdue]').waitFor()

    assert.deepEqual(realErrors(errors), [])
  } finally {
    await context.close()
  }
})

test('an evaluation clears the overdue review; an after-action review records improvement items', async () => {
  const { page, errors, context } = await newPage(browser, server.url)
  try {
    await login(page, 'commander')
    await page.goto('/plans/DT-ZX-DZZH')
    await page.locator('[data-testid=plan-review][data-overdue=true]').waitFor()
    await page.locator('[data-testid=btn-evaluate]').click()
    await page.locator('[data-testid=evaluate-note]').fill('风险隐患点位无重大变化，预案继续适用')
    await page.locator('[data-testid=evaluate-submit]').click()
    await page.locator('[data-testid=plan-review][data-overdue=false]').waitFor()
    await page.locator('[data-testid=plan-evaluations]').getByText('风险隐患点位无重大变化').waitFor()

    // An incident through to its review, by the API; the review dialog takes items.
    const post = (p, body) => apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    const inc = await post('/api/v1/incidents', {
      title: `林区火情${stamp}`,
      incident_type: 'natural.wildfire.forest',
      division: '140213000000',
      source: 'phone',
      facts: { burned_area_ha: 3 },
    })
    assert.equal(inc.status, 201, JSON.stringify(inc.body))
    const id = inc.body.id
    let v = inc.body.version
    for (const body of [{ kind: 'verify' }, { kind: 'grade' }, { kind: 'start_response', level: 'III', plan: CODE }, { kind: 'end_response', reason: '明火扑灭' }]) {
      const r = await post(`/api/v1/incidents/${id}/events`, { version: v, ...body })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      v = r.body.version
    }
    await page.goto(`/incidents/${id}`)
    await page.locator('[data-testid=incident-plan]').waitFor()
    await page.locator('[data-testid=btn-review]').click()
    await page.locator('[data-testid=reason-input] textarea').fill('处置及时；无人机图传不稳定')
    await page.locator('[data-testid=review-item-add]').click()
    await page.locator('[data-testid=review-item-title-0]').fill(`补充无人机图传中继设备${stamp}`)
    await page.locator('[data-testid=reason-save]').click()
    await page.locator('[data-testid=reason-dialog]').waitFor({ state: 'hidden' })
    const items = await apiFetch(page, `/api/v1/improvements?source=incident&source_id=${id}`)
    assert.equal(items.status, 200)
    assert.deepEqual(
      items.body.map((i) => [i.title, i.owner_department, i.state]),
      [[`补充无人机图传中继设备${stamp}`, 'emergency', 'open']],
    )
    assert.deepEqual(realErrors(errors), [])
  } finally {
    await context.close()
  }
})
