import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

// Every problem code the CAP validator (crates/cap) can report has an
// explanation in both languages, so the UI never falls back to English-only
// messages in Chinese.
function codes(): string[] {
  const dir = join(__dirname, '..', '..', 'crates', 'cap', 'src')
  const found = new Set<string>()
  for (const f of ['rules.rs', 'error.rs']) {
    const src = readFileSync(join(dir, f), 'utf8')
    for (const m of src.matchAll(/"([a-z]+(?:-[a-z]+)+|invalid)"/g)) found.add(m[1])
  }
  return [...found].sort()
}

describe('CAP problem codes', () => {
  it('are read from the validator', () => {
    expect(codes()).toContain('missing-element')
    expect(codes()).toContain('polygon-not-closed')
  })
  it('each has a zh-CN and an en explanation', () => {
    const zhKeys = Object.keys(zh.capProblem)
    const enKeys = Object.keys(en.capProblem)
    const missing = codes().filter((c) => !zhKeys.includes(c) || !enKeys.includes(c))
    expect(missing).toEqual([])
  })
})
