// The pages: dashboard (config version and proxies), lists with search, detail with children, forms.
import { api, listAll, type ApiError } from './api.ts'
import { h, mount, uid } from './dom.ts'
import { buildForm, schemaOf } from './form.ts'
import { KINDS, kindOf, titleOf } from './resources.ts'

const main = () => document.getElementById('main')!
const go = (hash: string) => (location.hash = hash)
const title = (text: string) => {
  document.title = `${text} · Postern Manager`
  return h('h1', {}, text)
}

export async function dashboard(): Promise<void> {
  const [root, status] = await Promise.all([api('GET', '/'), api('GET', '/status')])
  const proxies = (status.data_planes ?? []) as any[]
  mount(main(), title('Overview'),
    h('dl', { class: 'stats' },
      h('dt', {}, 'Configuration version'), h('dd', { 'data-testid': 'config-version' }, String(status.configuration_version)),
      h('dt', {}, 'Kong compatibility'), h('dd', {}, root.version),
      h('dt', {}, 'Database'), h('dd', {}, root.configuration.database)),
    h('h2', {}, 'Connected proxies'),
    proxies.length
      ? table(['Node', 'Address', 'Applied version', 'Up to date'], proxies.map((p) => [p.id ?? p.node_id ?? '', p.ip ?? p.address ?? p.hostname ?? '', String(p.config_version ?? p.version ?? ''), (p.config_version ?? p.version) === status.configuration_version ? 'yes' : 'no']), 'proxies')
      : h('p', {}, 'No proxy is connected.'),
    h('h2', {}, 'Entities'),
    h('ul', { class: 'tiles' }, KINDS.map((k) => h('li', {}, h('a', { href: `#/${k.path}` }, k.label)))))
}

function table(head: string[], rows: (string | Node)[][], testid?: string): HTMLElement {
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': testid },
    h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))))
}

export async function list(path: string, query: URLSearchParams): Promise<void> {
  const kind = kindOf(path)!
  const name = query.get('name') ?? ''
  const tags = query.get('tags') ?? ''
  const rows = (await listAll(`/${path}${tags ? `?tags=${encodeURIComponent(tags)}` : ''}`)).filter((e) => !name || String(titleOf(kind, e)).toLowerCase().includes(name.toLowerCase()))
  const nameId = uid('search-name')
  const tagId = uid('search-tags')
  const search = h('form', { class: 'search', role: 'search', onsubmit: (ev: Event) => {
    ev.preventDefault()
    const p = new URLSearchParams()
    const n = (document.getElementById(nameId) as HTMLInputElement).value
    const t = (document.getElementById(tagId) as HTMLInputElement).value
    if (n) p.set('name', n)
    if (t) p.set('tags', t)
    go(`#/${path}${p.size ? `?${p}` : ''}`)
  } },
  h('label', { for: nameId }, 'Name'), h('input', { id: nameId, type: 'search', value: name }),
  h('label', { for: tagId }, 'Tags'), h('input', { id: tagId, type: 'search', value: tags, placeholder: 'a,b (all) or a/b (any)' }),
  h('button', { type: 'submit' }, 'Search'))
  mount(main(), title(kind.label),
    h('p', {}, h('a', { class: 'button', href: `#/${path}/new` }, `New ${kind.label.toLowerCase().replace(/s$/, '')}`)),
    search,
    rows.length
      ? table(['Name', 'Tags', 'Created'], rows.map((e) => [h('a', { href: `#/${path}/${e.id}` }, String(titleOf(kind, e))), (e.tags ?? []).join(', '), new Date(e.created_at * 1000).toLocaleString()]), `${path}-list`)
      : h('p', {}, 'Nothing here yet.'))
}

export async function detail(path: string, id: string): Promise<void> {
  const kind = kindOf(path)!
  const e = await api('GET', `/${path}/${id}`)
  const sections = await Promise.all((kind.children ?? []).map(async ([seg, , label]) => {
    const rows = await listAll(`/${path}/${id}/${seg}`).catch(() => null)
    if (!rows) return null
    const childPath = seg === 'key-auth' ? 'key-auths' : seg === 'jwt' ? 'jwts' : seg
    return h('section', { 'aria-label': label },
      h('h2', {}, label),
      h('p', {}, h('a', { class: 'button', href: `#/${path}/${id}/${seg}/new` }, `Add to ${label.toLowerCase()}`)),
      rows.length ? table(['Name or key', 'Created', ''], rows.map((r) => [
        kindOf(childPath) ? h('a', { href: `#/${childPath}/${r.id}` }, String(titleOf(kindOf(childPath), r))) : String(r.name ?? r.key ?? r.username ?? r.id),
        new Date(r.created_at * 1000).toLocaleString(),
        h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${r.key ?? r.name ?? r.id}`, onclick: async () => {
          if (!confirm('Delete this entry?')) return
          await api('DELETE', `/${path}/${id}/${seg}/${r.id}`)
          await detail(path, id)
        } }, 'Delete'),
      ]), `${seg}-list`) : h('p', {}, 'None.'))
  }))
  mount(main(), title(`${kind.label.replace(/s$/, '')}: ${titleOf(kind, e)}`),
    h('p', { class: 'actions' },
      h('a', { class: 'button', href: `#/${path}/${id}/edit` }, 'Edit'),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete ${titleOf(kind, e)}?`)) return
        await api('DELETE', `/${path}/${id}`)
        go(`#/${path}`)
      } }, 'Delete')),
    h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Entity as JSON' }, JSON.stringify(e, null, 2)),
    sections)
}

/** Create or edit; `parent` nests the new entity (`/consumers/{c}/jwt`). Plugins ask for a name first. */
export async function formPage(path: string, opts: { id?: string; parent?: { path: string; id: string; seg: string; schema: string } } = {}): Promise<void> {
  const schemaName = opts.parent?.schema ?? path
  const existing = opts.id ? await api('GET', `/${path}/${opts.id}`) : undefined
  const pluginName = schemaName === 'plugins' ? existing?.name ?? new URLSearchParams(location.hash.split('?')[1]).get('name') : undefined
  if (schemaName === 'plugins' && !pluginName) return choosePlugin(path, opts)
  const fields = await schemaOf(pluginName ? `/schemas/plugins/${pluginName}` : `/schemas/${schemaName}`)
  const fixed = opts.parent ? [opts.parent.path === 'consumers' ? 'consumer' : opts.parent.path.replace(/s$/, '')] : []
  if (pluginName) fixed.push('name')
  const form = buildForm(fields, existing ?? {}, fixed)
  const label = opts.parent ? opts.parent.seg : (kindOf(path)?.label ?? path).replace(/s$/, '').toLowerCase()
  const status = h('p', { role: 'status' })
  const el = h('form', { novalidate: true, onsubmit: async (ev: Event) => {
    ev.preventDefault()
    const body = form.read()
    if (pluginName) body.name = pluginName
    const url = opts.parent ? `/${opts.parent.path}/${opts.parent.id}/${opts.parent.seg}` : existing ? `/${path}/${existing.id}` : `/${path}`
    try {
      const saved = await api(existing ? 'PATCH' : 'POST', url, body)
      status.textContent = 'Saved.'
      // an admin token is shown once, in this response only: keep it on screen until it is copied
      if (path === 'admins' && typeof saved.token === 'string') return showOnce(saved)
      if (opts.parent) go(`#/${opts.parent.path}/${opts.parent.id}`)
      else go(`#/${path}/${saved.id}`)
    } catch (err) {
      const e = err as ApiError
      form.showErrors(e.body?.fields, e.body?.message ?? e.message)
    }
  } }, form.element, h('p', {}, h('button', { type: 'submit' }, existing ? 'Save' : 'Create'), ' ', h('a', { href: 'javascript:history.back()' }, 'Cancel')), status)
  mount(main(), title(`${existing ? 'Edit' : 'New'} ${label}${pluginName ? ` (${pluginName})` : ''}`), el)
}

/** The audit log (admins only): newest page first, Kong's pagination followed with a "More" button. */
export async function audit(offset?: string): Promise<void> {
  const page = await api('GET', `/audit/requests?size=100${offset ? `&offset=${encodeURIComponent(offset)}` : ''}`)
  mount(main(), title('Audit log'),
    page.data.length
      ? table(['When', 'Who', 'Request', 'Status', 'Entity'], page.data.map((r: any) => [
          new Date(r.request_timestamp * 1000).toLocaleString(), r.rbac_user_name ?? '—', `${r.method} ${r.path}`, String(r.status),
          r.entity ? `${r.entity} ${r.entity_id}` : '—',
        ]), 'audit-list')
      : h('p', {}, 'No writes recorded.'),
    page.offset ? h('p', {}, h('button', { type: 'button', onclick: () => audit(page.offset) }, 'More')) : null)
}

function showOnce(saved: any): void {
  mount(main(), title(`Admin: ${saved.username}`),
    h('p', { role: 'alert' }, 'Copy this token now: it is stored hashed and will not be shown again.'),
    h('p', {}, h('code', { 'data-testid': 'revealed-token', tabindex: '0' }, saved.token)),
    h('p', {}, h('a', { class: 'button', href: `#/admins/${saved.id}` }, 'Done')))
}

async function choosePlugin(path: string, opts: Parameters<typeof formPage>[1]): Promise<void> {
  const { enabled_plugins } = await api('GET', '/plugins/enabled')
  const id = uid('plugin-name')
  const back = location.hash.split('?')[0]
  mount(main(), title('New plugin'),
    h('form', { onsubmit: (ev: Event) => {
      ev.preventDefault()
      go(`${back}?name=${(document.getElementById(id) as HTMLSelectElement).value}`)
    } }, h('label', { for: id }, 'Plugin'), h('select', { id }, (enabled_plugins as string[]).sort().map((p) => h('option', { value: p }, p))), ' ', h('button', { type: 'submit' }, 'Next')))
  void path
  void opts
}
