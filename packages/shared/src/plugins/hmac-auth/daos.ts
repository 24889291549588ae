// hmacauth_credentials (admin `/hmac-auths`, nested `/consumers/{c}/hmac-auth`); Kong returns the secret.
import { defineEntity } from '../../entity.ts'
import { t } from '../../typedefs.ts'

export const hmacauthCredentials = defineEntity({
  name: 'hmacauth_credentials',
  adminPath: 'hmac-auths',
  nestedPath: 'hmac-auth',
  endpointKey: 'username',
  parent: 'consumers',
  fields: {
    ...t.credential(),
    username: t.string({ required: true, unique: true }),
    secret: t.autoString(),
    tags: t.tags(),
  },
})
