// Entities for tests, always created through the admin API (never by writing the database).
import { expect } from 'vitest'
import type { AdminClient } from './admin-client.ts'

async function created(p: Promise<{ status: number; body: any; text: string }>) {
  const r = await p
  if (r.status !== 201 && r.status !== 200) throw new Error(`create failed: ${r.status} ${r.text}`)
  expect([200, 201]).toContain(r.status)
  return r.body
}

export function blueprints(admin: AdminClient) {
  return {
    service: (body: Record<string, unknown>) => created(admin.post('/services', body)),
    route: (body: Record<string, unknown>) => created(admin.post('/routes', body)),
    consumer: (body: Record<string, unknown>) => created(admin.post('/consumers', body)),
    plugin: (body: Record<string, unknown>) => created(admin.post('/plugins', body)),
    keyAuth: (consumer: string, body: Record<string, unknown> = {}) => created(admin.post(`/consumers/${consumer}/key-auth`, body)),
    /** A service pointing at `upstreamUrl` with one route on `paths`; returns both. */
    async serviceWithRoute(upstreamUrl: string, route: Record<string, unknown>, service: Record<string, unknown> = {}) {
      const s = await created(admin.post('/services', { url: upstreamUrl, ...service }))
      const r = await created(admin.post(`/services/${s.id}/routes`, route))
      return { service: s, route: r }
    },
  }
}
