// Admin durability: stop the admin process (SIGTERM, then SIGKILL) and start a new one on the same prefix;
// every acknowledged write is still there and the config version carries on from where it was.
import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { AdminClient } from './support/admin-client.ts'
import { dumpAll } from './support/admin-suite.ts'
import { startAdmin, tempPrefix, type AdminProc } from './support/processes.ts'
import { testStore } from './support/pg.ts'

const prefix = tempPrefix('admin-restart')
let proc: AdminProc | undefined
// this run's store (SQLite in the prefix, or a fresh Postgres database), kept across restarts
const store = await testStore()

afterAll(async () => {
  await proc?.stop()
  rmSync(prefix, { recursive: true, force: true })
  await store.drop()
})

async function restart(how: 'stop' | 'kill'): Promise<AdminClient> {
  if (proc) await proc[how]()
  proc = await startAdmin({ prefix, env: store.env })
  return new AdminClient(proc.url)
}

/** A mix of every kind of write; returns the highest acknowledged version. */
async function writeEverything(admin: AdminClient, tag: string): Promise<number> {
  const versions: number[] = []
  const ok = async (p: Promise<{ status: number; version: number; text: string }>) => {
    const r = await p
    expect([200, 201, 204], r.text).toContain(r.status)
    versions.push(r.version)
    return r as any
  }
  const s = (await ok(admin.post('/services', { name: `${tag}-svc`, url: 'http://up.test:8080/base', tags: [tag] }))).body
  await ok(admin.post(`/services/${s.id}/routes`, { name: `${tag}-route`, paths: [`/${tag}`], methods: ['GET'] }))
  await ok(admin.patch(`/services/${s.id}`, { retries: 2 }))
  await ok(admin.put(`/services/${tag}-put`, { host: 'put.test' }))
  await ok(admin.post('/consumers', { username: `${tag}-user`, custom_id: `${tag}-cid` }))
  await ok(admin.post(`/consumers/${tag}-user/key-auth`, { key: `${tag}-key` }))
  await ok(admin.post(`/routes/${tag}-route/plugins`, { name: 'key-auth', config: { key_names: ['k'] } }))
  const gone = (await ok(admin.post('/consumers', { username: `${tag}-gone` }))).body
  await ok(admin.delete(`/consumers/${gone.id}`))
  // concurrent writes: every one that was acknowledged must survive
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => admin.post('/consumers', { username: `${tag}-burst-${i}` })))
  for (const r of burst) {
    expect(r.status).toBe(201)
    versions.push(r.version)
  }
  expect(new Set(versions).size).toBe(versions.length)
  return Math.max(...versions)
}

describe('admin restart', () => {
  it('finds every acknowledged write after a clean stop and a restart on the same prefix', async () => {
    let admin = await restart('stop')
    const last = await writeEverything(admin, 'clean')
    const before = await dumpAll(admin)
    expect(before.version).toBe(last)
    admin = await restart('stop')
    const after = await dumpAll(admin)
    expect(after).toEqual(before)
    expect((await admin.get('/services/clean-svc')).body).toMatchObject({ retries: 2, host: 'up.test', port: 8080, path: '/base' })
    expect((await admin.get('/key-auths/clean-key/consumer')).body.username).toBe('clean-user')
    expect((await admin.get('/consumers/clean-gone')).status).toBe(404)
    const next = await admin.post('/consumers', { username: 'after-restart' })
    expect(next.version).toBe(last + 1)
  })

  it('finds every acknowledged write after the process is killed', async () => {
    let admin = new AdminClient(proc!.url)
    await writeEverything(admin, 'crash')
    const before = await dumpAll(admin)
    admin = await restart('kill')
    expect(await dumpAll(admin)).toEqual(before)
  })
})
