import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generate, schemaPath } from '../scripts/gen-api.mjs'

describe('generated API types', () => {
  it('src/api/schema.d.ts is generated from the checked-in src/api/openapi.json', async () => {
    const expected = await generate()
    const actual = readFileSync(schemaPath, 'utf8')
    // On failure: run `make api` (or `npm run gen:api`) and commit schema.d.ts.
    expect(actual === expected, 'src/api/schema.d.ts is stale: run `make api` and commit it').toBe(true)
  }, 30_000)
})
