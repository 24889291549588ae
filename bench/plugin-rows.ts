// Plugin rows for pnpm bench: jwt RS256 and ES256 (one token, verified once then served from the
// verified-token cache) and phantom-token on cache hits, each as a ratio to "postern no plugins".
import { keyPair, signToken } from '../packages/shared/src/plugins/jwt/testing.ts'
import { startIdp, GATEWAY_CLIENT, type Idp } from '../test/fixtures/idp.ts'
import { defineScenario, serviceWithRoute, type Scenario } from './scenarios.ts'

let idp: Idp | undefined

/** The fixture IdP runs in the bench driver (load core); with cache hits it is called once per row. */
export async function closePluginRows(): Promise<void> {
  await idp?.close()
  idp = undefined
}

function jwtRow(alg: 'RS256' | 'ES256'): Scenario {
  const prefix = `jwt-${alg.toLowerCase()}`
  return defineScenario({
    name: `postern jwt ${alg}`,
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.92, // issue 17 (issue 4's was 0.90)
    async setup(ctx) {
      const service = await serviceWithRoute(ctx, prefix)
      await ctx.admin.create(`/services/${service.id}/plugins`, { name: 'jwt' })
      const consumer = await ctx.admin.create('/consumers', { username: `bench-${ctx.unique}` })
      const pair = keyPair(alg)
      const iss = `https://issuer.bench.test/${ctx.unique}`
      await ctx.admin.create(`/consumers/${consumer.id}/jwt`, { algorithm: alg, key: iss, rsa_public_key: pair.publicPem })
      const now = Math.floor(Date.now() / 1000)
      const token = signToken(alg, { iss, sub: 'bench', iat: now, exp: now + 3600 }, pair.privateKey)
      return { path: `/${prefix}/hello`, headers: { Authorization: `Bearer ${token}` } }
    },
  })
}

export const PLUGIN_SCENARIOS: Scenario[] = [
  jwtRow('RS256'),
  jwtRow('ES256'),
  defineScenario({
    name: 'postern phantom-token (cache hits)',
    target: 'postern-small',
    baseline: 'postern no plugins',
    minRatio: 0.92, // issue 17 (issue 6's was 0.90)
    async setup(ctx) {
      idp ??= await startIdp({ tokenLifetimeSeconds: 3600 })
      const service = await serviceWithRoute(ctx, 'phantom')
      await ctx.admin.create(`/services/${service.id}/plugins`, {
        name: 'phantom-token',
        config: { introspection_endpoint: idp.urls.introspect, client_id: GATEWAY_CLIENT.id, client_secret: GATEWAY_CLIENT.secret, token_cache_seconds: 600 },
      })
      return { path: '/phantom/hello', headers: { Authorization: `Bearer ${idp.issue({ lifetimeSeconds: 3600 })}` } }
    },
  }),
]
