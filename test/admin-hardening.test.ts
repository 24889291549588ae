// Admin server hardening (issue 18): unknown methods answer 405 with Allow like any refused method, and a
// rejected large body never advertises keep-alive on a connection about to be reset.
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useAdmin } from './support/admin-suite.ts'

const suite = useAdmin()

/** Write raw bytes, read until the server closes (or `waitMs`), return what came back. */
function rawExchange(port: number, head: string, body?: Buffer, waitMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(head)
      if (body) s.write(body, () => {})
    })
    let out = ''
    const timer = setTimeout(() => s.destroy(), waitMs)
    s.on('data', (d) => (out += d.toString('latin1')))
    s.on('error', () => {})
    s.on('close', () => {
      clearTimeout(timer)
      resolve(out)
    })
  })
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head, ...rest] = raw.split('\r\n\r\n')
  const [line, ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const l of lines) {
    const i = l.indexOf(':')
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim()
  }
  return { status: Number(line.split(' ')[1]), headers, body: rest.join('\r\n\r\n') }
}

describe('unknown methods', () => {
  it('answers FOO /services with 405 Method not allowed and the Allow header, over a raw socket', async () => {
    const r = parse(await rawExchange(suite.proc.port, 'FOO /services HTTP/1.1\r\nHost: admin\r\n\r\n'))
    expect(r.status).toBe(405)
    expect(JSON.parse(r.body)).toEqual({ message: 'Method not allowed' })
    expect(r.headers.allow).toBe('GET, HEAD, OPTIONS, POST')
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(r.headers.connection).toBe('close')
  })

  it('answers an unknown method on an item path with its own Allow, and on an unknown path with 404', async () => {
    const item = parse(await rawExchange(suite.proc.port, 'BREW /consumers/someone HTTP/1.1\r\nHost: admin\r\n\r\n'))
    expect(item.status).toBe(405)
    expect(item.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, PUT')
    const none = parse(await rawExchange(suite.proc.port, 'FOO /nothing/here HTTP/1.1\r\nHost: admin\r\n\r\n'))
    expect(none.status).toBe(404)
    expect(JSON.parse(none.body)).toEqual({ message: 'Not found' })
  })

  it('sends Allow with every 405, for methods node knows too', async () => {
    const r = await suite.admin.request('DELETE', '/services')
    expect(r.status).toBe(405)
    expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST')
  })

  it('answers 405 with Allow on the special endpoints too (/status, /config, /schemas)', async () => {
    for (const [method, path, allow] of [
      ['POST', '/status', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/config', 'GET, HEAD, OPTIONS, POST'],
      ['PUT', '/schemas/services', 'GET, HEAD, OPTIONS'],
      ['GET', '/schemas/plugins/validate', null],
    ] as const) {
      const r = await suite.admin.request(method, path)
      if (allow === null) {
        expect(r.status, `${method} ${path}`).not.toBe(405)
        continue
      }
      expect(r.status, `${method} ${path}`).toBe(405)
      expect(r.body).toEqual({ message: 'Method not allowed' })
      expect(r.headers.get('allow')).toBe(allow)
    }
    const foo = parse(await rawExchange(suite.proc.port, 'FOO /status HTTP/1.1\r\nHost: admin\r\n\r\n'))
    expect(foo.status).toBe(405)
    expect(foo.headers.allow).toBe('GET, HEAD, OPTIONS')
    const options = await suite.admin.request('OPTIONS', '/status')
    expect(options.status).toBe(204)
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
  })

  it('still answers a malformed request line with 400', async () => {
    const r = parse(await rawExchange(suite.proc.port, 'NOT A REQUEST\r\n\r\n'))
    expect(r.status).toBe(400)
  })
})

describe('large bodies', () => {
  it('answers 413 with Connection: close, never keep-alive, when it stops reading a body', async () => {
    const body = Buffer.alloc(11 * 1024 * 1024, 'a')
    const raw = await rawExchange(suite.proc.port, `POST /services HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body)
    const r = parse(raw)
    expect(r.status).toBe(413)
    expect(JSON.parse(r.body)).toEqual({ message: 'Payload too large' })
    expect(r.headers.connection).toBe('close')
    expect(r.headers['keep-alive']).toBeUndefined()
  })

  it('closes the connection after a chunked body over the limit, with Connection: close', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a')
    const parts: Buffer[] = []
    for (let i = 0; i < 11; i++) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'))
    parts.push(Buffer.from('0\r\n\r\n'))
    const r = parse(await rawExchange(suite.proc.port, 'POST /services HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', Buffer.concat(parts)))
    expect(r.status).toBe(413)
    expect(r.headers.connection).toBe('close')
  })
})
