// basicauth_credentials (admin `/basic-auths`, nested `/consumers/{c}/basic-auth`): passwords stored hashed.
import { defineEntity } from '../../entity.ts'
import { t } from '../../typedefs.ts'
import { hashPassword, isPasswordHash } from './password.ts'

export const basicauthCredentials = defineEntity({
  name: 'basicauth_credentials',
  adminPath: 'basic-auths',
  nestedPath: 'basic-auth',
  endpointKey: 'username',
  parent: 'consumers',
  fields: {
    ...t.credential(),
    username: t.string({ required: true, unique: true }),
    password: t.string({ required: true }),
    tags: t.tags(),
  },
  // Kong's on_write transformation hashes the password; the hash is what is stored and returned. A value
  // that is already our hash (a PATCH of another field, a kong.yml exported by GET /config) is kept.
  refine(e) {
    if (typeof e.password === 'string' && !isPasswordHash(e.password)) e.password = hashPassword(e.password)
    return null
  },
})
