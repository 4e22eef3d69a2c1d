// 指挥调度 end to end, two people at once against a real `yingji demo`:
// the 平城区 duty officer (pingcheng) records a coal-mine flooding through the
// intake form, verifies and grades it; the city commander, watching the map,
// sees it appear through the live feed, opens it, starts a Ⅲ response under
// DT-ZX-MK; the officer receives and answers an instruction, which the
// commander's open page shows without a reload; the commander accepts it and
// ends the response; the officer writes the review.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const PINGCHENG = '140213000000' // 平城区
const COAL = 'accident.production.coal_mine'
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

/** Console errors other than the network lines of expected 4xx answers. */
const realErrors = (errors) => errors.filter((e) => !e.startsWith('Failed to load resource'))

/** A screenshot of the whole page: the shell scrolls inside 100vh, so grow the viewport to the content first. */
async function shoot(page, file, { full = false } = {}) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  const size = page.viewportSize()
  if (full) {
    const h = await page.evaluate(() => {
      const main = document.querySelector('.yj-main')
      return main ? main.scrollHeight + 56 : document.documentElement.scrollHeight
    })
    await page.setViewportSize({ width: size.width, height: Math.min(Math.max(h, size.height), 3000) })
  }
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
  if (full) await page.setViewportSize(size)
}

async function stateOf(page) {
  return page.locator('[data-testid=incident-state]').getAttribute('data-state')
}
async function waitState(page, want, timeout = 10_000) {
  await page.locator(`[data-testid=incident-state][data-state=${want}]`).waitFor({ timeout })
}

/** Extra incidents for a fuller list: a forest fire under response with villages evacuated (clock due soon), a road accident with stranded travellers past 10 hours. */
async function seedOthers(page) {
  const counties = await apiFetch(page, '/api/v1/divisions?parent=140200000000')
  assert.equal(counties.status, 200)
  const yunzhou = counties.body.find((d) => d.name === '云州区') ?? counties.body[1]
  const hours = (h) => new Date(Date.now() - h * 3600_000).toISOString()
  const post = (p, body) => apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const fire = await post('/api/v1/incidents', {
    title: `${yunzhou.name}林区山火${stamp}`,
    incident_type: 'natural.wildfire.forest',
    division: yunzhou.code,
    onset_at: hours(9.4),
    source: 'system',
    facts: { burned_area_ha: 120, fire_duration_h: 9, evacuated_people: 200 },
    description: '卫星热点报警，林区起火',
  })
  assert.equal(fire.status, 201, JSON.stringify(fire.body))
  let v = fire.body.version
  for (const kind of ['verify', 'grade']) {
    const r = await post(`/api/v1/incidents/${fire.body.id}/events`, { version: v, kind })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    v = r.body.version
  }
  const plan = fire.body.plans.find((p) => p.level) ?? fire.body.plans[0]
  const r = await post(`/api/v1/incidents/${fire.body.id}/events`, { version: v, kind: 'start_response', plan: plan.code, level: plan.level ?? 'IV' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const road = await post('/api/v1/incidents', {
    title: `G55高速多车相撞${stamp}`,
    incident_type: 'accident.traffic.road',
    division: yunzhou.code,
    onset_at: hours(11),
    source: 'superior',
    facts: { deaths: 1, injured: 4, trapped: 2, affected_people: 60 },
  })
  assert.equal(road.status, 201, JSON.stringify(road.body))
}

describe('指挥调度: intake to review, two people', () => {
  test('operator records, commander responds, instructions round-trip live, review closes it', { timeout: 240_000 }, async () => {
    const op = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url)
    try {
      await login(op.page, 'pingcheng')
      await login(cmd.page, 'commander')
      const A = op.page
      const B = cmd.page

      // A point inside 平城区: a demo registry record of the district.
      const reg = await apiFetch(A, `/api/v1/registries/team?division=${PINGCHENG}&limit=20`)
      assert.equal(reg.status, 200)
      const spot = reg.body.items.find((x) => x.lon !== null && x.lat !== null)
      assert.ok(spot, 'a 平城区 team with coordinates')

      // The commander watches the map.
      await B.locator('[data-testid=menu-map]').click()
      await B.waitForFunction(() => window.__yjMap?.ready && Array.isArray(window.__yjMap.loaded.incident))
      await B.locator('[data-testid=layer-incident]').waitFor({ state: 'attached' })

      // --- the duty officer opens the intake form from the menu ---
      await A.locator('[data-testid=menu-intake]').click()
      const dlg = A.locator('[data-testid=intake-dialog]')
      await dlg.waitFor()
      const title = `煤矿井下透水${stamp}`
      await dlg.locator('[data-testid=field-title] input').fill(title)
      // type: 事故灾难 › 生产安全事故 › 煤矿事故
      await dlg.locator('[data-testid=field-incident_type] .el-cascader').click()
      const popper = A.locator('.yj-type-popper:visible')
      await popper.locator('.el-cascader-node', { hasText: '事故灾难' }).click()
      await popper.locator('.el-cascader-node', { hasText: '生产安全事故' }).click()
      await popper.locator('.el-cascader-node', { hasText: '煤矿事故' }).click()
      await dlg.locator('.el-dialog__header').click() // close the panel
      assert.equal(await dlg.locator('[data-testid=field-incident_type] input').inputValue(), '事故灾难 / 生产安全事故 / 煤矿事故')
      // division: the operator's own district is preselected
      await A.waitForFunction(() => document.querySelector('[data-testid=field-division] input')?.value?.includes('平城区'))
      // a point outside the district first: the server's 422 lands on the latitude field
      await dlg.locator('[data-testid=field-lon] input').fill('114.2')
      await dlg.locator('[data-testid=field-lat] input').fill('39.4')
      await dlg.locator('[data-testid=field-lat] input').press('Tab')
      await dlg.locator('[data-testid=source-phone]').click()
      await dlg.locator('[data-testid=field-reporter] input').fill('张伟')
      await dlg.locator('[data-testid=field-reporter_phone] input').fill('13800138000')
      await dlg.locator('[data-testid=fact-deaths] input').fill('3')
      await dlg.locator('[data-testid=fact-deaths] input').press('Tab')
      await dlg.locator('[data-testid=fact-trapped] input').fill('12')
      await dlg.locator('[data-testid=fact-trapped] input').press('Tab')
      await dlg.locator('[data-testid=field-description] textarea').fill('井下透水，12人被困，3人遇难')
      await dlg.locator('[data-testid=intake-save]').click()
      await dlg.locator('[data-testid=field-lat] .el-form-item__error', { hasText: '不在所选区划范围内' }).waitFor()
      assert.ok(await dlg.isVisible(), 'the form stays open on 422')
      // now the right point
      await dlg.locator('[data-testid=field-lon] input').fill(String(spot.lon))
      await dlg.locator('[data-testid=field-lat] input').fill(String(spot.lat))
      await dlg.locator('[data-testid=field-lat] input').press('Tab')
      const t0 = Date.now()
      await dlg.locator('[data-testid=intake-save]').click()
      await A.waitForURL(/\/incidents\/\d+$/)
      const id = Number(new URL(A.url()).pathname.split('/').pop())
      assert.ok(id > 0)

      // --- the commander's map shows it within seconds, through the live feed ---
      await B.waitForFunction((want) => window.__yjMap.loaded.incident?.includes(want), id, { timeout: 5000 })
      const seenAfter = Date.now() - t0
      assert.ok(seenAfter < 5000, `marker after ${seenAfter} ms`)
      await B.locator(`[data-testid=marker-incident-${id}]`).waitFor()

      // --- the officer sees the proposed grade Ⅲ with its reasons, verifies and grades ---
      await A.locator('[data-testid=incident-title]', { hasText: title }).waitFor()
      assert.equal(await stateOf(A), 'reported')
      assert.equal(await A.locator('[data-testid=proposed-grade]').getAttribute('data-level'), 'III')
      assert.match(await A.locator('[data-testid=proposed-grade]').innerText(), /Ⅲ级/)
      const reasons = await A.locator('[data-testid=proposed-reasons]').innerText()
      assert.match(reasons, /493号/)
      assert.match(reasons, /较大事故/)
      assert.match(await A.locator('[data-testid=incident-type]').innerText(), /煤矿事故/)
      await A.locator('[data-testid=plan-DT-ZX-MK]').waitFor()
      // trapped miners, no 受灾人员: the 10-hour relief clock does not apply (plan 二.(三)3)
      assert.equal(await A.locator('[data-testid=rescue-clock]').count(), 0)
      assert.equal(await A.locator('[data-testid=btn-start-response]').count(), 0, 'operators do not start responses')
      await A.locator('[data-testid=btn-verify]').click()
      await waitState(A, 'verified')
      await A.locator('[data-testid=btn-grade]').click()
      await waitState(A, 'graded')
      assert.equal(await A.locator('[data-testid=incident-grade]').getAttribute('data-level'), 'III')

      // --- the commander opens it from the map marker ---
      await B.locator(`[data-testid=marker-incident-${id}]`).click()
      await B.locator('[data-testid=popup-open-incident]').click()
      await B.waitForURL(new RegExp(`/incidents/${id}$`))
      await waitState(B, 'graded')

      // 启动响应: the matched plan DT-ZX-MK first; its criteria say Ⅱ (12 trapped), the grade is Ⅲ: choose Ⅲ
      await B.locator('[data-testid=btn-start-response]').click()
      const start = B.locator('[data-testid=start-dialog]')
      await start.waitFor()
      assert.match(await start.locator('[data-testid=start-plan]').innerText(), /DT-ZX-MK/)
      await start.locator('[data-testid=start-level-III]').click()
      await start.locator('[data-testid=start-summary]', { hasText: 'Ⅲ级' }).waitFor()
      await start.locator('[data-testid=start-confirm]').click()
      await waitState(B, 'responding')
      assert.equal(await B.locator('[data-testid=incident-response-level]').getAttribute('data-level'), 'III')
      await B.locator('[data-testid=instructions-table] tbody tr').nth(3).waitFor()
      const api1 = await apiFetch(B, `/api/v1/incidents/${id}`)
      assert.equal(api1.body.plan_code, 'DT-ZX-MK')
      const ins = api1.body.instructions
      assert.ok(ins.length >= 4, `${ins.length} instructions`)
      assert.equal(await B.locator('[data-testid=instructions-table] tbody tr').count(), ins.length)
      const x = ins[0].id

      // --- the officer's open page follows without a reload; receive and report back ---
      await waitState(A, 'responding', 5000)
      await A.locator(`[data-testid=ins-receive-${x}]`).click()
      await A.locator(`[data-testid=ins-state-${x}][data-state=received]`).waitFor()
      await A.locator(`[data-testid=ins-feedback-${x}]`).click()
      const fb = A.locator('[data-testid=feedback-dialog]')
      await fb.waitFor()
      const feedback = `救援队已到达现场，正在排水${stamp}`
      await fb.locator('[data-testid=feedback-text] textarea').fill(feedback)
      await fb.locator('[data-testid=feedback-use-point]').click()
      assert.equal(Number(await fb.locator('[data-testid=feedback-lon] input').inputValue()), Number(spot.lon.toFixed(6)))
      const tFb = Date.now()
      await fb.locator('[data-testid=feedback-save]').click()
      await A.locator(`[data-testid=ins-state-${x}][data-state=feedback_given]`).waitFor()

      // --- the commander's open page shows the feedback without a manual reload ---
      await B.locator(`[data-testid=ins-feedback-text-${x}]`, { hasText: feedback }).waitFor({ timeout: 5000 })
      assert.ok(Date.now() - tFb < 5000)
      await B.locator(`[data-testid=ins-state-${x}][data-state=feedback_given]`).waitFor()
      await B.locator('[data-testid=timeline-instruction_feedback]').waitFor()

      // 通过
      assert.equal(await A.locator(`[data-testid=ins-accept-${x}]`).count(), 0, 'the officer does not accept his own feedback')
      await B.locator(`[data-testid=ins-accept-${x}]`).click()
      await B.locator(`[data-testid=ins-state-${x}][data-state=accepted]`).waitFor()
      await A.locator(`[data-testid=ins-state-${x}][data-state=accepted]`).waitFor({ timeout: 5000 })

      // 调派资源: the officer requests the nearest team, the commander approves, the team goes and comes back
      // (in English: a second request of the same team is refused, and the
      // refusal's code reads in English)
      await A.locator('[data-testid=lang-en]').click()
      await A.locator('[data-testid=btn-dispatch]').click()
      const near = A.locator('[data-testid=nearest-dialog]')
      await near.waitFor()
      // A coal mine calls for mine rescue first (dispatch::team_kinds_for).
      await near.locator('[data-testid=nearest-suggest-mine]').waitFor()
      await near.locator('[data-testid=nearest-note]').waitFor()
      await near.locator('[data-testid=nearest-request-0]').click()
      await A.locator('[data-testid=orders-table] tbody tr').first().waitFor()
      await near.locator('[data-testid=nearest-request-0]').click()
      await A.locator('.el-message--error', { hasText: 'already has an open dispatch' }).waitFor()
      await near.locator('.el-dialog__headerbtn').click()
      await A.locator('[data-testid=lang-zh]').click()
      const api2 = await apiFetch(A, `/api/v1/incidents/${id}`)
      assert.equal(api2.body.dispatch_orders.length, 1)
      const order = api2.body.dispatch_orders[0]
      assert.equal(order.requested_by, 'pingcheng')
      assert.equal(await A.locator(`[data-testid=order-approve-${order.id}]`).count(), 0, 'operators do not approve')
      await B.locator(`[data-testid=order-state-${order.id}][data-state=requested]`).waitFor({ timeout: 5000 })
      await B.locator(`[data-testid=order-approve-${order.id}]`).click()
      await B.locator(`[data-testid=order-state-${order.id}][data-state=approved]`).waitFor()
      const team = await apiFetch(A, `/api/v1/registries/${order.resource_kind}/${order.resource_id}`)
      assert.equal(team.body.status, 'dispatched')
      for (const [k, st] of [
        ['depart', 'departed'],
        ['arrive', 'arrived'],
      ]) {
        await A.locator(`[data-testid=order-${k}-${order.id}]`).click()
        await A.locator(`[data-testid=order-state-${order.id}][data-state=${st}]`).waitFor()
      }
      // The commander's page during the response: instructions with feedback, the team on site, the timeline.
      await B.locator(`[data-testid=order-state-${order.id}][data-state=arrived]`).waitFor({ timeout: 5000 })
      await shoot(B, 'incident.png', { full: true })
      await A.locator(`[data-testid=order-return-${order.id}]`).click()
      await A.locator(`[data-testid=order-state-${order.id}][data-state=returned]`).waitFor()
      const back = await apiFetch(A, `/api/v1/registries/${order.resource_kind}/${order.resource_id}`)
      assert.equal(back.body.status, 'available')

      // 结束响应 (commander, with a reason)
      assert.equal(await A.locator('[data-testid=btn-end-response]').count(), 0, 'operators do not end responses')
      await B.locator('[data-testid=btn-end-response]').click()
      const rd = B.locator('[data-testid=reason-dialog]')
      await rd.waitFor()
      await rd.locator('[data-testid=reason-save]').click()
      await rd.locator('.el-form-item__error', { hasText: '请填写' }).waitFor() // a reason is required
      await rd.locator('[data-testid=reason-input] textarea').fill('被困人员全部救出，险情排除')
      await rd.locator('[data-testid=reason-save]').click()
      await waitState(B, 'ended')

      // 总结评估 (the officer's page has followed)
      await waitState(A, 'ended', 5000)
      await A.locator('[data-testid=btn-review]').click()
      const rv = A.locator('[data-testid=reason-dialog]')
      await rv.waitFor()
      await rv.locator('[data-testid=reason-input] textarea').fill('排水能力不足，需补充大功率水泵；通信保障良好')
      await rv.locator('[data-testid=reason-save]').click()
      await waitState(A, 'reviewed')
      assert.equal((await A.locator('[data-testid=incident-state]').innerText()).trim(), '已总结评估')
      await waitState(B, 'reviewed', 5000)

      // The timeline holds every step, oldest first.
      const kinds = await A.locator('[data-testid=timeline] [data-kind]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))
      for (const k of ['reported', 'verify', 'grade', 'start_response', 'instruction_received', 'instruction_feedback', 'instruction_accepted', 'dispatch_requested', 'dispatch_step', 'end_response', 'review'])
        assert.ok(kinds.includes(k), `${k} in ${kinds}`)
      assert.equal(kinds[0], 'reported')
      assert.equal(kinds[kinds.length - 1], 'review')
      const done = await apiFetch(A, `/api/v1/incidents/${id}`)
      assert.equal(done.body.state, 'reviewed')
      assert.equal(done.body.instructions.find((i) => i.id === x).feedback[0].text, feedback)
      assert.deepEqual(done.body.instructions.find((i) => i.id === x).feedback[0].location, [Number(spot.lon.toFixed(6)), Number(spot.lat.toFixed(6))])

      // Closed incidents leave the map.
      await B.locator('[data-testid=menu-map]').click()
      await B.waitForFunction(() => window.__yjMap?.ready)
      await B.waitForFunction((gone) => !window.__yjMap.loaded.incident?.includes(gone), id)

      // --- the list: active first, level and clock colours ---
      await seedOthers(B)
      await B.locator('[data-testid=menu-incidents]').click()
      await B.waitForURL(/\/incidents$/)
      await B.locator(`[data-testid=incident-link-${id}]`).waitFor()
      await B.locator('[data-testid=incidents-table] [data-testid=rescue-clock][data-status=warning]').waitFor()
      await B.locator('[data-testid=incidents-table] [data-testid=rescue-clock][data-status=breached]').waitFor()
      const firstRow = await B.locator('[data-testid=incidents-table] tbody tr').first().innerText()
      assert.doesNotMatch(firstRow, /已总结评估/, 'active incidents come first')
      const lastRow = await B.locator('[data-testid=incidents-table] tbody tr').last().innerText()
      assert.match(lastRow, /已总结评估/)
      assert.match(lastRow, new RegExp(title))
      await shoot(B, 'incidents.png')

      // The plan list: overdue evaluations in red.
      await B.locator('[data-testid=menu-plans]').click()
      await B.locator('[data-testid=plan-review-DT-ZX-DZZH][data-overdue=true]').waitFor()

      assert.deepEqual(realErrors(op.errors), [])
      assert.deepEqual(realErrors(cmd.errors), [])
    } finally {
      await op.context.close()
      await cmd.context.close()
    }
  })
})
