// Body watchers: a streamed body passes through unchanged until a watcher answers, then the stream errors
// and the rest of the upload is drained rather than piped.
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { Exit } from '@postern/shared'
import { BodyWatchStop, checkBuffer, watchStream } from './body-watch.ts'

const EXIT: Exit = { exit: true, status: 413 }
const limit = (n: number) => (_c: Buffer, total: number) => (total > n ? EXIT : undefined)

function fakeRequest(): IncomingMessage {
  const s = new PassThrough() as unknown as IncomingMessage
  ;(s as any).socket = Object.assign(new EventEmitter(), { destroy() {} })
  return s
}

describe('checkBuffer', () => {
  it('gives the first answer for a body held in memory', () => {
    expect(checkBuffer([limit(3)], Buffer.from('abc'))).toBeUndefined()
    expect(checkBuffer([limit(3)], Buffer.from('abcd'))).toBe(EXIT)
  })
})

describe('watchStream', () => {
  it('passes a body within the limit through unchanged', async () => {
    const req = fakeRequest()
    const out = watchStream(req, [limit(11)], () => {})
    const got: Buffer[] = []
    out.on('data', (c) => got.push(c))
    const ended = new Promise((r) => out.on('end', r))
    ;(req as any).write('hello ')
    ;(req as any).end('world')
    await ended
    expect(Buffer.concat(got).toString()).toBe('hello world')
  })

  it('stops at the chunk that passes the limit and hands over the answer', async () => {
    const req = fakeRequest()
    let answer: Exit | undefined
    const out = watchStream(req, [limit(4)], (e) => (answer = e))
    const failed = new Promise<Error>((r) => out.on('error', r))
    out.resume()
    ;(req as any).write('abc')
    ;(req as any).write('de')
    expect(await failed).toBeInstanceOf(BodyWatchStop)
    expect(answer).toBe(EXIT)
    // the rest of the upload is read and discarded, not piped
    expect((req as any).readableFlowing).toBe(true)
    ;(req as any).end('more')
  })
})
