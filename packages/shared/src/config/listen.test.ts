// Listener flags and worker count parsing (Kong's proxy_listen flags and nginx_worker_processes).
import { describe, expect, it } from 'vitest'
import { availableParallelism } from 'node:os'
import { loadSettings, parseListen } from './settings.ts'

describe('parseListen', () => {
  it('reads the ssl and http2 flags', () => {
    expect(parseListen('0.0.0.0:8000, 0.0.0.0:8443 http2 ssl, 127.0.0.1:9080 http2')).toEqual([
      { host: '0.0.0.0', port: 8000, ssl: false, http2: false },
      { host: '0.0.0.0', port: 8443, ssl: true, http2: true },
      { host: '127.0.0.1', port: 9080, ssl: false, http2: true },
    ])
  })
  it("defaults to Kong's listeners, HTTP/2 on the TLS one", () => {
    expect(loadSettings({}).proxyListen.map((l) => [l.port, l.ssl, l.http2])).toEqual([
      [8000, false, false],
      [8443, true, true],
    ])
  })
})

describe('KONG_NGINX_WORKER_PROCESSES', () => {
  it('auto (the default) is one worker per core', () => {
    expect(loadSettings({}).workerProcesses).toBe(availableParallelism())
    expect(loadSettings({ KONG_NGINX_WORKER_PROCESSES: 'auto' }).workerProcesses).toBe(availableParallelism())
  })
  it('takes a positive integer', () => {
    expect(loadSettings({ KONG_NGINX_WORKER_PROCESSES: '1' }).workerProcesses).toBe(1)
    expect(loadSettings({ KONG_NGINX_WORKER_PROCESSES: '4' }).workerProcesses).toBe(4)
  })
  it('rejects anything else', () => {
    expect(() => loadSettings({ KONG_NGINX_WORKER_PROCESSES: '0' })).toThrow(/KONG_NGINX_WORKER_PROCESSES: expected 'auto' or a positive integer/)
    expect(() => loadSettings({ KONG_NGINX_WORKER_PROCESSES: 'many' })).toThrow(/KONG_NGINX_WORKER_PROCESSES/)
  })
})
