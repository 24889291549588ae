// The admin API client: base URL from the GUI listener's /config.json, the token from the login form.
export interface ApiError extends Error {
  status: number
  body: any
}

let base = ''
const TOKEN_KEY = 'postern.admin-token'

export async function configure(): Promise<void> {
  const cfg = await (await fetch('./config.json')).json()
  base = cfg.admin_api_url ?? `${location.protocol}//${location.hostname}:${cfg.admin_port}`
}

export const adminUrl = () => base
export const getToken = () => sessionStorage.getItem(TOKEN_KEY)
export const setToken = (t: string | null) => (t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY))

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  const token = getToken()
  if (token) headers['Kong-Admin-Token'] = token
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  const parsed = text ? JSON.parse(text) : null
  if (!res.ok) {
    const err = new Error(parsed?.message ?? `HTTP ${res.status}`) as ApiError
    err.status = res.status
    err.body = parsed
    throw err
  }
  return parsed as T
}

/** Every row of a collection (follows `next`). */
export async function listAll(path: string): Promise<any[]> {
  const out: any[] = []
  let next: string | null = `${path}${path.includes('?') ? '&' : '?'}size=1000`
  while (next) {
    const page: { data: any[]; next: string | null } = await api('GET', next)
    out.push(...page.data)
    next = page.next
  }
  return out
}
