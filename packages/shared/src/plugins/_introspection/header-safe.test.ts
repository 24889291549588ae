// Header-safe payloads: verbatim when possible, JSON compacted losslessly, base64 otherwise.
import { describe, expect, it } from 'vitest'
import { claimHeaderValue, isHeaderSafe, toHeaderValue } from './header-safe.ts'

describe('toHeaderValue', () => {
  it('keeps a compact ASCII body verbatim, minus surrounding whitespace', () => {
    expect(toHeaderValue('{"id":1,"name":"John"}\n')).toEqual({ value: '{"id":1,"name":"John"}', encoding: 'none' })
  })

  it('compacts pretty-printed JSON so no line break reaches the header', () => {
    const pretty = JSON.stringify({ id: 1, name: 'John Doe', roles: ['a', 'b'] }, null, 2)
    const r = toHeaderValue(pretty)
    expect(r.encoding).toBe('json')
    expect(isHeaderSafe(r.value)).toBe(true)
    expect(JSON.parse(r.value)).toEqual(JSON.parse(pretty))
  })

  it('escapes non-ASCII inside JSON strings and keeps big numbers digit for digit', () => {
    const body = '{"name":"José 😀","id":12345678901234567890,"del":"\u007f"}'
    const r = toHeaderValue(body)
    expect(r.encoding).toBe('json')
    expect(isHeaderSafe(r.value)).toBe(true)
    expect(r.value).toContain('12345678901234567890')
    expect(JSON.parse(r.value)).toEqual(JSON.parse(body))
  })

  it('base64-encodes text that is neither header-safe nor JSON', () => {
    const body = 'line one\r\nX-Injected: yes'
    const r = toHeaderValue(body)
    expect(r.encoding).toBe('base64')
    expect(Buffer.from(r.value, 'base64').toString('utf8')).toBe(body)
  })
})

describe('claimHeaderValue', () => {
  it('serialises non-strings and leaves safe strings alone', () => {
    expect(claimHeaderValue(1700000000)).toBe('1700000000')
    expect(claimHeaderValue({ a: 'b' })).toBe('{"a":"b"}')
    expect(claimHeaderValue('read write')).toBe('read write')
    expect(claimHeaderValue(undefined)).toBeUndefined()
  })
  it('turns control characters into spaces so a claim cannot add a header', () => {
    expect(claimHeaderValue('x\r\nX-Evil: 1')).toBe('x  X-Evil: 1')
  })
  it('sends non-ASCII text as its UTF-8 bytes', () => {
    expect(Buffer.from(claimHeaderValue('José')!, 'latin1').toString('utf8')).toBe('José')
  })
})
