// Ledger postings per second with C concurrent HTTP clients against a running
// `yingji demo` server, and the anchor measured in the same run: the same
// number of plain journaled writes of another kind (PUT /supplies/minimums,
// one upsert and one journal entry each) with the same concurrency.
//   node load.mjs BASE_URL [N=1000] [C=50]
// Setup (not timed): two warehouses of the demo get 10^7 units of two items
// by a posted receipt; N issue and transfer documents (two lines each) are
// drafted (by admin) and approved (by commander: the drafter may not approve
// its own document). Timed: posting all N, C at a time. Then the anchor,
// then GET /supplies/check must answer ok. Prints one JSON line.
const [base, nArg, cArg] = process.argv.slice(2)
const N = Number(nArg || 1000)
const C = Number(cArg || 50)
// One session per user: `call` as admin, `call(…, 'checker')` as commander.
const cookies = { main: '', checker: '' }
async function call(method, path, body, who = 'main') {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', 'x-requested-with': 'yingji', cookie: cookies[who] },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  const set = r.headers.get('set-cookie')
  if (set) cookies[who] = set.split(';')[0]
  return { status: r.status, body: text ? JSON.parse(text) : null }
}
function must(r, want, what) {
  if (r.status !== want) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}
async function pool(tasks, c) {
  let next = 0
  const out = new Array(tasks.length)
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < tasks.length) {
        const i = next++
        out[i] = await tasks[i]()
      }
    }),
  )
  return out
}
must(await call('POST', '/api/v1/auth/login', { username: 'admin', password: 'Demo@2025' }), 200, 'login')
must(await call('POST', '/api/v1/auth/login', { username: 'commander', password: 'Demo@2025' }, 'checker'), 200, 'login checker')
const ws = must(await call('GET', '/api/v1/supplies/warehouses'), 200, 'warehouses')
const items = must(await call('GET', '/api/v1/supplies/items'), 200, 'items')
const [w1, w2] = [ws[0].id, ws[1].id]
const [i1, i2] = [items[0].id, items[1].id]
async function postDoc(b) {
  let d = must(await call('POST', '/api/v1/supplies/documents', b), 201, 'draft')
  d = must(await call('POST', `/api/v1/supplies/documents/${d.id}/events`, { kind: 'approve', version: d.version }, 'checker'), 200, 'approve')
  return d
}
for (const w of [w1, w2]) {
  const d = await postDoc({ kind: 'receipt', warehouse_id: w, lines: [{ item_id: i1, qty: 10_000_000, batch_no: `BENCH-${w}-${Date.now()}` }, { item_id: i2, qty: 10_000_000, batch_no: `BENCH2-${w}-${Date.now()}` }] })
  must(await call('POST', `/api/v1/supplies/documents/${d.id}/events`, { kind: 'post', version: d.version }), 200, 'post receipt')
}
const setup0 = performance.now()
const approved = await pool(
  Array.from({ length: N }, (_, n) => () => {
    const [from, to] = n % 2 ? [w1, w2] : [w2, w1]
    const lines = [{ item_id: i1, qty: 3 }, { item_id: i2, qty: 2 }]
    return postDoc(n % 4 < 2 ? { kind: 'issue', warehouse_id: from, lines } : { kind: 'transfer', warehouse_id: from, to_warehouse_id: to, lines })
  }),
  C,
)
const setupS = (performance.now() - setup0) / 1000
const t0 = performance.now()
const posted = await pool(
  approved.map((d) => () => call('POST', `/api/v1/supplies/documents/${d.id}/events`, { kind: 'post', version: d.version })),
  C,
)
const postS = (performance.now() - t0) / 1000
const ok = posted.filter((r) => r.status === 200).length
const failed = posted.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body?.code ?? ''}`)
const a0 = performance.now()
const anchor = await pool(
  Array.from({ length: N }, (_, n) => () => call('PUT', '/api/v1/supplies/minimums', { warehouse_id: n % 2 ? w1 : w2, item_id: i1, min_qty: n })),
  C,
)
const anchorS = (performance.now() - a0) / 1000
const anchorOk = anchor.filter((r) => r.status === 204).length
const check = must(await call('GET', '/api/v1/supplies/check'), 200, 'check')
console.log(
  JSON.stringify({
    n: N,
    clients: C,
    setup_s: +setupS.toFixed(2),
    post_s: +postS.toFixed(2),
    postings_per_s: +(ok / postS).toFixed(1),
    posted_ok: ok,
    post_failed: failed.slice(0, 5),
    anchor_s: +anchorS.toFixed(2),
    anchor_per_s: +(anchorOk / anchorS).toFixed(1),
    anchor_ok: anchorOk,
    ratio_time: +(postS / anchorS).toFixed(2),
    check_ok: check.ok,
    check_postings: check.postings,
    check_balances: check.balances,
  }),
)
if (!check.ok || ok !== N || anchorOk !== N) process.exit(1)
