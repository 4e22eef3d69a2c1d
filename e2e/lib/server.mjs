// Start the yingji backend (`yingji demo`) on a fresh data dir and a free port,
// wait for /healthz, and stop it at the end.
// The UI under test is the one embedded in the binary (web/dist at build time).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const E2E_DIR = path.resolve(here, '..')
export const REPO_DIR = path.resolve(E2E_DIR, '..')

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


export async function startBackend(opts = {}) {
  // The port is chosen free and released before yingji binds it, and the
  // demo's own MQTT broker takes any free port at start: once in a while
  // the two meet. That is the harness's race, not the platform's: start
  // again on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startBackendOnce(opts)
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/.test(String(e?.message))) throw e
    }
  }
}

async function startBackendOnce({ timeoutMs = 90_000, env = {} } = {}) {
  // Against an already running server (e.g. `npm run dev` in web/ in front of `yingji demo`):
  // YINGJI_E2E_BASE_URL=http://localhost:5173. The tests then share that server's data.
  if (process.env.YINGJI_E2E_BASE_URL) {
    const url = process.env.YINGJI_E2E_BASE_URL.replace(/\/$/, '')
    return { url, backendUrl: url, logs: [], stop: async () => {} }
  }
  const bin = backendBinary()
  if (!existsSync(bin)) throw new Error(`yingji binary not found at ${bin} (build it, or set YINGJI_BIN)`)
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'yingji-e2e-'))
  const port = await freePort()
  const backendUrl = `http://127.0.0.1:${port}`
  const logs = []
  const child = spawn(bin, ['demo', '--data-dir', path.join(dataDir, 'data'), '--listen', `127.0.0.1:${port}`], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn', ...env },
  })
  child.stdout.on('data', (d) => logs.push(String(d)))
  child.stderr.on('data', (d) => logs.push(String(d)))

  const stop = async () => {
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
    const shell = await fetch(`${backendUrl}/`).catch(() => null)
    const servesUi = !!shell && shell.ok && (shell.headers.get('content-type') || '').includes('text/html')
    if (!servesUi) throw new Error('the backend does not serve the web UI (GET / is not HTML): build web/dist, then the binary')
    return { url: backendUrl, backendUrl, logs, stop }
  } catch (e) {
    await stop()
    throw e
  }
}
