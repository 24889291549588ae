// Unit tests of one address's health counters: thresholds of 0 switch a check off, failures of one kind
// count up to their own threshold, successes bring an unhealthy address back.
import { describe, expect, it } from 'vitest'
import { defaultHealthchecks } from '@postern/shared'
import { HealthState, reportFailure, reportStatus } from './health.ts'

describe('HealthState', () => {
  it('stays healthy when every threshold is 0 (the default)', () => {
    const h = new HealthState()
    const p = defaultHealthchecks().passive
    for (let i = 0; i < 10; i++) reportStatus(h, p, 500)
    reportFailure(h, p, 'tcp')
    expect(h.healthy).toBe(true)
  })

  it('turns unhealthy after http_failures bad statuses and back after successes good ones', () => {
    const hc = defaultHealthchecks()
    hc.active.unhealthy.http_failures = 2
    hc.active.healthy.successes = 3
    const h = new HealthState()
    let flips = 0
    h.onFlip = () => flips++
    reportStatus(h, hc.active, 500)
    reportStatus(h, hc.active, 200) // a success in between resets the failure count
    reportStatus(h, hc.active, 500)
    expect(h.healthy).toBe(true)
    reportStatus(h, hc.active, 404)
    expect(h.healthy).toBe(false)
    reportStatus(h, hc.active, 200)
    reportStatus(h, hc.active, 200)
    expect(h.healthy).toBe(false)
    reportStatus(h, hc.active, 302)
    expect(h.healthy).toBe(true)
    expect(flips).toBe(2)
  })

  it('counts timeouts and tcp failures against their own thresholds', () => {
    const hc = defaultHealthchecks()
    hc.passive.unhealthy.timeouts = 2
    const h = new HealthState()
    reportFailure(h, hc.passive, 'tcp')
    reportFailure(h, hc.passive, 'tcp')
    expect(h.healthy).toBe(true)
    reportFailure(h, hc.passive, 'timeout')
    reportFailure(h, hc.passive, 'timeout')
    expect(h.healthy).toBe(false)
  })
})
