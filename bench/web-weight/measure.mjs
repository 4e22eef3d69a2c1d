// Bytes a browser transfers for the first load of a page of the web UI
// (default: the login page), with an empty cache: every response's encoded
// body plus its headers, as Chromium reports them. Usage:
//   node bench/web-weight/measure.mjs http://127.0.0.1:8080/login
// (needs e2e/node_modules: `cd e2e && npm ci`). Prints one JSON line.
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '../../e2e/package.json'))
const { chromium } = require('playwright-core')

export async function measure(url, { executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium' } = {}) {
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] })
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    const done = []
    page.on('requestfinished', (req) => done.push(req))
    await page.goto(url, { waitUntil: 'networkidle' })
    let transferred = 0
    let decoded = 0
    const files = []
    for (const req of done) {
      const s = await req.sizes()
      const res = await req.response()
      const body = res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0)
      transferred += s.responseBodySize + s.responseHeadersSize
      decoded += body.length
      files.push({ url: new URL(req.url()).pathname, bytes: s.responseBodySize, encoding: res?.headers()['content-encoding'] || '' })
    }
    return { url, requests: done.length, transferred, decoded, files }
  } finally {
    await browser.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.argv[2] || 'http://127.0.0.1:8080/login'
  const r = await measure(url)
  console.log(JSON.stringify(process.argv.includes('--files') ? r : { ...r, files: undefined }))
}
