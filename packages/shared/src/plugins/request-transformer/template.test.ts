// Unit tests of the template language: Kong's documented forms render, anything else is refused at compile.
import { describe, expect, it } from 'vitest'
import { compileTemplate, type TemplateEnv } from './template.ts'
import { schema } from './schema.ts'

const env: TemplateEnv = {
  header: (n) => ({ 'x-a': 'A', 'x-multi': ['1', '2'] } as Record<string, string | string[]>)[n],
  query: (n) => ({ q: 'Q' } as Record<string, string>)[n],
  capture: (n) => ({ '0': '/users/7', '1': '7', id: '7' } as Record<string, string>)[n],
  shared: (n) => ({ v: '1.2.3' } as Record<string, unknown>)[n],
}
const render = (s: string) => compileTemplate(s).render(env)

describe('request-transformer templates', () => {
  it('renders the documented forms', () => {
    expect(render('$(headers["x-a"])-$(query_params.q)-$(query_params["q"])')).toBe('A-Q-Q')
    expect(render('/u/$(uri_captures.id)/$(uri_captures[1])$(uri_captures[0])')).toBe('/u/7/7/users/7')
    expect(render('v=$(shared.v)')).toBe('v=1.2.3')
  })

  it('renders a missing value as empty, and `or` gives a default', () => {
    expect(render('[$(headers.none)]')).toBe('[]')
    expect(render(`$(uri_captures.none or query_params.none or 'dflt')`)).toBe('dflt')
    expect(render(`$(headers.none and 'x' or "y")`)).toBe('y')
  })

  it('escapes a template by quoting it inside another', () => {
    expect(render(`$('$(uri_captures.user1)')`)).toBe('$(uri_captures.user1)')
  })

  it('joins a multi-value header', () => {
    expect(render('$(headers["x-multi"])')).toBe('1, 2')
  })

  it('leaves text without templates, and an unclosed $( , as it is', () => {
    expect(compileTemplate('plain').literal).toBe(true)
    expect(render('a $(b')).toBe('a $(b')
  })

  it('refuses anything that would need code: calls, operators, other globals, assignment', () => {
    for (const bad of ['$(ERROR())', '$(10 * uri_captures.user1)', '$(os.getenv("HOME"))', '$(shared.written = true)', '$(type(headers.a))', '$(headers.a .. "x")'])
      expect(() => compileTemplate(bad), bad).toThrow()
  })

  it('makes a bad template a schema violation with Kong-like wording', () => {
    const r = schema.safeParse({ add: { querystring: ['q:$(ERROR())'] } })
    expect(r.success).toBe(false)
    expect(r.error!.issues[0].message).toMatch(/^value '\$\(ERROR\(\)\)' is not in supported format, error:/)
    expect(schema.safeParse({ add: { body: ['novalue'] } }).error!.issues[0].message).toBe("key 'novalue' has no value")
    expect(schema.safeParse({ http_method: 'get' }).success).toBe(false)
  })
})
