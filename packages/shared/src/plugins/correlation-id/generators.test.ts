// Unit tests of correlation-id's generators and schema defaults.
import { describe, expect, it } from 'vitest'
import { GENERATORS } from './generators.ts'
import { schema } from './schema.ts'
import type { PdkRequest } from '../../pdk/index.ts'

const req = { port: 8000, connection: () => ({ serverAddr: '10.0.0.1', serial: 7, requests: 3 }) } as unknown as PdkRequest

describe('correlation-id generators', () => {
  it('uuid#counter keeps one uuid per process and counts up', () => {
    const [a, b] = [GENERATORS['uuid#counter'](req), GENERATORS['uuid#counter'](req)]
    expect(a.split('#')[0]).toBe(b.split('#')[0])
    expect(Number(b.split('#')[1])).toBe(Number(a.split('#')[1]) + 1)
  })

  it('uuid is a fresh v4 uuid each time', () => {
    expect(GENERATORS.uuid(req)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(GENERATORS.uuid(req)).not.toBe(GENERATORS.uuid(req))
  })

  it('tracker is server_addr-server_port-pid-connection-connection_requests-time', () => {
    expect(GENERATORS.tracker(req)).toMatch(new RegExp(`^10\\.0\\.0\\.1-8000-${process.pid}-7-3-\\d+\\.\\d{3}$`))
  })

  it("has Kong's defaults", () => {
    expect(schema.parse({})).toEqual({ header_name: 'Kong-Request-ID', generator: 'uuid#counter', echo_downstream: false })
  })
})
