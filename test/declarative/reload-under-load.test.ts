// POST /config under load: clients keep calling the proxy while the whole configuration is replaced again and
// again; every request succeeds, and each answer comes from one configuration or the next, never a mix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { removeConfigs, startDbless, writeConfig, type Dbless } from './support.ts'

const EXAMPLE_PLUGIN = './examples/postern-plugin-header-echo'
const GENERATIONS = 6
const CLIENTS = 8

let d: Dbless
let up: EchoUpstream

/** Generation `g`: the same route on a freshly declared service, echoing `x-client` under a new prefix. */
const config = (g: number) => `_format_version: "3.0"
services:
- name: echo-${g % 2}
  url: ${up.url}/gen-${g}
  routes:
  - name: load
    paths: [/load]
    plugins:
    - name: header-echo
      config:
        headers: [x-client]
        prefix: X-Gen-${g}-
  - name: extra-${g}
    paths: [/extra-${g}]
`

beforeAll(async () => {
  up = await startEchoUpstream()
  d = await startDbless({ file: writeConfig(config(0)), plugins: `bundled,${EXAMPLE_PLUGIN}` })
})
afterAll(async () => {
  await d?.stop()
  await up?.close()
  removeConfigs()
})

describe('POST /config under load', () => {
  it('replaces the configuration with no failed request', async () => {
    const failures: string[] = []
    const seen = new Set<number>()
    let requests = 0
    let running = true
    const client = async (id: number) => {
      while (running) {
        try {
          const res = await fetch(`${d.proxy}/load/ping`, { headers: { 'x-client': String(id) } })
          const body = (await res.json()) as { path: string }
          const gen = Number(/\/gen-(\d+)\//.exec(body.path)?.[1])
          // the upstream path and the plugin's prefix must name the same generation
          if (res.status !== 200 || res.headers.get(`x-gen-${gen}-x-client`) !== String(id)) failures.push(`${res.status} ${body.path}`)
          seen.add(gen)
        } catch (e) {
          failures.push(String(e))
        }
        requests++
      }
    }
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i))
    for (let g = 1; g <= GENERATIONS; g++) {
      await new Promise((r) => setTimeout(r, 150))
      const res = await d.load(config(g))
      expect(res.status).toBe(201)
      // the proxy has applied generation g: its new route answers, the previous generation's is gone
      expect((await fetch(`${d.proxy}/extra-${g}/x`)).status).toBe(200)
      expect((await fetch(`${d.proxy}/extra-${g - 1}/x`)).status).toBe(404)
    }
    await new Promise((r) => setTimeout(r, 150))
    running = false
    await Promise.all(clients)
    expect(failures).toEqual([])
    expect(requests).toBeGreaterThan(GENERATIONS * CLIENTS)
    expect(seen.size).toBeGreaterThan(2)
    expect(seen.has(GENERATIONS)).toBe(true)
  })
})

describe('POST /config diffing', () => {
  it('sends proxies events only for what changed', async () => {
    const first = await d.load(config(100))
    expect(first.status).toBe(201)
    const same = await d.load(config(100))
    expect(same.status).toBe(201)
    expect(same.version).toBe(first.version) // identical configuration: no change event at all
    const next = await d.load(config(102)) // same service name, new url, plugin prefix and extra route
    expect(next.version - same.version).toBeGreaterThan(0)
    expect(next.version - same.version).toBeLessThanOrEqual(4)
  })
})
