import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { i18n } from '../src/i18n'
import { localizeError } from '../src/utils/fieldErrors'

function rustFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? rustFiles(p) : p.endsWith('.rs') ? [p] : []
  })
}

describe('coded field errors', () => {
  it('every code the server sends has a translation in both languages', () => {
    const codes = new Set<string>()
    for (const f of rustFiles(join(__dirname, '../../crates/yingji/src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\.code\("([a-z_]+)"\)/g)) codes.add(m[1])
    }
    expect(codes.size).toBeGreaterThan(5)
    const missing = [...codes].filter(
      (c) => !(c in (zh.fieldError as Record<string, string>)) || !(c in (en.fieldError as Record<string, string>)),
    )
    expect(missing).toEqual([])
  })

  it('English shows the translation with its parameters; Chinese keeps the server message', () => {
    const e = { field: 'name', code: 'too_long', params: { max: 100 }, message: '最多 100 个字' }
    i18n.global.locale.value = 'en'
    expect(localizeError(e).message).toBe('At most 100 characters')
    expect(localizeError({ message: '未编码的错误' }).message).toBe('未编码的错误')
    expect(localizeError({ code: 'no_such_code', message: '原文' }).message).toBe('原文')
    i18n.global.locale.value = 'zh-CN'
    expect(localizeError(e).message).toBe('最多 100 个字')
  })
})
