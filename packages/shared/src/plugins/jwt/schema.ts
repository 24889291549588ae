// jwt plugin config: Kong 3.9's fields and defaults, plus Postern's opt-in extensions (defaults keep Kong's behaviour).
import { z } from 'zod'

const MAX_EXPIRATION = 31_536_000
const BETWEEN = `value should be between 0 and ${MAX_EXPIRATION}`
const CONDITIONAL = "failed conditional validation given value of field 'config.maximum_expiration'"

/** Kong `set`: duplicates dropped, first occurrence kept. */
const set = <T extends z.ZodType>(elem: T) => z.array(elem).transform((a) => [...new Set(a)] as z.output<T>[])

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}, { error: (i) => `cannot parse '${String(i.input)}'` })

const seconds = (min: number, max: number) =>
  z.number().min(min, { error: `value should be between ${min} and ${max}` }).max(max, { error: `value should be between ${min} and ${max}` })

export const schema = z
  .strictObject({
    // Kong 3.9 fields, in Kong's order
    uri_param_names: set(z.string()).default(['jwt']),
    cookie_names: set(z.string()).default([]),
    key_claim_name: z.string().default('iss'),
    secret_is_base64: z.boolean().default(false),
    claims_to_verify: set(z.enum(['exp', 'nbf'])).nullable().default(null),
    anonymous: z.string().nullable().default(null),
    run_on_preflight: z.boolean().default(true),
    maximum_expiration: z.number().min(0, { error: BETWEEN }).max(MAX_EXPIRATION, { error: BETWEEN }).default(0),
    header_names: set(z.string()).default(['authorization']),
    realm: z.string().nullable().default(null),
    // Postern extensions (Kong has none of these; each default is Kong's behaviour)
    /** Seconds of leeway for `exp` and `nbf` (RFC 7519 §4.1.4). */
    clock_skew: seconds(0, 3600).default(0),
    /** When set, the token's `iss` must be one of these. */
    issuers: set(z.string()).nullable().default(null),
    /** When set, the token's `aud` (string or array) must contain one of these. */
    audiences: set(z.string()).nullable().default(null),
    /** Remove the token from the query, cookie or header before proxying. */
    hide_credentials: z.boolean().default(false),
    /** A JWKS whose keys, matched by the token's `kid`, verify tokens of credentials without their own `jwks_uri`. */
    jwks_uri: httpUrl.nullable().default(null),
    /** Seconds after which a key set is refreshed in the background. */
    jwks_refresh_interval: seconds(1, 86_400).default(300),
    /** Minimum seconds between two fetches caused by unknown `kid`s or failures. */
    jwks_refetch_cooldown: seconds(0, 3600).default(10),
  })
  .superRefine((c, ctx) => {
    // Kong's entity check: maximum_expiration > 0 needs exp in claims_to_verify
    if (c.maximum_expiration > 0 && !(c.claims_to_verify ?? []).includes('exp')) {
      ctx.addIssue({ code: 'custom', path: ['claims_to_verify'], message: 'expected to contain: exp' })
      ctx.addIssue({ code: 'custom', path: [], message: CONDITIONAL, params: { entity: true } })
    }
  })

export type JwtConfig = z.output<typeof schema>
