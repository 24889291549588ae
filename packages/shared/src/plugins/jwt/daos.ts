// jwt_secrets (admin `/jwts`, nested `/consumers/{c}/jwt`), Kong's fields plus an optional `jwks_uri`.
import { defineEntity } from '../../entity.ts'
import { t } from '../../typedefs.ts'
import { ALGORITHMS, isSymmetric, pemProblem } from './pem.ts'

const CONDITIONAL = "failed conditional validation given value of field 'algorithm'"

function urlProblem(s: string): string | null {
  try {
    const u = new URL(s)
    if (u.protocol === 'http:' || u.protocol === 'https:') return null
  } catch {
    /* reported below */
  }
  return `cannot parse '${s}'`
}

export const jwtSecrets = defineEntity({
  name: 'jwt_secrets',
  adminPath: 'jwts',
  nestedPath: 'jwt',
  endpointKey: 'key',
  parent: 'consumers',
  fields: {
    ...t.credential(),
    key: t.autoString({ unique: true }),
    // not unique: Kong lets several credentials share a secret
    secret: t.autoString(),
    rsa_public_key: t.string(),
    algorithm: t.string({ oneOf: ALGORITHMS, default: 'HS256', required: true }),
    // Postern: verify with the issuer's published keys (matched by `kid`) instead of one pinned PEM
    jwks_uri: t.string({ check: urlProblem }),
    tags: t.tags(),
  },
  checks: [
    // Kong requires and loads the key for RS*, PS* and EdDSA; we do the same for ES* (Kong accepts any
    // ES key and fails per request) and check the key type fits the algorithm
    (e) => {
      if (isSymmetric(e.algorithm)) return null
      if (e.rsa_public_key === null) return e.jwks_uri ? null : { rsa_public_key: 'required field missing', '@entity': [CONDITIONAL] }
      const problem = pemProblem(e.rsa_public_key, e.algorithm)
      return problem ? { rsa_public_key: problem, '@entity': [CONDITIONAL] } : null
    },
  ],
})
