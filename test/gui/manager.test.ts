// Postern Manager end to end in Debian's Chromium (playwright-core): a service and a route created through
// the forms carry traffic through the proxy, a jwt credential from an uploaded PEM, a validation error shown
// next to its field, deletes, the token login; screenshots of the main pages go to docs/screenshots/.
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGui } from '../../packages/gui/build.mjs'
import { startEchoUpstream, type EchoUpstream } from '../fixtures/echo-upstream.ts'
import { AdminClient } from '../support/admin-client.ts'
import { ROOT, startAdmin, startGateway, waitForVersion } from '../support/processes.ts'

const SHOTS = join(ROOT, 'docs/screenshots')
const WAIT = 30_000
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

let gw: Awaited<ReturnType<typeof startGateway>>
let upstream: EchoUpstream
let browser: Browser
let page: Page
let admin: AdminClient
let gui: string

const guiPort = (output: string) => Number(output.match(/postern gui: (\d+)/)![1])
const shot = (name: string, p = page) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

beforeAll(async () => {
  await buildGui()
  mkdirSync(SHOTS, { recursive: true })
  upstream = await startEchoUpstream()
  gw = await startGateway()
  admin = new AdminClient(gw.admin.url)
  gui = `http://127.0.0.1:${guiPort(gw.admin.output())}/`
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, timeout: 60_000 })
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.setDefaultTimeout(WAIT)
  page.on('dialog', (d) => void d.accept())
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await gw?.stop()
  await upstream?.close()
})

/** Fill a generated form field by its Kong name (labels name the fields). */
const field = (name: string) => page.locator(`[data-field="${name}"]`)

describe('Postern Manager', () => {
  it('shows the config version and the connected proxy with its applied version', async () => {
    await page.goto(gui)
    await page.getByRole('heading', { name: 'Overview' }).waitFor()
    await expect.poll(() => page.locator('[data-testid="proxies"] tbody tr').count(), { timeout: WAIT }).toBe(1)
    await shot('overview')
  }, 60_000)

  it('creates a service and a route through the forms, and the proxy serves the route', async () => {
    await page.goto(`${gui}#/services/new`)
    await page.getByRole('heading', { name: 'New service', exact: true }).waitFor()
    await page.getByLabel('name', { exact: true }).fill('gui-echo')
    await page.getByLabel('host', { exact: true }).fill('127.0.0.1')
    await field('port').fill(String(new URL(upstream.url).port))
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: 'Service: gui-echo' }).waitFor()
    await page.getByRole('link', { name: 'Add to routes' }).click()
    await page.getByRole('heading', { name: 'New routes' }).waitFor()
    await page.getByLabel('name', { exact: true }).fill('gui-route')
    await field('paths').fill('/gui')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: 'Service: gui-echo' }).waitFor()
    await page.locator('[data-testid="routes-list"]').getByRole('link', { name: 'gui-route' }).waitFor()
    await shot('service-detail')

    const route = await admin.get('/routes/gui-route')
    expect(route.body).toMatchObject({ paths: ['/gui'], protocols: ['http', 'https'] })
    await waitForVersion(gw.proxy, Number((await admin.get('/status')).body.configuration_version), WAIT)
    const res = await fetch(`${gw.proxy.url}/gui/through?x=1`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).url).toBe('/through?x=1')

    await page.goto(`${gui}#/services`)
    await page.locator('[data-testid="services-list"]').getByRole('link', { name: 'gui-echo' }).waitFor()
    await shot('services')
  }, 90_000)

  it('shows Kong\'s validation error next to the field', async () => {
    await page.goto(`${gui}#/services/new`)
    await page.getByRole('heading', { name: 'New service', exact: true }).waitFor()
    await page.getByLabel('host', { exact: true }).fill('example.test')
    await field('port').fill('70000')
    await page.getByRole('button', { name: 'Create' }).click()
    await expect.poll(() => page.locator('[data-error-for="port"]').textContent(), { timeout: WAIT }).toBe('value should be between 0 and 65535')
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: WAIT }).toContain('schema violation')
    await shot('validation-error')
  }, 60_000)

  it('adds a jwt credential by uploading a PEM file', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const pem = join(mkdtempSync(join(tmpdir(), 'gui-pem-')), 'alice.pem')
    writeFileSync(pem, publicKey)
    await page.goto(`${gui}#/consumers/new`)
    await page.getByRole('heading', { name: 'New consumer', exact: true }).waitFor()
    await page.getByLabel('username', { exact: true }).fill('alice')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: 'Consumer: alice' }).waitFor()
    await page.getByRole('link', { name: 'Add to jwt credentials' }).click()
    await page.getByRole('heading', { name: 'New jwt' }).waitFor()
    await page.getByLabel('key', { exact: true }).fill('alice-issuer')
    await page.getByLabel('algorithm', { exact: true }).selectOption('RS256')
    await page.getByLabel('Upload rsa_public_key (PEM file)').setInputFiles(pem)
    await expect.poll(() => field('rsa_public_key').inputValue(), { timeout: WAIT }).toBe(publicKey)
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: 'Consumer: alice' }).waitFor()
    await page.locator('[data-testid="jwt-list"]').getByText('alice-issuer').waitFor()
    await shot('consumer-jwt')
    const jwts = await admin.get('/consumers/alice/jwt')
    expect(jwts.body.data).toHaveLength(1)
    expect(jwts.body.data[0]).toMatchObject({ key: 'alice-issuer', algorithm: 'RS256', rsa_public_key: publicKey })
  }, 90_000)

  it('generates a plugin form from the plugin schema, with its nested defaults', async () => {
    await page.goto(`${gui}#/plugins/new`)
    await page.getByRole('heading', { name: 'New plugin', exact: true }).waitFor()
    await page.getByLabel('Plugin').selectOption('key-auth')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByRole('heading', { name: 'New plugin (key-auth)' }).waitFor()
    await expect.poll(() => field('config.key_names').inputValue(), { timeout: WAIT }).toBe('apikey')
    await field('config.key_names').fill('x-api-key, apikey')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('heading', { name: 'Plugin: key-auth' }).waitFor()
    expect((await admin.get('/plugins')).body.data[0].config.key_names).toEqual(['x-api-key', 'apikey'])
    await shot('plugin')
  }, 60_000)

  it('searches by name and tag, and deletes through the detail page', async () => {
    await admin.post('/services', { name: 'tagged-one', host: 'a.test', tags: ['blue'] })
    await admin.post('/services', { name: 'tagged-two', host: 'b.test', tags: ['green'] })
    await page.goto(`${gui}#/services`)
    await page.getByLabel('Tags').fill('blue')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('[data-testid="services-list"] tbody tr').allTextContents(), { timeout: WAIT }).toEqual([expect.stringContaining('tagged-one')])
    await page.goto(`${gui}#/services?name=two`)
    await expect.poll(() => page.locator('[data-testid="services-list"] tbody tr').allTextContents(), { timeout: WAIT }).toEqual([expect.stringContaining('tagged-two')])
    await page.getByRole('link', { name: 'tagged-two' }).click()
    await page.getByRole('button', { name: 'Delete' }).first().click()
    await page.getByRole('heading', { name: 'Services' }).waitFor()
    await expect.poll(async () => (await admin.get('/services/tagged-two')).status, { timeout: WAIT }).toBe(404)
  }, 60_000)

  it('is usable on a phone-sized screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    phone.setDefaultTimeout(WAIT)
    await phone.goto(`${gui}#/services`)
    await phone.locator('[data-testid="services-list"]').waitFor()
    // nothing wider than the screen but the table, which scrolls in its own box
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot('phone-services', phone)
    await phone.close()
  }, 60_000)
})

describe('Postern Manager with admin authentication', () => {
  it('asks for a token, refuses a wrong one and works with a right one (keyboard only)', async () => {
    const a = await startAdmin({ env: { POSTERN_ADMIN_TOKEN: 'gui-bootstrap-token-1234567890' } })
    const p = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    p.setDefaultTimeout(WAIT)
    try {
      await p.goto(`http://127.0.0.1:${guiPort(a.output())}/`)
      await p.getByRole('heading', { name: 'Sign in' }).waitFor()
      await p.keyboard.type('wrong-token')
      await p.keyboard.press('Enter')
      await p.getByText('That token was refused.').waitFor()
      await p.getByLabel('Admin token').fill('gui-bootstrap-token-1234567890')
      await p.keyboard.press('Enter')
      await p.getByRole('heading', { name: 'Overview' }).waitFor()
      await shot('sign-in-done', p)
      // a new admin's token is shown once, and works
      await p.goto(`http://127.0.0.1:${guiPort(a.output())}/#/admins/new`)
      await p.getByRole('heading', { name: 'New admin', exact: true }).waitFor()
      await p.locator('[data-field="username"]').fill('ops')
      await p.getByLabel('role', { exact: true }).selectOption('read-only')
      await p.getByRole('button', { name: 'Create' }).click()
      const token = (await p.locator('[data-testid="revealed-token"]').textContent())!
      expect(token).toMatch(/^[A-Za-z0-9]{32}$/)
      const seen = await new AdminClient(a.url).request('GET', '/admins/ops', { headers: { authorization: `Bearer ${token}` } })
      expect(seen.status).toBe(403)
      expect((await new AdminClient(a.url).request('GET', '/services', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)
      // the audit log page lists that write, by the bootstrap admin
      await p.getByRole('link', { name: 'Audit log' }).click()
      await p.getByRole('heading', { name: 'Audit log' }).waitFor()
      await expect.poll(() => p.locator('[data-testid="audit-list"] tbody tr').allTextContents(), { timeout: WAIT }).toEqual([expect.stringMatching(/bootstrap.*POST \/admins.*201.*admins/)])
      await shot('audit-log', p)
    } finally {
      await p.close()
      await a.stop()
    }
  }, 90_000)
})
