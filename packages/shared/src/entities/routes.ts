// Route entity (Kong's routes.lua + routes_subschemas.lua): how requests find a service.
import { z } from 'zod'
import { defineEntity } from '../entity.ts'
import { t, type Field } from '../typedefs.ts'
import { PROTOCOLS } from './services.ts'
import { checkRouteHost, checkRoutePath, checkRouteProtocols, headersZod, routeSubschemaDefaults, streamEndpoints } from './route-checks.ts'

const str = (check?: (s: string) => string | null): Field => t.string({ required: true, check })

export { checkRoutePath, checkRouteHost }

export const routes = defineEntity({
  name: 'routes',
  endpointKey: 'name',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    name: t.name(),
    protocols: t.set(t.string({ oneOf: PROTOCOLS, required: true }), { default: ['http', 'https'], required: true, min: 1 }),
    methods: t.set(str((m) => (/^[A-Z]+$/.test(m) ? null : `invalid value: ${m}`))),
    hosts: t.array(str(checkRouteHost)),
    paths: t.array(str(checkRoutePath)),
    headers: { ...t.map(z.string(), t.array(str())), zod: headersZod } as Field,
    snis: t.set(str()),
    sources: streamEndpoints(),
    destinations: streamEndpoints(),
    https_redirect_status_code: t.integer({ oneOf: [426, 301, 302, 307, 308], default: 426, required: true }),
    regex_priority: t.integer({ default: 0 }),
    strip_path: t.boolean({ default: true, required: true }),
    path_handling: t.string({ oneOf: ['v0', 'v1'], default: 'v0' }),
    preserve_host: t.boolean({ default: false, required: true }),
    request_buffering: t.boolean({ default: true, required: true }),
    response_buffering: t.boolean({ default: true, required: true }),
    tags: t.tags(),
    service: t.foreign('services', { onDelete: 'restrict' }),
  },
  prepare: routeSubschemaDefaults,
  checks: [checkRouteProtocols],
})
