// acls (admin `/acls`, nested `/consumers/{c}/acls`, also addressable there by group name as in Kong's api.lua).
import { defineEntity } from '../../entity.ts'
import { t } from '../../typedefs.ts'

export const acls = defineEntity({
  name: 'acls',
  nestedKey: 'group',
  parent: 'consumers',
  fields: {
    ...t.credential(),
    group: t.string({ required: true }),
    tags: t.tags(),
  },
  // Kong's cache_key { consumer, group } is unique: a consumer is in a group once
  uniqueTogether: ['consumer', 'group'],
})
