// Every oauth2 error a client can see, verbatim from Kong (codes, descriptions), and the response helper.
import type { Exit, PluginContext } from '../../pdk/index.ts'

export const MUST_USE_HTTPS = 'You must use HTTPS'
export const ONE_FORWARDED_PROTO = 'Only one X-Forwarded-Proto header allowed'
export const INVALID_PROVISION_KEY = 'Invalid provision_key'
export const MISSING_USERID = 'Missing authenticated_userid parameter'
export const INVALID_RESPONSE_TYPE = 'Invalid response_type'
export const INVALID_GRANT_TYPE = 'Invalid grant_type'
export const INVALID_CLIENT = 'Invalid client authentication'
export const INVALID_REDIRECT_URI = 'Invalid redirect_uri that does not match with any redirect_uri created with the application'
export const SCOPE_REQUIRED = 'You must specify a scope'
export const SCOPE_NOT_STRING = 'scope must be a string'
export const SCOPE_MISMATCH = 'Scope mismatch'
export const CHALLENGE_WITHOUT_METHOD = 'code_challenge is required when code_method is present'
export const CHALLENGE_METHOD_UNSUPPORTED = 'code_challenge_method is not supported, must be S256'
export const VERIFIER_REQUIRED = 'code_verifier is required for PKCE authorization requests'
export const VERIFIER_NOT_STRING = 'code_verifier is not a string'
export const VERIFIER_LENGTH = 'code_verifier must be between 43 and 128 characters'
export const INVALID_CODE = 'Invalid code'
export const INVALID_REFRESH_TOKEN = 'Invalid refresh_token'
export const SECRET_FOR_PUBLIC = 'client_secret is disallowed for public clients'
export const TOKEN_MISSING = 'The access token is missing'
export const TOKEN_INVALID = 'The access token is invalid or has expired'
export const TOKEN_GLOBAL = "The access token is global, but the current plugin is configured without 'global_credentials'"
export const TOKEN_PARAMETER_MISSING = 'token parameter is missing'
export const BASIC_CHALLENGE = 'Basic realm="OAuth2.0"'

export const challengeRequired = (clientType: string) => `code_challenge is required for ${clientType} clients`
export const invalidScope = (scope: string) => `"${scope}" is an invalid scope`
export const invalidMethod = (method: string, endpoint: string) => `The HTTP method ${method} is invalid for the ${endpoint} endpoint`

/** An OAuth 2.0 error body (RFC 6749 §5.2), possibly with `state`. */
export interface OAuthError {
  error: string
  error_description: string
  [k: string]: unknown
}

export const oauthError = (error: string, error_description: string): OAuthError => ({ error, error_description })

/** Kong master's `WWW-Authenticate` for Bearer: parameters comma-separated, realm first. */
export function bearerChallenge(realm: string | null, error?: string, description?: string): string {
  const params: string[] = []
  if (realm) params.push(`realm="${realm}"`)
  if (error) params.push(`error="${error}"`)
  if (description) params.push(`error_description="${description}"`)
  return params.length ? `Bearer ${params.join(', ')}` : 'Bearer'
}

/** Authorization and token endpoint answers are never cached (RFC 6749 §5.1). */
export function noStoreExit(ctx: PluginContext, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Exit {
  const reason = typeof body.error === 'string' ? `oauth2.${body.error}` : undefined
  return ctx.exit(status, body, { 'cache-control': 'no-store', pragma: 'no-cache', ...headers }, reason)
}
