// The admin bad-input corpus: requests a client may send by mistake or malice. Each must get a 4xx with a
// Kong-shaped JSON body and change nothing. `status` is the expected answer; `code` the Kong code if any.
// Paths refer to the baseline that admin-corpus.test.ts creates first (see CORPUS_BASELINE); `$SERVICE_ID`
// in a path or body is replaced by that baseline service's id.

export interface BadRequest {
  name: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  headers?: Record<string, string>
  body?: string | Buffer | (() => Buffer)
  status: number
  code?: number
}

export const UNKNOWN_UUID = '0b9a5a4e-1c1f-4d3e-9a55-9f3f3b1b2c7d'
const JSON_TYPE = { 'content-type': 'application/json' }
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' }

/** What the corpus requests run against: one of each entity, wired together. */
export const CORPUS_BASELINE = {
  service: { name: 'corpus-svc', host: 'corpus.test' },
  route: { name: 'corpus-route', paths: ['/corpus'] },
  consumer: { username: 'corpus-user' },
  keyAuth: { key: 'corpus-key' },
  plugin: { name: 'key-auth', instance_name: 'corpus-plugin' },
}

// `code: null` means a plain `{"message"}` answer (404, 405, 413, 415, ...)
const json = (name: string, method: BadRequest['method'], path: string, body: unknown, status = 400, code: number | null = 2): BadRequest =>
  ({ name, method, path, headers: JSON_TYPE, body: JSON.stringify(body), status, code: code ?? undefined })
const rawJson = (name: string, method: BadRequest['method'], path: string, body: string): BadRequest =>
  ({ name, method, path, headers: JSON_TYPE, body, status: 400 })
const form = (name: string, method: BadRequest['method'], path: string, body: string, status = 400, code: number | null = 2): BadRequest =>
  ({ name, method, path, headers: FORM_TYPE, body, status, code: code ?? undefined })
const get = (name: string, path: string, code: number): BadRequest => ({ name, method: 'GET', path, status: 400, code })
const typed = (name: string, type: string | undefined, body: string, status = 415, method: BadRequest['method'] = 'POST', path = '/services'): BadRequest =>
  ({ name, method, path, headers: type ? { 'content-type': type } : {}, body, status })
const nest = (depth: number, leaf: string, open: string, close: string) => open.repeat(depth) + leaf + close.repeat(depth)
const big = (size: number) => () => Buffer.concat([Buffer.from('{"host":"big.test","tags":["'), Buffer.alloc(size, 'a'), Buffer.from('"]}')])

export const BAD_REQUESTS: BadRequest[] = [
  // bad JSON
  rawJson('truncated JSON', 'POST', '/services', '{"host":'),
  rawJson('empty JSON body', 'POST', '/services', ''),
  rawJson('JSON array instead of an object', 'POST', '/services', '[{"host":"x.test"}]'),
  rawJson('JSON string instead of an object', 'POST', '/services', '"x.test"'),
  rawJson('JSON number instead of an object', 'POST', '/consumers', '123'),
  rawJson('JSON null', 'POST', '/consumers', 'null'),
  rawJson('trailing garbage after JSON', 'POST', '/services', '{"host":"x.test"} x'),
  rawJson('single quotes', 'PATCH', '/services/corpus-svc', "{'retries': 1}"),
  rawJson('malformed PUT body', 'PUT', '/services/corpus-svc', '{"host":"x.test",}'),
  // wrong types
  json('port as a string', 'POST', '/services', { host: 'x.test', port: '80' }),
  json('host as a number', 'POST', '/services', { host: 123 }),
  json('negative retries', 'POST', '/services', { host: 'x.test', retries: -1 }),
  json('huge retries', 'POST', '/services', { host: 'x.test', retries: 1e10 }),
  json('enabled as a string', 'POST', '/services', { host: 'x.test', enabled: 'yes' }),
  json('tags as a string', 'POST', '/services', { host: 'x.test', tags: 'a' }),
  json('paths as a string', 'POST', '/routes', { paths: '/x' }),
  json('path element as a number', 'POST', '/routes', { paths: [1] }),
  json('username as an array', 'POST', '/consumers', { username: ['a'] }),
  json('created_at as text', 'POST', '/services', { host: 'x.test', created_at: 'yesterday' }),
  json('regex_priority as text', 'POST', '/routes', { paths: ['/x'], regex_priority: 'high' }),
  json('key_names as a string', 'POST', '/plugins', { name: 'key-auth', config: { key_names: 'apikey' } }),
  // unknown fields
  json('unknown service field', 'POST', '/services', { host: 'x.test', foo: 1 }),
  json('unknown consumer field', 'POST', '/consumers', { username: 'x', password: 'y' }),
  json('unknown config field', 'POST', '/plugins', { name: 'key-auth', config: { foo: 'bar' } }),
  json('unknown field on PATCH', 'PATCH', '/services/corpus-svc', { nope: true }),
  form('unknown config field in a form', 'POST', '/plugins', 'name=key-auth&config.foo='),
  // huge bodies
  { name: 'body over 10 MB with Content-Length', method: 'POST', path: '/services', headers: JSON_TYPE, body: big(10 * 1024 * 1024), status: 413 },
  { name: 'body over 10 MB, chunked', method: 'POST', path: '/services', headers: { ...JSON_TYPE, 'transfer-encoding': 'chunked' }, body: big(10 * 1024 * 1024), status: 413 },
  form('more than 1000 form arguments', 'POST', '/services', Array.from({ length: 1001 }, (_, i) => `tags[]=t${i}`).join('&'), 400, null),
  // bad UUIDs
  json('id that is not a UUID', 'POST', '/services', { id: 'not-a-uuid', host: 'x.test' }),
  json('foreign id that is not a UUID', 'POST', '/routes', { paths: ['/x'], service: { id: '123' } }),
  form('foreign id that is not a UUID, in a form', 'POST', '/routes', 'paths=/x&service.id=zzz'),
  json('ca_certificates with a bad UUID', 'POST', '/services', { host: 'x.test', protocol: 'https', ca_certificates: ['x'] }),
  // missing parents
  json('route under a missing service', 'POST', '/services/nope/routes', { paths: ['/x'] }, 404, null),
  json('credential under a missing consumer', 'POST', '/consumers/nobody/key-auth', {}, 404, null),
  json('service id that does not exist', 'POST', '/routes', { paths: ['/x'], service: { id: UNKNOWN_UUID } }, 400, 4),
  json('service name that does not exist', 'POST', '/routes', { paths: ['/x'], service: { name: 'nope' } }, 400, 13),
  json('consumer id that does not exist', 'POST', '/key-auths', { consumer: { id: UNKNOWN_UUID } }, 400, 4),
  json('plugin on a route that does not exist', 'POST', '/plugins', { name: 'key-auth', route: { id: UNKNOWN_UUID } }, 400, 4),
  json('service of a missing route', 'PUT', '/routes/nope/service', { host: 'x.test' }, 404, null),
  json('credential of another consumer path', 'PATCH', '/consumers/nobody/key-auth/corpus-key', {}, 404, null),
  json('PATCH of a missing service', 'PATCH', `/services/${UNKNOWN_UUID}`, { retries: 1 }, 404, 6),
  // unknown plugin names
  json('unknown plugin name', 'POST', '/plugins', { name: 'nope' }),
  json('empty plugin name', 'POST', '/plugins', { name: '' }),
  json('path-like plugin name', 'POST', '/routes/corpus-route/plugins', { name: '../../etc/passwd' }),
  json('renaming a plugin to an unknown one', 'PATCH', '/plugins/corpus-plugin', { name: 'nope' }),
  // bad tags
  json('tag with a comma', 'POST', '/services', { host: 'x.test', tags: ['a,b'] }),
  json('tag with a slash', 'POST', '/services', { host: 'x.test', tags: ['a/b'] }),
  json('empty tag', 'POST', '/services', { host: 'x.test', tags: [''] }),
  get('empty tags filter', '/services?tags=', 11),
  get('mixed tags filter', '/services?tags=a,b/c', 11),
  get('more than 5 tags', '/services?tags=1,2,3,4,5,6', 11),
  // bad size and offset
  get('size that is not a number', '/services?size=abc', 9),
  get('size zero', '/routes?size=0', 9),
  get('size over 1000', '/consumers?size=100000', 9),
  get('offset with bad characters', '/routes?offset=!!!', 7),
  get('offset that is not JSON', `/consumers?offset=${Buffer.from('{"x":1').toString('base64')}`, 7),
  { name: 'more than 1000 query arguments', method: 'GET', path: `/services?${Array.from({ length: 1001 }, (_, i) => `a${i}=1`).join('&')}`, status: 400 },
  // bad content types
  typed('text/plain', 'text/plain', 'host=x.test'),
  typed('application/xml', 'application/xml', '<service/>'),
  typed('a body without Content-Type', undefined, '{"host":"x.test"}'),
  typed('text/html on PATCH', 'text/html', '<p>', 415, 'PATCH', '/services/corpus-svc'),
  typed('multipart with a broken body', 'multipart/form-data; boundary=zzz', 'garbage', 400),
  // empty bodies
  { name: 'POST without a body', method: 'POST', path: '/services', status: 400, code: 2 },
  json('empty route', 'POST', '/routes', {}),
  json('PUT that would create an invalid service', 'PUT', '/services/corpus-new', {}),
  form('empty form', 'POST', '/consumers', ''),
  // arrays instead of objects
  json('foreign key as an array', 'POST', '/routes', { paths: ['/x'], service: ['abc'] }),
  json('config as an array', 'POST', '/plugins', { name: 'key-auth', config: ['x'] }),
  json('headers as an array', 'POST', '/routes', { headers: ['x'] }),
  // deep nesting
  { ...rawJson('tags nested 900 levels deep', 'POST', '/services', `{"host":"x.test","tags":${nest(900, '"a"', '[', ']')}}`), code: 2 },
  rawJson('JSON nested a million levels', 'POST', '/services', `{"host":"x.test","tags":${nest(1_000_000, '', '[', ']')}}`),
  rawJson('deeply nested config', 'POST', '/plugins', `{"name":"key-auth","config":{"key_names":${nest(100_000, '1', '{"a":', '}')}}}`),
  form('form key nested by brackets', 'POST', '/services', `host=x.test&tags${'[1]'.repeat(100_000)}=x`, 400, null),
  form('form key nested by dots', 'POST', '/services', `host=x.test&${Array(100_000).fill('a').join('.')}=x`, 400, null),
  // prototype tricks and sizes meant to exhaust the decoder
  form('__proto__ key in a form', 'POST', '/services', 'host=x.test&__proto__.admin=1'),
  { ...rawJson('__proto__ key in JSON', 'POST', '/services', '{"host":"x.test","__proto__":{"admin":true}}'), code: 2 },
  json('constructor as a field', 'POST', '/consumers', { username: 'x', constructor: 1 }),
  form('array position near 2^32', 'POST', '/consumers', 'tags[4294967294]=a'),
  // invalid regex paths
  json('unclosed regex group', 'POST', '/routes', { paths: ['~/(unclosed'] }),
  json('bad regex repetition', 'POST', '/routes', { paths: ['~/a{2,1}'] }),
  json('bad regex range', 'POST', '/routes', { paths: ['~/[z-a]'] }),
  json('non-normalized path', 'POST', '/routes', { paths: ['/a/../b'] }),
  json('path with empty segments', 'POST', '/routes', { paths: ['/a//b'] }),
  // bad hosts
  json('service host with a space', 'POST', '/services', { host: 'exa mple.test' }),
  json('service host with a port', 'POST', '/services', { host: 'a.test:8080' }),
  json('service host with a NUL byte', 'POST', '/services', { host: 'a\u0000b.test' }),
  json('route host with two wildcards', 'POST', '/routes', { hosts: ['*.*.test'] }),
  json('route host with a middle wildcard', 'POST', '/routes', { hosts: ['a.*.test'] }),
  json('route host with a bad port', 'POST', '/routes', { hosts: ['a.test:99999'] }),
  // bad ports
  json('port over 65535', 'POST', '/services', { host: 'x.test', port: 65536 }),
  json('negative port', 'POST', '/services', { host: 'x.test', port: -1 }),
  json('fractional port', 'POST', '/services', { host: 'x.test', port: 80.5 }),
  json('url with a port out of range', 'POST', '/services', { url: 'http://a.test:99999' }),
  form('port that is not a number, in a form', 'POST', '/services', 'host=x.test&port=abc'),
  // other rule violations
  json('url without a host', 'POST', '/services', { url: 'http://' }),
  json('empty url', 'POST', '/services', { url: '' }),
  json('service name with a space', 'POST', '/services', { name: 'bad name', host: 'x.test' }),
  json('duplicate service name', 'POST', '/services', { name: 'corpus-svc', host: 'x.test' }, 409, 5),
  json('tag that is not a string, on PATCH', 'PATCH', '/consumers/corpus-user', { tags: [1] }),
  json('id that already exists', 'POST', '/services', { id: '$SERVICE_ID', host: 'x.test' }, 400, 3),
  json('moving a credential to an unknown consumer', 'PATCH', '/key-auths/corpus-key', { consumer: { id: UNKNOWN_UUID } }, 400, 4),
  json('duplicate key-auth key', 'POST', '/consumers/corpus-user/key-auth', { key: 'corpus-key' }, 409, 5),
  json('stream route with paths', 'POST', '/routes', { protocols: ['tcp'], paths: ['/'] }),
  json('lower-case method', 'POST', '/routes', { paths: ['/x'], methods: ['get'] }),
  json('clearing a required field', 'PATCH', '/services/corpus-svc', { host: null }),
  json('empty protocols', 'PATCH', '/routes/corpus-route', { protocols: [] }),
  json('clearing the only consumer identifier', 'PATCH', '/consumers/corpus-user', { username: null }),
  json('key-auth scoped to a consumer', 'POST', '/consumers/corpus-user/plugins', { name: 'key-auth' }),
  json('second key-auth on the same route', 'POST', '/routes/corpus-route/plugins', { name: 'key-auth' }, 409, 5),
  { name: 'deleting a service that has routes', method: 'DELETE', path: '/services/corpus-svc', status: 400, code: 4 },
  json('POST on an item', 'POST', '/services/corpus-svc', { host: 'x.test' }, 405, null),
  json('PUT on a collection', 'PUT', '/services', { host: 'x.test' }, 405, null),
  { name: 'DELETE on a collection', method: 'DELETE', path: '/consumers', status: 405 },
]
