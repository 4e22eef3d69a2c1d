// 值班值守 end to end against a real `yingji demo`: the 平城区 duty officer
// (pingcheng) opens the duty desk, sees the demo roster with themself on duty,
// adds a duty-log line with Enter, hands the shift over with a note and an
// open item; the city commander, a second person, acknowledges the takeover;
// then the officer takes a report through the intake dialog with a photo and
// sees the thumbnail on the incident page.
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { startBackend, REPO_DIR } from '../lib/server.mjs'
import { launch, newPage, login, apiFetch } from '../lib/browser.mjs'

const SCREENSHOTS = process.env.YINGJI_SCREENSHOTS || path.join(REPO_DIR, 'docs', 'screenshots')
const PINGCHENG = '140213000000' // 平城区
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

/** A real PNG (w×h, one colour), so the browser can draw the thumbnail. */
function png(w, h, [r, g, b]) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const x of buf) c = table[(c ^ x) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const c = Buffer.alloc(4)
    c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw.set([r, g, b], y * (w * 3 + 1) + 1 + x * 3)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

async function shoot(page, file) {
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(SCREENSHOTS, file) })
}

describe('值班值守: log, handover, acknowledgement, intake with a photo', () => {
  test('the officer logs and hands over, the commander takes it over, a photo reaches the incident page', { timeout: 240_000 }, async () => {
    const op = await newPage(browser, server.url)
    const cmd = await newPage(browser, server.url)
    try {
      await login(op.page, 'pingcheng')
      await login(cmd.page, 'commander')
      const A = op.page
      const B = cmd.page

      // --- the duty desk from the 指挥调度 menu ---
      await A.locator('[data-testid=menu-duty]').click()
      await A.waitForURL(/\/duty$/)
      await A.locator('[data-testid=duty-page]').waitFor()
      // The demo roster puts pingcheng on every 平城区 officers' shift; the one running now is on duty.
      await A.locator('[data-testid=now-officers]', { hasText: '刘晓东' }).waitFor()
      await A.locator('[data-testid=now-leaders]').waitFor()
      const now = await apiFetch(A, '/api/v1/duty/now')
      assert.equal(now.status, 200)
      const crew = now.body.shifts.find((s) => s.officers.length && s.state === 'on_duty')
      assert.ok(crew, JSON.stringify(now.body))
      // The week table lists the demo roster (3 shifts a day).
      assert.ok((await A.locator('[data-testid=week-table] tbody tr').count()) >= 21)

      // --- a log line: kind + text, Enter saves ---
      const line = `群众来电：文瀛湖北路积水${stamp}`
      await A.locator('[data-testid=log-text]').fill(line)
      await A.locator('[data-testid=log-text]').press('Enter')
      await A.locator('[data-testid=log-table]', { hasText: line }).waitFor()
      assert.equal(await A.locator('[data-testid=log-text]').inputValue(), '', 'the line is cleared for the next call')
      const log = await apiFetch(A, '/api/v1/duty/log')
      const entry = log.body.find((e) => e.text === line)
      assert.ok(entry, 'stored')
      assert.equal(entry.kind, 'call')
      assert.equal(entry.shift_id, crew.id, 'filed under the shift on duty')
      await shoot(A, 'duty.png')

      // --- a correction is a new entry; the original stays, struck through ---
      await A.locator(`[data-testid=log-correct-${entry.id}]`).click()
      await A.locator('.el-message-box input').fill(`更正：文瀛湖北路积水约40厘米${stamp}`)
      await A.locator('.el-message-box .el-button--primary').click()
      await A.locator('[data-testid=log-table]', { hasText: '积水约40厘米' }).waitFor()
      await A.locator(`[data-testid=log-entry-${entry.id}].yj-corrected`).waitFor()
      const csv = await apiFetch(A, '/api/v1/duty/log/export')
      assert.equal(csv.status, 200)
      assert.match(csv.body, /编号,时间,类别,内容/)
      assert.match(csv.body, new RegExp(`积水约40厘米${stamp}`))
      assert.match(await A.locator('[data-testid=log-export]').getAttribute('href'), new RegExp(`^/api/v1/duty/log/export\\?division=${PINGCHENG}&date=\\d{4}-\\d{2}-\\d{2}$`))

      // --- the roster: add a shift next week, an overlap is refused on the field, then edit it ---
      await A.locator('[data-testid=week-next]').click()
      const nextMonday = await A.locator('[data-testid=duty-week] .el-card__header').innerText()
      const day = nextMonday.match(/(\d{4}-\d{2}-\d{2})/)[1]
      const addShift = async (name) => {
        await A.locator('[data-testid=shift-add]').click()
        const sd = A.locator('[data-testid=shift-dialog]')
        await sd.waitFor()
        await sd.locator('[data-testid=shift-date-item] input').fill(day)
        await sd.locator('[data-testid=shift-date-item] input').press('Enter')
        await sd.locator('[data-testid=officer-0] input[placeholder=姓名]').fill(name)
        await sd.locator('[data-testid=officer-0] input[placeholder=电话]').fill('13903520000')
        await sd.locator('[data-testid=shift-save]').click()
        return sd
      }
      // (The demo roster covers this week; next week is empty.)
      let sd = await addShift(`测试值班员${stamp}`)
      await sd.waitFor({ state: 'hidden' })
      await A.locator('[data-testid=week-table]', { hasText: `测试值班员${stamp}` }).waitFor()
      sd = await addShift('重复排班')
      await sd.locator('[data-testid=shift-period-item] .el-form-item__error', { hasText: '重叠' }).waitFor()
      await sd.locator('.el-dialog__headerbtn').click()
      await sd.waitFor({ state: 'hidden' })
      const next = await apiFetch(A, `/api/v1/duty/shifts?from=${day}&to=${day}`)
      const added = next.body.find((x) => x.officers.some((o) => o.name === `测试值班员${stamp}`))
      assert.ok(added, JSON.stringify(next.body))
      await A.locator(`[data-testid=shift-edit-${added.id}]`).click()
      sd = A.locator('[data-testid=shift-dialog]')
      await sd.waitFor()
      await sd.locator('[data-testid=officer-0] input[placeholder=姓名]').fill(`改派值班员${stamp}`)
      await sd.locator('[data-testid=shift-save]').click()
      await sd.waitFor({ state: 'hidden' })
      await A.locator('[data-testid=week-table]', { hasText: `改派值班员${stamp}` }).waitFor()
      const edited = await apiFetch(A, `/api/v1/duty/shifts/${added.id}`)
      assert.equal(edited.body.version, 2)
      await A.locator('[data-testid=week-prev]').click()

      // --- handover: a note and an open item ---
      await A.locator(`[data-testid=shift-handover-${crew.id}]`).click()
      const ho = A.locator('[data-testid=handover-dialog]')
      await ho.waitFor()
      await ho.locator('[data-testid=handover-save]').click()
      await ho.locator('[data-testid=handover-note] .el-form-item__error').waitFor()
      await ho.locator('[data-testid=handover-note] textarea').fill(`本班接报 1 起积水，已通知市政排水${stamp}`)
      await ho.locator('[data-testid=open-item-add]').click()
      await ho.locator('[data-testid=open-item-0] input').first().fill('文瀛湖北路积水待复查')
      await ho.locator('[data-testid=handover-save]').click()
      await ho.waitFor({ state: 'hidden' })
      await A.locator(`[data-testid=week-state-${crew.id}][data-state=handed_over]`).waitFor()
      await A.locator(`[data-testid=handover-note-${crew.id}]`, { hasText: stamp }).waitFor()
      assert.equal(await A.locator(`[data-testid=pending-ack-${crew.id}]`).count(), 0, 'not acknowledged by the one who handed over')

      // --- the commander acknowledges (接班确认) on the 平城区 desk ---
      await B.goto(`/duty?division=${PINGCHENG}`)
      await B.locator(`[data-testid=handover-note-${crew.id}]`, { hasText: stamp }).waitFor()
      await B.locator(`[data-testid=pending-ack-${crew.id}]`).click()
      await B.locator('.el-message-box .el-button--primary').click()
      await B.locator(`[data-testid=week-state-${crew.id}][data-state=acknowledged]`).waitFor()
      const after = await apiFetch(B, `/api/v1/duty/shifts/${crew.id}`)
      assert.equal(after.body.state, 'acknowledged')
      assert.equal(after.body.acknowledged_by, 'commander')
      assert.deepEqual(after.body.open_items.map((i) => i.text), ['文瀛湖北路积水待复查'])

      // --- intake from the duty desk, with a photo ---
      await A.reload()
      await A.locator('[data-testid=duty-intake]').click()
      const dlg = A.locator('[data-testid=intake-dialog]')
      await dlg.waitFor()
      const title = `文瀛湖北路积水${stamp}`
      await dlg.locator('[data-testid=field-title] input').fill(title)
      await dlg.locator('[data-testid=field-incident_type] .el-cascader').click()
      const popper = A.locator('.yj-type-popper:visible')
      await popper.locator('.el-cascader-node', { hasText: '自然灾害' }).click()
      await popper.locator('.el-cascader-node', { hasText: '水旱灾害' }).click()
      await popper.locator('.el-cascader-node', { hasText: '城市内涝' }).click()
      await dlg.locator('.el-dialog__header').click()
      await A.waitForFunction(() => document.querySelector('[data-testid=field-division] input')?.value?.includes('平城区'))
      await dlg.locator('[data-testid=intake-attachments] input[type=file]').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: png(64, 48, [30, 120, 200]) })
      await dlg.locator('[data-testid=intake-attachments] .el-upload-list__item.is-success').waitFor()
      await dlg.locator('[data-testid=intake-save]').click()
      await A.waitForURL(/\/incidents\/\d+$/)
      const id = Number(new URL(A.url()).pathname.split('/').pop())
      const img = A.locator('[data-testid=incident-attachments] img')
      await img.waitFor()
      await A.waitForFunction(() => {
        const i = document.querySelector('[data-testid=incident-attachments] img')
        return i && i.complete && i.naturalWidth === 64
      })
      const detail = await apiFetch(A, `/api/v1/incidents/${id}`)
      assert.equal(detail.body.attachments.length, 1)
      // The report taken at the desk is in the duty log, linked to the incident.
      const logged = await apiFetch(A, '/api/v1/duty/log')
      assert.ok(logged.body.some((e) => e.incident_id === id && e.text.includes(title)), JSON.stringify(logged.body))
      assert.equal(detail.body.attachments[0].name, '现场.png')

      // --- instruction feedback with a photo ---
      const post = (p, body) => apiFetch(A, p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      const ins = await post(`/api/v1/incidents/${id}/instructions`, { assignee_kind: 'department', assignee: '平城区住建局', task: '组织排水', due_minutes: 60 })
      assert.equal(ins.status, 201, JSON.stringify(ins.body))
      const rec = await post(`/api/v1/instructions/${ins.body.id}/events`, { version: ins.body.version, event: { kind: 'receive' } })
      assert.equal(rec.status, 200, JSON.stringify(rec.body))
      await A.reload()
      await A.locator(`[data-testid=ins-feedback-${ins.body.id}]`).click()
      const fbd = A.locator('[data-testid=feedback-dialog]')
      await fbd.waitFor()
      await fbd.locator('[data-testid=feedback-text] textarea').fill('已排水，积水退去')
      await fbd.locator('[data-testid=feedback-photos] input[type=file]').setInputFiles({ name: '排水后.png', mimeType: 'image/png', buffer: png(40, 30, [20, 160, 80]) })
      await fbd.locator('[data-testid=feedback-photos] .el-upload-list__item.is-success').waitFor()
      await fbd.locator('[data-testid=feedback-save]').click()
      await fbd.waitFor({ state: 'hidden' })
      await A.waitForFunction((x) => {
        const i = document.querySelector(`[data-testid=ins-photos-${x}] img`)
        return i && i.complete && i.naturalWidth === 40
      }, ins.body.id)
      // Another county cannot fetch the photo.
      const yz = await newPage(browser, server.url)
      try {
        await login(yz.page, 'yunzhou')
        const r = await apiFetch(yz.page, `/api/v1/attachments/${detail.body.attachments[0].id}`)
        assert.equal(r.status, 404)
      } finally {
        await yz.context.close()
      }

      assert.deepEqual(realErrors(op.errors), [])
      assert.deepEqual(realErrors(cmd.errors), [])
    } finally {
      await op.context.close()
      await cmd.context.close()
    }
  })
})
