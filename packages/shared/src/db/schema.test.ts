// drizzle-kit reads only named exports of schema.ts: every bundled entity's table must be one of them.
import { describe, expect, it } from 'vitest'
import * as schema from './schema.ts'
import { ALL_BUNDLED_ENTITIES } from '../catalogue.ts'

describe('db schema', () => {
  it('exports every bundled entity table by name, so migrations include it', () => {
    for (const e of ALL_BUNDLED_ENTITIES) expect((schema as Record<string, unknown>)[e.name], e.name).toBe(e.table)
  })
})
