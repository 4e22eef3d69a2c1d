import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}
function get(o: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, k) => (acc as Record<string, unknown>)?.[k], o)
}
function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
}

describe('i18n messages', () => {
  const zhKeys = keys(zh).sort()
  const enKeys = keys(en).sort()

  it('zh-CN and en have exactly the same keys', () => {
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([])
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([])
    expect(enKeys).toEqual(zhKeys)
  })

  it('every message is a non-empty string with the same placeholders in both languages', () => {
    for (const k of zhKeys) {
      const a = get(zh, k)
      const b = get(en, k)
      expect(typeof a, k).toBe('string')
      expect(typeof b, k).toBe('string')
      expect((a as string).length, k).toBeGreaterThan(0)
      expect((b as string).length, k).toBeGreaterThan(0)
      expect(placeholders(b as string), k).toEqual(placeholders(a as string))
    }
  })

  it('every t("…") key used in the source exists', () => {
    const used = new Set<string>()
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name)
        if (e.isDirectory()) walk(p)
        else if (/\.(vue|ts)$/.test(e.name) && !p.includes(`${join('src', 'i18n')}`)) {
          for (const m of readFileSync(p, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1])
        }
      }
    }
    walk(join(__dirname, '..', 'src'))
    expect(used.size).toBeGreaterThan(20)
    const missing = [...used].filter((k) => !zhKeys.includes(k))
    expect(missing).toEqual([])
  })
})
