// Consumer entity (Kong's consumers.lua): who is calling.
import { defineEntity } from '../entity.ts'
import { t } from '../typedefs.ts'

export const consumers = defineEntity({
  name: 'consumers',
  endpointKey: 'username',
  fields: {
    id: t.uuid(),
    created_at: t.autoTimestamp(),
    updated_at: t.autoTimestamp(),
    username: t.string({ unique: true }),
    custom_id: t.string({ unique: true }),
    tags: t.tags(),
  },
  checks: [
    (c) => (c.username === null && c.custom_id === null ? "at least one of these fields must be non-empty: 'custom_id', 'username'" : null),
  ],
})
