// Trace context in and out: W3C `traceparent` and B3 (`X-B3-*` headers or the single `b3` header).
import type { Format } from './schema.ts'

export interface Parent {
  traceId: string
  spanId: string
  sampled: boolean | null
  format: Format
}

const W3C = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const HEX = /^[0-9a-f]+$/

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)
/** B3 allows 64-bit trace ids; OTLP needs 128: left-pad as B3's own spec says. */
const pad = (id: string) => id.padStart(32, '0')

export function extract(headers: Record<string, string | string[] | undefined>, formats: readonly Format[]): Parent | null {
  for (const f of formats) {
    if (f === 'w3c') {
      const m = W3C.exec(first(headers.traceparent)?.trim().toLowerCase() ?? '')
      if (m && !/^0+$/.test(m[1]) && !/^0+$/.test(m[2])) return { traceId: m[1], spanId: m[2], sampled: (parseInt(m[3], 16) & 1) === 1, format: 'w3c' }
    } else if (f === 'b3') {
      const t = first(headers['x-b3-traceid'])?.toLowerCase()
      const sp = first(headers['x-b3-spanid'])?.toLowerCase()
      if (t && sp && HEX.test(t) && HEX.test(sp) && (t.length === 16 || t.length === 32) && sp.length === 16) {
        const s = first(headers['x-b3-sampled'])
        return { traceId: pad(t), spanId: sp, sampled: s === undefined ? null : s === '1' || s === 'true', format: 'b3' }
      }
    } else {
      const parts = first(headers.b3)?.toLowerCase().split('-')
      if (parts && parts.length >= 2 && HEX.test(parts[0]) && HEX.test(parts[1]) && parts[1].length === 16) {
        const s = parts[2]
        return { traceId: pad(parts[0]), spanId: parts[1], sampled: s === undefined ? null : s === '1' || s === 'd', format: 'b3-single' }
      }
    }
  }
  return null
}

/** Headers that carry (traceId, spanId) upstream in the given formats. */
export function inject(formats: readonly Format[], traceId: string, spanId: string, sampled: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of formats) {
    if (f === 'w3c') out.traceparent = `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`
    else if (f === 'b3') Object.assign(out, { 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': sampled ? '1' : '0' })
    else out.b3 = `${traceId}-${spanId}-${sampled ? '1' : '0'}`
  }
  return out
}
