import { describe, expect, it } from 'vitest'
import { categoryField, divisionAncestors, divisionPath, keyAttrFields } from '../src/utils/schema'
import { toBody, validateField } from '../src/features/registry/validate'
import type { Field, Schema } from '../src/api/types'

const t = (k: string, n?: Record<string, unknown>) => `${k}:${JSON.stringify(n ?? {})}`

const f = (p: Partial<Field>): Field => ({ key: 'x', label_zh: 'X', label_en: 'X', type: 'text', required: false, common: false, ...p })

describe('validateField', () => {
  it('required', () => {
    expect(validateField(f({ required: true }), '', t, 'X')).toMatch(/^validation.required/)
    expect(validateField(f({ required: true }), '  ', t, 'X')).toMatch(/^validation.required/)
    expect(validateField(f({ required: false }), '', t, 'X')).toBeNull()
    expect(validateField(f({ type: 'list', required: true }), [], t, 'X')).toMatch(/^validation.required/)
  })
  it('numbers, min and max', () => {
    const lat = f({ type: 'lat', min: -90, max: 90, required: true })
    expect(validateField(lat, 95, t, '纬度')).toMatch(/^validation.max/)
    expect(validateField(lat, -91, t, '纬度')).toMatch(/^validation.min/)
    expect(validateField(lat, 40.08, t, '纬度')).toBeNull()
    expect(validateField(lat, 'abc', t, '纬度')).toMatch(/^validation.number/)
    const n = f({ type: 'int', min: 1 })
    expect(validateField(n, 1.5, t, 'N')).toMatch(/^validation.integer/)
    expect(validateField(n, 0, t, 'N')).toMatch(/^validation.min/)
    expect(validateField(n, '12', t, 'N')).toBeNull()
  })
  it('enum', () => {
    const e = f({ type: 'enum', options: [{ value: 'a', label_zh: '甲', label_en: 'A' }] })
    expect(validateField(e, 'a', t, 'E')).toBeNull()
    expect(validateField(e, 'b', t, 'E')).toMatch(/^validation.enum/)
  })
  it('phone', () => {
    const p = f({ type: 'phone' })
    expect(validateField(p, '0352-8209288', t, 'P')).toBeNull()
    expect(validateField(p, '13507741356', t, 'P')).toBeNull()
    expect(validateField(p, 'call me', t, 'P')).toMatch(/^validation.phone/)
  })
})

describe('toBody', () => {
  it('puts common fields on top and the others in attrs', () => {
    const fields = [
      f({ key: 'name', common: true }),
      f({ key: 'lon', type: 'lon', common: true }),
      f({ key: 'headcount', type: 'int' }),
      f({ key: 'specialities', type: 'list' }),
      f({ key: 'affiliation' }),
    ]
    const b = toBody(fields, { name: ' 队 ', lon: '113.3', headcount: 12, specialities: ['a', ' ', 'b'], affiliation: '' })
    expect(b).toEqual({ name: '队', lon: 113.3, attrs: { headcount: 12, specialities: ['a', 'b'] } })
  })
})

describe('divisions', () => {
  it('ancestors of a 12-digit code', () => {
    expect(divisionAncestors('140213050000')).toEqual(['140000000000', '140200000000', '140213000000', '140213050000'])
    expect(divisionAncestors('140213050201')).toEqual(['140000000000', '140200000000', '140213000000', '140213050000', '140213050201'])
    expect(divisionAncestors('140200000000')).toEqual(['140000000000', '140200000000'])
  })
  it('path from the jurisdiction root', () => {
    expect(divisionPath('140213050000', '140200000000')).toEqual(['140200000000', '140213000000', '140213050000'])
    expect(divisionPath('140213000000', '140213000000')).toEqual(['140213000000'])
    expect(divisionPath('140215000000', '140213000000')).toEqual(['140215000000'])
  })
})

describe('schema helpers', () => {
  const s: Schema = {
    kind: 'hazard_source',
    label_zh: '危险源',
    label_en: 'Hazard sources',
    located: true,
    fields: [
      f({ key: 'name', common: true, required: true }),
      f({ key: 'hazard_class', type: 'enum', required: true, options: [] }),
      f({ key: 'level', type: 'enum', required: true, options: [] }),
      f({ key: 'enterprise_name' }),
      f({ key: 'substances', type: 'list' }),
    ],
  }
  it('category field of a known kind', () => {
    expect(categoryField(s)?.key).toBe('level')
    expect(categoryField({ ...s, kind: 'other' })?.key).toBe('hazard_class')
  })
  it('key attrs skip the category and list fields', () => {
    expect(keyAttrFields(s).map((x) => x.key)).toEqual(['hazard_class', 'enterprise_name'])
  })
})
