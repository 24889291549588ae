// Kong's certificates endpoints over the generated ones: the transient `snis` list on writes and reads,
// and `/certificates/{sni name}` resolving through the SNI (kong/api/routes/certificates.lua, dao/certificates.lua).
import type { Context } from 'hono'
import { HttpError, isUuid, newId, schemaViolation, type Entity } from '@postern/shared'
import { checkWildcardHost } from '@postern/shared/entities/certificates.ts'
import type { EndpointTable, Handler } from './generic.ts'
import { VERSION_HEADER, assertWritable, notFound, patchNotFound, readEntityBody, written, type AdminDeps } from './context.ts'
import { listEntities } from './listing.ts'

/** Validate and sort a `snis` input: Kong's parse_name_list plus the array's wildcard_host check. */
function parseNames(input: unknown): string[] | undefined {
  if (input === undefined) return undefined
  if (input === null) return []
  const list = Array.isArray(input) ? input : [input]
  const errors: Record<string, string> = {}
  list.forEach((n, i) => {
    const msg = typeof n !== 'string' ? 'expected a string' : checkWildcardHost(n)
    if (msg) errors[String(i + 1)] = msg
  })
  if (Object.keys(errors).length) throw schemaViolation({ snis: errors })
  const seen = new Set<string>()
  for (const n of list as string[]) {
    if (seen.has(n)) throw schemaViolation({ snis: `${n} is duplicated` })
    seen.add(n)
  }
  return [...seen].sort()
}

export function overrideCertificates(table: EndpointTable, deps: AdminDeps): void {
  const { store, catalogue } = deps
  const certDef = catalogue.entity('certificates')
  const sniDef = catalogue.entity('snis')
  if (!certDef || !sniDef) return

  const namesOf = async (certId: string) => (await store.findAll(sniDef, { certificate: { id: certId } })).map((s) => s.name as string).sort()
  const withNames = async (cert: Entity): Promise<Entity> => ({ ...cert, snis: await namesOf(cert.id) })

  /** Kong's prepare_params: a non-UUID key is an SNI name whose certificate is meant. */
  const resolve = async (c: Context): Promise<{ id: string; name?: string; cert?: Entity }> => {
    const key = c.req.param('key')!
    const cert = await store.lookup(certDef, key)
    if (isUuid(key)) return { id: key.toLowerCase(), cert }
    if (cert) return { id: cert.id, name: key, cert }
    if (c.req.method !== 'PUT') throw new HttpError(404, 'SNI not found')
    return { id: newId(), name: key }
  }

  /** Split the body into the certificate and its names (PUT by name always keeps that name). */
  const readBody = async (c: Context, name?: string) => {
    const body = await readEntityBody(c, deps, certDef)
    let names = parseNames(body.snis)
    delete body.snis
    if (c.req.method === 'PUT') {
      names ??= []
      if (name && !names.includes(name)) names = [...names, name].sort()
    }
    return { body, names }
  }

  /** Kong's check_list_is_new, then update_list: names owned by another certificate are refused. */
  const syncNames = async (cert: Entity, names: string[] | undefined) => {
    if (!names) return
    for (const n of names) {
      const owner = await store.findBy(sniDef, 'name', n)
      if (owner && owner.certificate.id !== cert.id) throw schemaViolation({ snis: `${n} already associated with existing certificate '${owner.certificate.id}'` })
    }
    const current = await store.findAll(sniDef, { certificate: { id: cert.id } })
    for (const s of current) if (!names.includes(s.name)) await store.remove(sniDef, s)
    for (const n of names) if (!current.some((s) => s.name === n)) await store.create(sniDef, { name: n, certificate: { id: cert.id } })
  }

  const respond = async (c: Context, version: number, cert: Entity, status: 200 | 201 = 200) => written(c, version, await withNames(cert), status)

  const post: Handler = async (c) => {
    assertWritable(deps, certDef, 'create')
    const { body, names } = await readBody(c)
    const { result, version } = await store.write(async () => {
      const cert = await store.create(certDef, body)
      await syncNames(cert, names)
      return cert
    })
    return respond(c, version, result, 201)
  }

  const put: Handler = async (c) => {
    const { id, name, cert } = await resolve(c)
    assertWritable(deps, certDef, 'upsert')
    const { body, names } = await readBody(c, name)
    const { result, version } = await store.write(async () => {
      const saved = await store.upsert(certDef, cert, { id }, body)
      await syncNames(saved, names)
      return saved
    })
    return respond(c, version, result)
  }

  const patch: Handler = async (c) => {
    const key = c.req.param('key')!
    const { cert } = await resolve(c)
    if (!cert) throw patchNotFound(certDef, key)
    assertWritable(deps, certDef, 'update')
    const { body, names } = await readBody(c)
    const { result, version } = await store.write(async () => {
      const saved = await store.update(certDef, cert, body)
      await syncNames(saved, names)
      return saved
    })
    return respond(c, version, result)
  }

  const remove: Handler = async (c) => {
    const key = c.req.param('key')!
    const cert = await store.lookup(certDef, key)
    if (!cert) {
      c.header(VERSION_HEADER, String((await store.events.head()).version))
      return c.body(null, 204)
    }
    assertWritable(deps, certDef, 'remove')
    const { version } = await store.write(() => store.remove(certDef, cert))
    c.header(VERSION_HEADER, String(version))
    return c.body(null, 204)
  }

  const base = `/${certDef.adminPath}`
  table.set(base, { ...table.get(base), get: (c) => listEntities(c, deps, certDef, {}, undefined, withNames), post })
  table.set(`${base}/:key`, {
    ...table.get(`${base}/:key`),
    get: async (c) => {
      const { cert } = await resolve(c)
      if (!cert) throw notFound()
      return c.json(await withNames(cert))
    },
    put,
    patch,
    delete: remove,
  })
  // Kong disables /snis/{sni}/certificate (use /certificates/{sni}): every method answers 405
  table.set(`/${sniDef.adminPath}/:key/certificate`, {})
  // /certificates/{sni}/snis: the nested list under a certificate named by one of its SNIs
  const nested = `${base}/:parent/${sniDef.nestedPath ?? sniDef.adminPath}`
  const original = table.get(nested)
  if (original) {
    const byName = (h: Handler | undefined): Handler | undefined =>
      h &&
      (async (c) => {
        const parent = c.req.param('parent')!
        if (!isUuid(parent) && !(await store.findBy(sniDef, 'name', parent))) throw new HttpError(404, 'SNI not found')
        return h(c)
      })
    table.set(nested, { get: byName(original.get), post: byName(original.post) })
  }
}
