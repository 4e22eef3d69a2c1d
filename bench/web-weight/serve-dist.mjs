// Serve a built web/dist the way the binary did before precompression
// (no Content-Encoding, SPA fallback to index.html), for the "before" figure:
//   node bench/web-weight/serve-dist.mjs /path/to/dist 8099
import http from 'node:http'
import { readFileSync, existsSync, statSync } from 'node:fs'
import path from 'node:path'

const dir = path.resolve(process.argv[2] || 'web/dist')
const port = Number(process.argv[3] || 8099)
const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png' }
http
  .createServer((req, res) => {
    // No backend here: the UI sees an anonymous visitor.
    if (req.url.startsWith('/api/')) {
      res.writeHead(401, { 'content-type': 'application/problem+json' })
      return res.end('{"status":401,"title":"unauthenticated"}')
    }
    let p = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname))
    if (!p.startsWith(dir) || !existsSync(p) || statSync(p).isDirectory()) p = path.join(dir, 'index.html')
    const type = types[path.extname(p)] || 'application/octet-stream'
    // --precompressed: like the binary now (server/web.rs), the .br copy when accepted.
    if (process.argv.includes('--precompressed') && /\bbr\b/.test(req.headers['accept-encoding'] || '') && existsSync(p + '.br')) {
      res.writeHead(200, { 'content-type': type, 'content-encoding': 'br', vary: 'Accept-Encoding' })
      return res.end(readFileSync(p + '.br'))
    }
    res.writeHead(200, { 'content-type': type })
    res.end(readFileSync(p))
  })
  .listen(port, '127.0.0.1')
