// The rule editor's values ↔ the rules sent: a rule is sent only when one
// of its values is given; a sensor's own rules read back as they were.
import { describe, expect, it } from 'vitest'
import { ruleForm, ruleSet } from '../src/features/monitoring/monitoring'

describe('rule editor values', () => {
  it('sends only the rules that have a value', () => {
    const cases: [string, Partial<ReturnType<typeof ruleForm>>, object][] = [
      ['nothing: the kind’s defaults', {}, {}],
      ['a high limit', { high: 1 }, { threshold: { high: 1, low: null, hysteresis: 0, min_duration_secs: 0 } }],
      ['rate and silence', { rate: 0.5, silence: 3 }, { rate: { max_per_minute: 0.5 }, silence: { intervals: 3 } }],
      [
        'gas and stopped air',
        { combination: [{ sensor: '', at_least: 0.8, at_most: null }, { sensor: 'wind-1', at_least: null, at_most: 0.25 }] },
        {
          combination: {
            all: [
              { sensor: '', at_least: 0.8, at_most: null },
              { sensor: 'wind-1', at_least: null, at_most: 0.25 },
            ],
            max_age_secs: 600,
          },
        },
      ],
    ]
    for (const [name, values, want] of cases) {
      expect(ruleSet({ ...ruleForm({}), ...values }), name).toEqual(want)
    }
  })

  it('reads a sensor’s own rules back unchanged', () => {
    const rules = {
      threshold: { high: 20, low: null, hysteresis: 2, min_duration_secs: 600 },
      silence: { intervals: 5 },
      combination: { all: [{ sensor: '', at_least: 1, at_most: null }], max_age_secs: 120 },
    }
    expect(ruleSet(ruleForm(rules))).toEqual(rules)
  })
})
