// Start the yingji backend (`yingji demo`) on a fresh data dir and a free port,
// wait for /healthz, and stop it at the end.
//
// If the backend does not serve the web UI (a debug binary compiled before
// web/dist existed answers "web UI not built"), a small same-origin proxy is
// started in front of it that serves ../web/dist and forwards /api and /healthz.
// Set YINGJI_E2E_UI=backend to forbid that fallback (fail instead).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, request as httpRequest } from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const E2E_DIR = path.resolve(here, '..')
export const REPO_DIR = path.resolve(E2E_DIR, '..')
const DIST = path.join(REPO_DIR, 'web', 'dist')

export function backendBinary() {
  const bin = process.env.YINGJI_BIN || '../target/debug/yingji'
  return path.isAbsolute(bin) ? bin : path.resolve(E2E_DIR, bin)
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitHealthy(url, child, logs, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`yingji exited with ${child.exitCode} before it was healthy:\n${logs.join('')}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) return
      last = `HTTP ${res.status}`
    } catch (e) {
      last = String(e?.cause?.code || e)
    }
    await sleep(250)
  }
  throw new Error(`yingji not healthy at ${url} after ${timeoutMs} ms (${last}):\n${logs.join('')}`)
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
}

function startUiProxy(backendPort, port) {
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://x')
    if (u.pathname.startsWith('/api/') || u.pathname === '/healthz') {
      const up = httpRequest(
        { host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${backendPort}` } },
        (r) => {
          res.writeHead(r.statusCode || 502, r.headers)
          res.flushHeaders() // Server-Sent Events: send the headers before the first event
          r.pipe(res)
        },
      )
      up.on('error', (e) => {
        res.writeHead(502)
        res.end(String(e))
      })
      req.pipe(up)
      return
    }
    let file = path.join(DIST, path.normalize(decodeURIComponent(u.pathname)).replace(/^([/\\])+/, ''))
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(DIST, 'index.html')
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

/**
 * @returns {Promise<{url: string, backendUrl: string, proxied: boolean, logs: string[], stop: () => Promise<void>}>}
 */
export async function startBackend({ timeoutMs = 90_000 } = {}) {
  const bin = backendBinary()
  if (!existsSync(bin)) throw new Error(`yingji binary not found at ${bin} (build it, or set YINGJI_BIN)`)
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-'))
  const port = await freePort()
  const backendUrl = `http://127.0.0.1:${port}`
  const logs = []
  const child = spawn(bin, ['demo', '--data-dir', path.join(dataDir, 'data'), '--listen', `127.0.0.1:${port}`], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  })
  child.stdout.on('data', (d) => logs.push(String(d)))
  child.stderr.on('data', (d) => logs.push(String(d)))

  let proxy = null
  const stop = async () => {
    if (proxy) await new Promise((r) => proxy.close(() => r()))
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      const t0 = Date.now()
      while (child.exitCode === null && child.signalCode === null && Date.now() - t0 < 5000) await sleep(100)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    rmSync(dataDir, { recursive: true, force: true })
  }

  try {
    await waitHealthy(backendUrl, child, logs, timeoutMs)
    let url = backendUrl
    const shell = await fetch(`${backendUrl}/`).catch(() => null)
    const servesUi = !!shell && shell.ok && (shell.headers.get('content-type') || '').includes('text/html')
    if (!servesUi) {
      if (process.env.YINGJI_E2E_UI === 'backend') throw new Error('the backend does not serve the web UI (GET / is not HTML)')
      if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`web UI not built: ${DIST}/index.html missing (npm --prefix web run build)`)
      const uiPort = await freePort()
      proxy = await startUiProxy(port, uiPort)
      url = `http://127.0.0.1:${uiPort}`
      console.log(`# backend at ${backendUrl} does not serve the UI; serving web/dist through a proxy at ${url}`)
    }
    return { url, backendUrl, proxied: !servesUi, logs, stop }
  } catch (e) {
    await stop()
    throw e
  }
}
