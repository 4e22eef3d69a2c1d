import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { i18n } from '../src/i18n'
import { localizeError, localizeRefusal } from '../src/utils/fieldErrors'
import { ApiError } from '../src/api'

function rustFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? rustFiles(p) : p.endsWith('.rs') ? [p] : []
  })
}

/** The codes the server's Rust sources send, by the pattern that writes them. */
function codesIn(pattern: RegExp): Set<string> {
  const codes = new Set<string>()
  for (const f of rustFiles(join(__dirname, '../../crates/yingji/src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(pattern)) codes.add(m[1])
  }
  return codes
}

function untranslated(codes: Set<string>, namespace: 'fieldError' | 'refusal'): string[] {
  const has = (lang: Record<string, unknown>, c: string) => c in (lang[namespace] as Record<string, string>)
  return [...codes].filter((c) => !has(zh, c) || !has(en, c)).map((c) => `${namespace}.${c}`)
}

/** The end of the parenthesised group opening at `open` (its `(`). */
function closing(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth === 0) return i
  }
  return text.length
}

/**
 * The field errors of `file` written without a code: a `FieldError::new(…)`
 * whose chain of calls (`.param(…).at_row(…)…`) has no `.code(…)`.
 */
function uncodedIn(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/FieldError::new\(/g)) {
    let end = closing(text, m.index + m[0].length - 1) + 1
    let coded = false
    for (;;) {
      const call = /^\s*\.(\w+)\(/.exec(text.slice(end))
      if (!call) break
      if (call[1] === 'code') coded = true
      end = closing(text, end + call[0].length - 1) + 1
    }
    if (!coded) out.push(`${file.split('/src/')[1]}:${text.slice(0, m.index).split('\n').length}`)
  }
  return out
}

describe('coded field errors', () => {
  it('every code the server sends has a translation in both languages', () => {
    const codes = codesIn(/\.code\("([a-z_]+)"\)/g)
    expect(codes.size).toBeGreaterThan(5)
    expect(codes).toContain('no_road_near')
    // `ApiError::field(field, "code", message)`: the code is its second argument.
    for (const c of codesIn(/ApiError::field\(\s*[^,()]+,\s*"([a-z_]+)"/g)) codes.add(c)
    expect(codes).toContain('upload_failed')
    // A plan's problems against the catalogue: `p.coded("code", …)`.
    for (const c of codesIn(/\.coded\(\s*"([a-z_]+)"/g)) codes.add(c)
    expect(codes).toContain('threshold_below_lower_level')
    // `invalid` is the code of no code: the UI shows the server's message.
    codes.delete('invalid')
    expect(untranslated(codes, 'fieldError')).toEqual([])
  })

  it('every module sends every field error with a code', () => {
    const files = rustFiles(join(__dirname, '../../crates/yingji/src'))
    expect(files.length).toBeGreaterThan(100)
    expect(files.flatMap(uncodedIn)).toEqual([])
    // The check finds what it looks for.
    expect(uncodedIn(join(__dirname, 'fixtures/uncoded.rs.txt'))).toHaveLength(2)
  })

  it('every refusal code the server sends has a translation in both languages', () => {
    // `Refusal::new("code", …)`, the code possibly on the next line.
    const codes = codesIn(/Refusal::new\(\s*"([a-z_]+)"/g)
    expect(codes.size).toBeGreaterThan(30)
    expect(codes).toContain('already_verified')
    expect(untranslated(codes, 'refusal')).toEqual([])
  })

  it('a refused step reads in English with its parameters; Chinese and unknown codes keep the detail', () => {
    const p = {
      status: 409,
      key: 'invalid_transition',
      code: 'already_responding',
      params: { level: 'Ⅱ', event: 'start_response' },
      detail: '事件已在Ⅱ级响应中，调整级别请升级或降级',
    }
    i18n.global.locale.value = 'en'
    expect(localizeRefusal(p)).toBe('The incident is already in a level Ⅱ response; raise or lower the level instead')
    const e = new ApiError(409, p)
    expect([e.detail, e.message, e.code]).toEqual([localizeRefusal(p), localizeRefusal(p), 'already_responding'])
    expect(localizeRefusal({ ...p, code: 'no_such_code' })).toBe(p.detail)
    expect(localizeRefusal({ detail: '未编码' })).toBe('未编码')
    i18n.global.locale.value = 'zh-CN'
    expect(new ApiError(409, p).detail).toBe(p.detail)
  })

  it('English shows the translation with its parameters; Chinese keeps the server message', () => {
    const e = { field: 'name', code: 'too_long', params: { max: 100 }, message: '最多 100 个字' }
    i18n.global.locale.value = 'en'
    expect(localizeError(e).message).toBe('At most 100 characters')
    expect(localizeError({ message: '未编码的错误' }).message).toBe('未编码的错误')
    expect(localizeError({ code: 'no_such_code', message: '原文' }).message).toBe('原文')
    i18n.global.locale.value = 'zh-CN'
    expect(localizeError(e).message).toBe('最多 100 个字')
    // A message that is not Chinese (a parser's or the plan catalogue's
    // English) reads in Chinese when its code has a translation.
    const parser = { field: 'x', code: 'bad_value', params: { detail: 'invalid type' }, message: 'invalid type' }
    expect(localizeError(parser).message).toBe('值无效（invalid type）')
    expect(localizeError({ code: 'no_such_code', message: 'missing title' }).message).toBe('missing title')
  })
})
