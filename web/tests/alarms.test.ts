import { describe, expect, it } from 'vitest'
import { newlyRaised } from '../src/features/monitoring/monitoring'

describe('the alarm sound rings for new raised alarms only', () => {
  const a = (id: number, state: string) => ({ id, state }) as { id: number; state: 'raised' | 'acknowledged' }
  it('the first look marks what is there as seen, silently', () => {
    const seen = new Set<number>()
    expect(newlyRaised(seen, [a(1, 'raised'), a(2, 'acknowledged')], true)).toEqual([])
    expect([...seen]).toEqual([1])
  })
  it('then each newly raised alarm rings once, oldest first', () => {
    const seen = new Set<number>([1])
    expect(newlyRaised(seen, [a(5, 'raised'), a(1, 'raised'), a(3, 'raised')])).toEqual([3, 5])
    expect(newlyRaised(seen, [a(5, 'raised'), a(1, 'raised'), a(3, 'raised')])).toEqual([])
  })
  it('acknowledged alarms never ring, and an acknowledged one seen again does not ring', () => {
    const seen = new Set<number>()
    expect(newlyRaised(seen, [a(7, 'acknowledged')])).toEqual([])
    expect(newlyRaised(seen, [a(8, 'raised')])).toEqual([8])
    expect(newlyRaised(seen, [a(8, 'acknowledged')])).toEqual([])
  })
  it('a first look with nothing raised lets the next alarm ring', () => {
    const seen = new Set<number>()
    expect(newlyRaised(seen, [], true)).toEqual([])
    expect(newlyRaised(seen, [a(2, 'raised')])).toEqual([2])
  })
})

describe('the situation reloads on alarm changes, not on readings', () => {
  it('monitoring entries count only for alarms', async () => {
    const { concernsSituation } = await import('../src/features/home/situation')
    expect(concernsSituation({ module: 'monitoring', entity: 'alarm' })).toBe(true)
    expect(concernsSituation({ module: 'monitoring', entity: 'readings' })).toBe(false)
    expect(concernsSituation({ module: 'monitoring', entity: 'sensor' })).toBe(false)
    expect(concernsSituation({ module: 'incidents', entity: 'incident' })).toBe(true)
    expect(concernsSituation({ module: 'supplies', entity: 'document' })).toBe(false)
  })
})
