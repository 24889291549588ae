// Postern Manager: hash routes over the admin API, a token login when the admin asks for one, live status.
import './style.css'
import { api, configure, getToken, setToken, type ApiError } from './api.ts'
import { h, mount } from './dom.ts'
import { audit, dashboard, detail, formPage, list } from './pages.ts'
import { KINDS, discover, kindOf } from './resources.ts'

const main = () => document.getElementById('main')!

function login(message?: string): void {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true })
  mount(main(), h('h1', {}, 'Sign in'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('form', { onsubmit: async (ev: Event) => {
      ev.preventDefault()
      setToken(input.value)
      await start()
    } }, h('label', { for: 'token' }, 'Admin token'), input, ' ', h('button', { type: 'submit' }, 'Sign in')))
  input.focus()
}

async function route(): Promise<void> {
  const [hashPath, q] = location.hash.replace(/^#/, '').split('?')
  const parts = hashPath.split('/').filter(Boolean)
  const query = new URLSearchParams(q)
  try {
    if (!parts.length) await dashboard()
    else if (parts[0] === 'audit') await audit()
    else if (!kindOf(parts[0])) mount(main(), h('h1', {}, 'Not found'))
    else if (parts.length === 1) await list(parts[0], query)
    else if (parts[1] === 'new') await formPage(parts[0])
    else if (parts.length === 2) await detail(parts[0], parts[1])
    else if (parts[2] === 'edit') await formPage(parts[0], { id: parts[1] })
    else if (parts[3] === 'new') {
      const child = kindOf(parts[0])!.children!.find((c) => c[0] === parts[2])!
      await formPage(parts[0], { parent: { path: parts[0], id: parts[1], seg: child[0], schema: child[1] } })
    }
    main().focus()
  } catch (err) {
    const e = err as ApiError
    if (e.status === 401) return login(getToken() ? 'That token was refused.' : undefined)
    mount(main(), h('h1', {}, 'Error'), h('p', { class: 'error', role: 'alert' }, e.message))
  }
}

let poller: number | undefined
/** The configuration version and the proxies' applied versions, refreshed every two seconds. */
function live(): void {
  const el = document.getElementById('live')!
  clearInterval(poller)
  const tick = async () => {
    try {
      const s = await api('GET', '/status')
      const proxies = (s.data_planes ?? []) as any[]
      el.textContent = `config v${s.configuration_version} · ${proxies.length} prox${proxies.length === 1 ? 'y' : 'ies'}`
      if (location.hash === '' || location.hash === '#/') {
        const v = document.querySelector('[data-testid="config-version"]')
        if (v && v.textContent !== String(s.configuration_version)) await dashboard()
      }
    } catch {
      el.textContent = ''
    }
  }
  void tick()
  poller = window.setInterval(tick, 2000)
}

async function start(): Promise<void> {
  try {
    await discover()
    await api('GET', '/status')
  } catch (err) {
    if ((err as ApiError).status === 401) return login(getToken() ? 'That token was refused.' : undefined)
    throw err
  }
  mount(document.getElementById('nav')!, h('ul', {}, KINDS.map((k) => h('li', {}, h('a', { href: `#/${k.path}` }, k.label))),
    h('li', {}, h('a', { href: '#/audit' }, 'Audit log')),
    getToken() ? h('li', {}, h('button', { type: 'button', onclick: () => { setToken(null); location.reload() } }, 'Sign out')) : null))
  live()
  await route()
}

window.addEventListener('hashchange', () => void route())
await configure()
await start()
