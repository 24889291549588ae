// The entity kinds the GUI manages, shown only when the admin API has them (probed through /schemas).
import { api } from './api.ts'

export interface Kind {
  /** Admin path (`services`) and schema name. */
  path: string
  label: string
  /** The field shown as the entity's name. */
  title: string
  /** Nested kinds listed on the detail page: [admin path segment, schema name, label]. */
  children?: [string, string, string][]
}

/** Consumer credentials Kong may offer; each appears when its nested endpoint exists. */
const CREDENTIALS: [string, string, string][] = [
  ['key-auth', 'keyauth_credentials', 'Key-auth keys'],
  ['jwt', 'jwt_secrets', 'JWT credentials'],
  ['oauth2', 'oauth2_credentials', 'OAuth2 applications'],
  ['basic-auth', 'basicauth_credentials', 'Basic-auth credentials'],
  ['hmac-auth', 'hmacauth_credentials', 'HMAC credentials'],
  ['acls', 'acls', 'ACL groups'],
]

const ALL: Kind[] = [
  { path: 'services', label: 'Services', title: 'name', children: [['routes', 'routes', 'Routes'], ['plugins', 'plugins', 'Plugins']] },
  { path: 'routes', label: 'Routes', title: 'name', children: [['plugins', 'plugins', 'Plugins']] },
  { path: 'consumers', label: 'Consumers', title: 'username', children: [...CREDENTIALS, ['plugins', 'plugins', 'Plugins']] },
  { path: 'plugins', label: 'Plugins', title: 'name' },
  { path: 'upstreams', label: 'Upstreams', title: 'name', children: [['targets', 'targets', 'Targets']] },
  { path: 'certificates', label: 'Certificates', title: 'id', children: [['snis', 'snis', 'SNIs']] },
  { path: 'ca_certificates', label: 'CA certificates', title: 'id' },
  { path: 'admins', label: 'Admins', title: 'username' },
]

export let KINDS: Kind[] = []
const existing = new Set<string>()

/** Keep the kinds (and nested kinds) whose schema the admin serves. */
export async function discover(): Promise<void> {
  const names = new Set([...ALL.map((k) => k.path), ...ALL.flatMap((k) => k.children ?? []).map((c) => c[1])])
  await Promise.all([...names].map((n) => api('GET', `/schemas/${n}`).then(() => existing.add(n), () => undefined)))
  KINDS = ALL.filter((k) => existing.has(k.path)).map((k) => ({ ...k, children: k.children?.filter((c) => existing.has(c[1])) }))
}

export const kindOf = (path: string) => KINDS.find((k) => k.path === path)
export const titleOf = (k: Kind | undefined, e: any) => (k && e[k.title]) || e.name || e.username || e.key || e.id
