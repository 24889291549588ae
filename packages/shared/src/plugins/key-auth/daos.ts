// keyauth_credentials (admin `/key-auths`, nested `/consumers/{c}/key-auth`).
import { defineEntity } from '../../entity.ts'
import { t } from '../../typedefs.ts'

export const keyauthCredentials = defineEntity({
  name: 'keyauth_credentials',
  adminPath: 'key-auths',
  nestedPath: 'key-auth',
  endpointKey: 'key',
  parent: 'consumers',
  fields: {
    ...t.credential(),
    key: t.autoString({ unique: true }),
    tags: t.tags(),
  },
})
