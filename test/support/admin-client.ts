// A small admin API client for tests: JSON, form and multipart bodies, and the config version header.
export interface AdminResponse<T = any> {
  status: number
  headers: Headers
  body: T
  text: string
  /** X-Postern-Config-Version of a write, or NaN. */
  version: number
}

export class AdminClient {
  constructor(readonly url: string) {}

  async request<T = any>(method: string, path: string, init: { json?: unknown; form?: Record<string, string | string[]> | [string, string][]; multipart?: FormData; headers?: Record<string, string>; raw?: string | Buffer } = {}): Promise<AdminResponse<T>> {
    const headers: Record<string, string> = { ...init.headers }
    let body: BodyInit | undefined
    if (init.json !== undefined) {
      headers['content-type'] ??= 'application/json'
      body = JSON.stringify(init.json)
    } else if (init.form) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded'
      const p = new URLSearchParams()
      const entries = Array.isArray(init.form) ? init.form : Object.entries(init.form)
      for (const [k, v] of entries) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x)
      body = p.toString()
    } else if (init.multipart) body = init.multipart
    else if (init.raw !== undefined) body = init.raw as BodyInit
    const res = await fetch(this.url + path, { method, headers, body })
    const text = await res.text()
    let parsed: any = undefined
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: res.status, headers: res.headers, body: parsed, text, version: Number(res.headers.get('x-postern-config-version')) }
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path)
  }
  post<T = any>(path: string, json?: unknown) {
    return this.request<T>('POST', path, { json })
  }
  postForm<T = any>(path: string, form: Record<string, string | string[]> | [string, string][]) {
    return this.request<T>('POST', path, { form })
  }
  put<T = any>(path: string, json?: unknown) {
    return this.request<T>('PUT', path, { json })
  }
  patch<T = any>(path: string, json?: unknown) {
    return this.request<T>('PATCH', path, { json })
  }
  delete(path: string) {
    return this.request('DELETE', path)
  }
}
