// 调度会商, end to end against a real `yingji demo`: the 平城区 duty officer
// starts a consultation from an incident's page (发起会商), invites two
// contacts found in the directory, starts the session, marks attendance,
// writes the minutes, records a decision addressed to an invited
// department and turns it into an instruction with one click — which then
// shows on the incident's page — and downloads the 会商纪要 (.docx), whose
// document part says it all. The list is reachable from the menu.
// Screenshot for the README (1920×1080).
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch, pickOption } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const stamp = Date.now().toString(36).slice(-5)
const WALL = { width: 1920, height: 1080 }

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

/** The entries of a zip (stored or deflated, sizes in the local headers). */
function unzip(buf) {
  const out = {}
  let o = 0
  while (o + 30 <= buf.length && buf.readUInt32LE(o) === 0x04034b50) {
    const method = buf.readUInt16LE(o + 8)
    const size = buf.readUInt32LE(o + 18)
    const nameLen = buf.readUInt16LE(o + 26)
    const extraLen = buf.readUInt16LE(o + 28)
    const name = buf.subarray(o + 30, o + 30 + nameLen).toString('utf8')
    const start = o + 30 + nameLen + extraLen
    const data = buf.subarray(start, start + size)
    out[name] = (method === 8 ? inflateRawSync(data) : data).toString('utf8')
    o = start + size
  }
  return out
}

const post = (page, p, body) =>
  apiFetch(page, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

describe('调度会商', { timeout: 300_000 }, () => {
  test('from an incident: invite from the directory, attendance, minutes, a decision made an instruction, the .docx', { timeout: 280_000 }, async () => {
    const op = await newPage(browser, server.url, { viewport: WALL })
    const page = op.page
    try {
      await login(page, 'pingcheng')
      const title = `煤矿透水${stamp}`
      const inc = await post(page, '/api/v1/incidents', {
        title,
        incident_type: 'accident.production.coal_mine',
        division: '140213',
        source: 'phone',
        reporter: '张伟',
        reporter_phone: '13800138000',
        lon: 113.31,
        lat: 40.09,
        facts: { deaths: 0, trapped: 6 },
        description: '井下透水，6人被困',
      })
      assert.equal(inc.status, 201, JSON.stringify(inc.body))
      const incidentId = inc.body.id
      const orgs = [`平城区水务局${stamp}`, `平城区卫健局${stamp}`]
      for (const [n, org] of orgs.entries()) {
        const r = await post(page, '/api/v1/registries/contact', {
          name: `${['王', '李'][n]}${stamp}`,
          division: '140213',
          phone: '0352-2024567',
          attrs: { group: 'department', organisation: org, position: '值班主任' },
        })
        assert.equal(r.status, 201, JSON.stringify(r.body))
      }

      // 发起会商 on the incident's page: the form comes up for the incident.
      await page.goto(`/incidents/${incidentId}`)
      await page.locator('[data-testid=btn-consult]').click()
      await page.waitForURL(/\/consultations\?incident=/)
      const dialog = page.locator('[data-testid=new-consultation-dialog]')
      await dialog.waitFor()
      await page.locator('[data-testid=nc-title]').waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid=nc-title]')?.value)
      await page.locator('[data-testid=nc-place]').fill('市应急指挥中心一号会商室')
      await page.locator('[data-testid=nc-save]').click()
      await page.waitForURL(/\/consultations\/\d+$/)
      const cid = Number(page.url().split('/').pop())
      await page.locator('[data-testid=consultation-state][data-state=scheduled]').waitFor()

      // Invite two contacts from the directory, found by a word.
      await page.locator('[data-testid=btn-invite]').click()
      await page.locator('[data-testid=invite-q]').fill(stamp)
      await page.locator('[data-testid=invite-search]').click()
      const rows = page.locator('[data-testid=invite-table] .el-table__body .el-table__row')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=invite-table] .el-table__body .el-table__row').length === 2)
      for (const n of [0, 1]) await rows.nth(n).locator('.el-checkbox').click()
      await page.locator('[data-testid=invite-save]').click()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=invitees-table] .el-table__body .el-table__row').length === 2)

      // Start; attendance: one present, one excused.
      await page.locator('[data-testid=btn-consultation-start]').click()
      await page.locator('[data-testid=consultation-state][data-state=in_session]').waitFor()
      const c = await apiFetch(page, `/api/v1/consultations/${cid}`)
      const [a, b] = c.body.invitees.map((i) => i.id)
      await page.locator(`[data-testid=attend-${a}] .el-radio-button`, { hasText: '出席' }).click()
      await page.locator('[data-testid=attendance-counts]', { hasText: '出席 1' }).waitFor()
      await page.locator(`[data-testid=attend-${b}] .el-radio-button`, { hasText: '请假' }).click()
      await page.locator('[data-testid=attendance-counts]', { hasText: '请假 1' }).waitFor()

      // The agenda and the minutes.
      await page.locator('[data-testid=btn-agenda-add]').click()
      await page.locator('[data-testid=agenda-0]').fill('通报井下被困人员情况')
      await page.locator('[data-testid=btn-agenda-save]').click()
      await page.locator('[data-testid=btn-agenda-save][disabled], [data-testid=btn-agenda-save].is-disabled').waitFor()
      const minutes = `一、井下 6 人被困，排水能力不足。\n二、${orgs[0]} 调派大功率水泵。`
      await page.locator('[data-testid=minutes-text]').fill(minutes)
      await page.locator('[data-testid=btn-minutes-save]').click()
      await page.locator('[data-testid=btn-minutes-save].is-disabled').waitFor()

      // A decision addressed to an invited department, made an instruction.
      const decision = `调派大功率水泵两台赶赴现场${stamp}`
      await page.locator('[data-testid=decide-text]').fill(decision)
      await pickOption(page, page.locator('[data-testid=decide-assignee]'), orgs[0])
      await page.locator('[data-testid=btn-decide]').click()
      await page.locator('[data-testid=decision-text-1]', { hasText: decision }).waitFor()
      await page.locator('[data-testid=btn-to-instruction-1]').click()
      const link = page.locator('[data-testid=decision-instruction-1]')
      await link.waitFor()
      const instructionId = Number((await link.innerText()).match(/#(\d+)/)[1])
      assert.ok(instructionId > 0)

      // The page from its top, without the toasts of the steps.
      await page.evaluate(() => {
        document.querySelectorAll('.el-message').forEach((m) => m.remove())
        for (const e of document.querySelectorAll('*')) if (e.scrollTop) e.scrollTop = 0
      })
      await page.waitForTimeout(300)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'consultation.png') })

      // The 会商纪要 (.docx).
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=btn-export-docx]').click()])
      assert.match(download.suggestedFilename(), /^HS\d{6}\.docx$/)
      const bytes = readFileSync(await download.path())
      const parts = unzip(bytes)
      assert.deepEqual(Object.keys(parts), ['[Content_Types].xml', '_rels/.rels', 'word/document.xml'])
      const doc = parts['word/document.xml']
      for (const want of [title, '市应急指挥中心一号会商室', `王${stamp}`, orgs[1], '请假', '通报井下被困人员情况', `${orgs[0]} 调派大功率水泵。`, decision, `已转为指令 #${instructionId}`]) {
        assert.ok(doc.includes(want), `${want} in the .docx`)
      }

      // The instruction shows on the incident's page.
      await link.click()
      await page.waitForURL(new RegExp(`/incidents/${incidentId}$`))
      const task = page.locator(`[data-testid=ins-task-${instructionId}]`)
      await task.waitFor()
      assert.equal(await task.innerText(), decision)
      // The incident's page lists its consultations, each a link to it.
      await page.locator(`[data-testid=incident-consultation-${cid}]`).waitFor()

      // And the session is in the list the menu opens.
      await page.locator('[data-testid=menu-consultations]').click()
      await page.waitForURL(/\/consultations$/)
      await page.locator(`[data-testid=consultation-${cid}]`).waitFor()
      // (The login page's first /auth/me answers 401 before the login.)
      assert.deepEqual(op.errors.filter((e) => !e.includes('401')), [])
    } finally {
      await op.context.close()
    }
  })
})
