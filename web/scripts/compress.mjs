// Precompress the built UI: for every text file in dist/ (JS, CSS, HTML, SVG,
// JSON) write `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9)
// beside it, kept only when smaller than the original. The binary embeds
// dist/ and serves these copies with `Content-Encoding` to browsers that
// accept them (crates/yingji/src/server/web.rs), so nothing is compressed per
// request. Run by `npm run build` after `vite build`.
import { readdirSync, readFileSync, writeFileSync, statSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'

export const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name)
    if (statSync(p).isDirectory()) yield* files(p)
    else yield p
  }
}

export function compressDir(dir) {
  let before = 0
  let br = 0
  let gz = 0
  for (const p of [...files(dir)]) {
    if (!COMPRESSIBLE.test(p)) continue
    const data = readFileSync(p)
    before += data.length
    const b = zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    })
    const g = zlib.gzipSync(data, { level: 9 })
    for (const [ext, out] of [['.br', b], ['.gz', g]]) {
      if (out.length < data.length) writeFileSync(p + ext, out)
      else rmSync(p + ext, { force: true })
    }
    br += Math.min(b.length, data.length)
    gz += Math.min(g.length, data.length)
  }
  return { before, br, gz }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || fileURLToPath(new URL('../dist', import.meta.url))
  const r = compressDir(dir)
  console.log(`precompressed ${dir}: ${r.before} bytes → brotli ${r.br}, gzip ${r.gz}`)
}
