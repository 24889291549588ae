// oauth2 config (Kong's oauth2/schema.lua defaults), plus Postern's opt-in RFC 7662/7009 endpoints.
import { z } from 'zod'
import { randomString } from '../../typedefs.ts'

const NO_GRANT =
  'at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant'
const TTL_RANGE = 'value should be between 0 and 100000000'

const fields = z.strictObject({
  scopes: z.array(z.string()).nullable().default(null),
  mandatory_scope: z.boolean().default(false),
  provision_key: z.string().min(1).default(() => randomString()),
  // Kong has no range check: a negative value behaves like 0 (tokens never expire), and so it does here.
  token_expiration: z.number().default(7200),
  enable_authorization_code: z.boolean().default(false),
  enable_implicit_grant: z.boolean().default(false),
  enable_client_credentials: z.boolean().default(false),
  enable_password_grant: z.boolean().default(false),
  hide_credentials: z.boolean().default(false),
  accept_http_if_already_terminated: z.boolean().default(false),
  anonymous: z.string().nullable().default(null),
  global_credentials: z.boolean().default(false),
  auth_header_name: z.string().default('authorization'),
  refresh_token_ttl: z.number().min(0, { error: TTL_RANGE }).max(1e8, { error: TTL_RANGE }).default(1209600),
  reuse_refresh_token: z.boolean().default(false),
  pkce: z.enum(['none', 'lax', 'strict']).default('lax'),
  realm: z.string().nullable().default(null),
  /** Postern: RFC 7662 `POST .../oauth2/introspect` for the plugin's own tokens. */
  enable_introspection_endpoint: z.boolean().default(false),
  /** Postern: RFC 7009 `POST .../oauth2/revoke`. */
  enable_revocation_endpoint: z.boolean().default(false),
  /**
   * Not a Kong OSS field, but older guides use it: accepted as a deprecated alias of `reuse_refresh_token`
   * instead of failing with `unknown field`, and dropped from the stored config.
   */
  persistent_refresh_token: z.boolean().optional(),
})

export const schema = fields
  .superRefine((c, ctx) => {
    if (!c.enable_authorization_code && !c.enable_implicit_grant && !c.enable_client_credentials && !c.enable_password_grant) {
      ctx.addIssue({ code: 'custom', message: NO_GRANT, path: [] })
    }
    if (c.mandatory_scope && c.scopes === null) ctx.addIssue({ code: 'custom', message: 'required field missing', path: ['scopes'] })
  })
  .transform(({ persistent_refresh_token: persistent, ...c }) => ({ ...c, reuse_refresh_token: c.reuse_refresh_token || persistent === true }))

export type OAuth2Config = z.output<typeof schema>
