// The command centre on a phone (390×844), end to end against a real
// `yingji demo`: the 态势 home page, the map's search (a village found and
// opened), intake by place search with the duplicate call offered, a
// consultation whose decision becomes an instruction, the directory's
// click-to-call links, and a long form (the warning form) whose submit bar
// stays on the screen. Each page: no sideways scrolling, the key action in
// reach (inside the screen's width) and working. Screenshots for the README.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, postJson as post, newIncident as postIncident, PHONE } from '../lib/browser.mjs'

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

/**
 * The page does not scroll sideways, and nothing is cut at the screen's right
 * edge either (an element past it, clipped by an ancestor) — except inside
 * what scrolls sideways on purpose (a table, a tab strip, a scroll box) or
 * the map's panes.
 */
async function assertNoSideScroll(page, what) {
  const { sw, w, cut } = await page.evaluate(() => {
    const W = window.innerWidth
    const cut = []
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect()
      if (!r.width || !r.height || r.right <= W + 1 || r.left >= W) continue
      if (getComputedStyle(el).visibility === 'hidden') continue
      let p = el.parentElement
      let meant = false
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX
        if (o === 'auto' || o === 'scroll' || p.matches('.leaflet-container, .el-table, .el-tabs__nav-wrap')) {
          meant = true
          break
        }
        p = p.parentElement
      }
      if (!meant) cut.push(`<${el.tagName.toLowerCase()} class="${el.className?.baseVal ?? el.className}"> ${(el.textContent || '').trim().slice(0, 24)} (right ${Math.round(r.right)})`)
    }
    return { sw: document.documentElement.scrollWidth, w: W, cut: cut.slice(0, 6) }
  })
  assert.ok(sw <= w + 1, `${what} scrolls sideways: ${sw} px wide on a ${w} px screen`)
  assert.deepEqual(cut, [], `${what}: cut at the right edge`)
}

/** The element is inside the screen (after scrolling it into view if `scroll`), not cut at either side. */
async function assertInReach(locator, what, { scroll = true } = {}) {
  if (scroll) await locator.scrollIntoViewIfNeeded()
  const b = await locator.boundingBox()
  assert.ok(b, `${what} is shown`)
  assert.ok(b.x >= 0 && b.x + b.width <= PHONE.width + 1, `${what} lies inside the screen's width: x ${b.x}, width ${b.width}`)
  assert.ok(b.y >= 0 && b.y + b.height <= PHONE.height + 1, `${what} lies inside the screen's height: y ${b.y}, height ${b.height}`)
}

async function shoot(page, file) {
  await page.evaluate(() => document.querySelectorAll('.el-message').forEach((m) => m.remove()))
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

const realErrors = (errors) => errors.filter((e) => !/Failed to load resource|status of 401/.test(e))

async function newIncident(page, title, { lon = 113.31, lat = 40.09, type = 'accident.traffic.road' } = {}) {
  const r = await postIncident(page, { title, lon, lat, incident_type: type })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

/** A 平城区 village of the demo with a name of its own. */
async function village(page) {
  const list = await apiFetch(page, '/api/v1/registries/settlement?division=140213&limit=50')
  assert.equal(list.status, 200, JSON.stringify(list.body))
  const v = list.body.items.find((x) => x.name.length >= 3)
  assert.ok(v, 'a 平城区 village')
  return v
}

async function searchPlace(P, testid, q, v) {
  const input = P.locator(`input[data-testid=${testid}], [data-testid=${testid}] input`).first()
  await input.click()
  await input.fill(q)
  const option = P.locator(`.yj-place-popper:visible [data-testid=place-option-settlement-${v.id}]`)
  await option.waitFor()
  await assertInReach(option, 'the place found')
  await option.click()
}

/** Open a page from the menu drawer. */
async function fromMenu(P, testid) {
  await P.locator('[data-testid=menu-toggle]').click()
  await P.waitForFunction(() => document.querySelector('.yj-aside')?.getBoundingClientRect().x === 0)
  await P.locator(`[data-testid=${testid}]`).click()
  await P.waitForFunction(() => document.querySelector('.yj-aside')?.getBoundingClientRect().right <= 0)
}

describe('指挥中心 on a phone (390×844)', () => {
  test('态势 home: no sideways scrolling, an incident opens from the list', { timeout: 240_000 }, async () => {
    const op = await newPage(browser, server.url, { viewport: PHONE })
    const cmd = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(op.page, 'pingcheng')
      const inc = await newIncident(op.page, `手机态势${stamp}`)
      await login(cmd.page, 'commander')
      const P = cmd.page
      await P.goto('/')
      await P.locator('[data-testid=situation]').waitFor()
      const row = P.locator(`[data-testid=situation-incident-${inc.id}] a`)
      await row.waitFor()
      await assertNoSideScroll(P, 'the 态势 home page')
      await shoot(P, 'phone-home.png')
      await assertInReach(row, 'the incident in the list')
      await row.click()
      await P.waitForURL(new RegExp(`/incidents/${inc.id}$`))
      await P.locator('[data-testid=incident-title]').waitFor()
      await assertNoSideScroll(P, "the incident's page")
      assert.deepEqual(realErrors(cmd.errors), [])
    } finally {
      await op.context.close()
      await cmd.context.close()
    }
  })

  test('map search: a village is found and opened', { timeout: 240_000 }, async () => {
    const { context, page: P, errors } = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(P, 'pingcheng')
      const v = await village(P)
      await fromMenu(P, 'menu-map')
      await P.waitForFunction(() => window.__yjMap?.ready)
      await assertNoSideScroll(P, 'the map')
      const mapBox = await P.locator('[data-testid=map]').boundingBox()
      assert.ok(mapBox.width >= PHONE.width * 0.9 && mapBox.height >= PHONE.height * 0.5, `the map takes the screen: ${JSON.stringify(mapBox)}`)
      await searchPlace(P, 'map-search', v.name, v)
      await P.waitForFunction((id) => window.__yjMap?.focused?.kind === 'settlement' && window.__yjMap.focused.id === id, v.id)
      const popup = P.locator('.leaflet-popup-content', { hasText: v.name })
      await popup.waitFor()
      await assertInReach(popup, "the village's popup", { scroll: false })
      await assertNoSideScroll(P, 'the map with the popup')
      await shoot(P, 'phone-map-search.png')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await context.close()
    }
  })

  test('intake by place search: the open incident at the place is offered and the call added to it', { timeout: 240_000 }, async () => {
    const { context, page: P, errors } = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(P, 'pingcheng')
      const v = await village(P)
      const first = await newIncident(P, `手机接报${stamp}`, { lon: v.lon, lat: v.lat, type: 'accident.production.coal_mine' })
      await fromMenu(P, 'menu-intake')
      const dlg = P.locator('[data-testid=intake-dialog]')
      await dlg.waitFor()
      await dlg.locator('[data-testid=field-title] input').fill(`手机又一来电${stamp}`)
      await dlg.locator('[data-testid=field-incident_type] .el-cascader').click()
      const popper = P.locator('.yj-type-popper:visible')
      await popper.locator('.el-cascader-node', { hasText: '事故灾难' }).click()
      await popper.locator('.el-cascader-node', { hasText: '生产安全事故' }).click()
      await popper.locator('.el-cascader-node', { hasText: '煤矿事故' }).click()
      await dlg.locator('.el-dialog__header').click()
      await P.waitForFunction(() => /煤矿事故/.test(document.querySelector('[data-testid=field-incident_type] input')?.value ?? ''))
      await searchPlace(P, 'intake-place', v.name, v)
      const offer = dlg.locator(`[data-testid=duplicate-${first.id}]`)
      await offer.waitFor()
      await assertNoSideScroll(P, 'the intake dialog')
      await dlg.locator('[data-testid=field-reporter] input').fill('李娜')
      await dlg.locator('[data-testid=field-description] textarea').fill('手机上记录的第二个来电')
      const add = dlg.locator(`[data-testid=add-call-${first.id}]`)
      await add.scrollIntoViewIfNeeded()
      await shoot(P, 'phone-intake-duplicate.png')
      await assertInReach(add, 'the button that adds the call to the open incident')
      await add.click()
      await P.waitForURL(new RegExp(`/incidents/${first.id}$`))
      await P.locator('[data-testid=timeline-call]', { hasText: '手机上记录的第二个来电' }).waitFor()
      const open = await apiFetch(P, '/api/v1/incidents?active=true')
      assert.equal(open.body.filter((i) => i.title === `手机又一来电${stamp}`).length, 0, 'no second incident')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await context.close()
    }
  })

  test('a consultation: a decision made an instruction', { timeout: 240_000 }, async () => {
    const { context, page: P, errors } = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(P, 'pingcheng')
      const inc = await newIncident(P, `手机会商${stamp}`)
      const c = await post(P, '/api/v1/consultations', {
        title: `手机会商${stamp}`,
        incident_id: inc.id,
        place: '一号会商室',
        scheduled_at: new Date(Date.now() + 600_000).toISOString(),
      })
      assert.equal(c.status, 201, JSON.stringify(c.body))
      const started = await post(P, `/api/v1/consultations/${c.body.id}/events`, { version: c.body.version, kind: 'start' })
      assert.equal(started.status, 200, JSON.stringify(started.body))
      await P.goto(`/consultations/${c.body.id}`)
      await P.locator('[data-testid=consultation-state][data-state=in_session]').waitFor()
      await assertNoSideScroll(P, 'the consultation')
      const decision = `调派水泵两台${stamp}`
      await P.locator('[data-testid=decide-text]').fill(decision)
      const assignee = P.locator('[data-testid=decide-assignee]')
      await assignee.click()
      await assignee.locator('input').fill('平城区水务局')
      await assignee.locator('input').press('Enter')
      const decide = P.locator('[data-testid=btn-decide]')
      await assertInReach(decide, 'the decide button')
      await decide.click()
      await P.locator('[data-testid=decision-text-1]', { hasText: decision }).waitFor()
      const toIns = P.locator('[data-testid=btn-to-instruction-1]')
      await assertInReach(toIns, 'the button that makes the decision an instruction')
      await toIns.click()
      const link = P.locator('[data-testid=decision-instruction-1]')
      await link.waitFor()
      await assertNoSideScroll(P, 'the consultation with its decision')
      await shoot(P, 'phone-consultation.png')
      const id = Number((await link.innerText()).match(/#(\d+)/)[1])
      await link.click()
      await P.waitForURL(new RegExp(`/incidents/${inc.id}$`))
      assert.equal(await P.locator(`[data-testid=ins-task-${id}]`).innerText(), decision)
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await context.close()
    }
  })

  test('the directory: call and text links in reach', { timeout: 240_000 }, async () => {
    const { context, page: P, errors } = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(P, 'pingcheng')
      const mobile = '19900005678'
      const r = await post(P, '/api/v1/registries/contact', {
        name: `赵${stamp}`,
        division: '140213',
        phone: '0352-2021234',
        attrs: { group: 'township', organisation: `新建街道${stamp}`, position: '值班员', mobile },
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      await fromMenu(P, 'menu-directory')
      await P.waitForURL(/\/directory$/)
      await P.locator('[data-testid=directory-q]').fill(stamp)
      await P.locator('[data-testid=directory-search]').click()
      const tel = P.locator(`[data-testid=tel-contact-${r.body.id}-mobile]`)
      await tel.waitFor()
      await assertNoSideScroll(P, 'the directory')
      assert.equal(await tel.getAttribute('href'), `tel:${mobile}`)
      assert.equal(await P.locator(`[data-testid=sms-contact-${r.body.id}-mobile]`).getAttribute('href'), `sms:${mobile}`)
      assert.equal(await P.locator(`[data-testid=tel-contact-${r.body.id}-office]`).getAttribute('href'), 'tel:03522021234')
      await assertInReach(tel, 'the call link')
      await assertInReach(P.locator(`[data-testid=sms-contact-${r.body.id}-mobile]`), 'the text link')
      assert.deepEqual(realErrors(errors), [])
    } finally {
      await context.close()
    }
  })

  test('a long form keeps its submit bar on the screen (the warning form)', { timeout: 240_000 }, async () => {
    const { context, page: P, errors } = await newPage(browser, server.url, { viewport: PHONE })
    try {
      await login(P, 'pingcheng')
      await P.goto('/warnings/new')
      await P.locator('[data-testid=warning-form]').waitFor()
      await P.locator('[data-testid=warning-signal]').waitFor()
      await assertNoSideScroll(P, 'the warning form')
      const tall = await P.evaluate(() => document.querySelector('[data-testid=warning-form]').getBoundingClientRect().bottom)
      assert.ok(tall > PHONE.height, `the form is longer than the screen (${tall} px)`)
      const submit = P.locator('[data-testid=btn-save-submit]')
      // In view without scrolling, and still after scrolling half the form.
      await assertInReach(submit, 'the submit button, unscrolled', { scroll: false })
      await shoot(P, 'phone-warning-form.png')
      await P.locator('[data-testid=field-instruction]').scrollIntoViewIfNeeded()
      await assertInReach(submit, 'the submit button, scrolled', { scroll: false })
      // And it works: an empty description is refused on the field.
      await P.locator('[data-testid=field-description] textarea').fill('')
      await P.locator('[data-testid=btn-save]').click()
      await P.locator('[data-testid=field-description] .el-form-item__error').waitFor()
      assert.deepEqual(realErrors(errors).filter((e) => !/422/.test(e)), [])
    } finally {
      await context.close()
    }
  })
})
