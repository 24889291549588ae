// drizzle-kit reads only named exports of pg-schema.ts: every bundled entity's Postgres table must be one of them.
import { describe, expect, it } from 'vitest'
import { getTableConfig } from 'drizzle-orm/pg-core'
import * as schema from './pg-schema.ts'
import * as sqliteSchema from './schema.ts'
import { ALL_BUNDLED_ENTITIES } from '../catalogue.ts'

describe('db pg schema', () => {
  it('exports every bundled entity table by name, so Postgres migrations include it', () => {
    for (const e of ALL_BUNDLED_ENTITIES) expect((schema as Record<string, unknown>)[e.name], e.name).toBe(e.pgTable)
  })

  it('emits the same columns, keys and unique constraints as the SQLite table of each declaration', () => {
    for (const e of ALL_BUNDLED_ENTITIES) {
      const pg = getTableConfig(e.pgTable)
      const cols = pg.columns.map((c) => [c.name, c.primary, c.isUnique])
      const lite = Object.values((sqliteSchema.tables as Record<string, any>)[e.name]).filter((c: any) => c?.name !== undefined && c.columnType)
      expect(cols.map((c) => c[0]).sort(), e.name).toEqual(lite.map((c: any) => c.name).sort())
      // an entity with a composite key (ratelimiting_metrics) has no single primary column
      expect(cols.filter((c) => c[1]).map((c) => c[0]), e.name).toEqual(e.primaryKey ? [] : ['id'])
      if (e.primaryKey) expect(pg.primaryKeys[0].columns.map((c) => c.name), e.name).toEqual(e.primaryKey.map((f) => e.columnOf(f)))
      expect(cols.filter((c) => c[2]).map((c) => c[0]).sort(), e.name).toEqual(lite.filter((c: any) => c.isUnique).map((c: any) => c.name).sort())
      expect(pg.foreignKeys.length, e.name).toBe(e.foreignKeys.length)
    }
  })

  it('maps each typedef kind to a Postgres type that keeps its values (json keeps key order; integers are 64-bit)', () => {
    const services = getTableConfig(schema.services)
    const type = (n: string) => services.columns.find((c) => c.name === n)!.getSQLType()
    expect([type('id'), type('port'), type('enabled'), type('tags')]).toEqual(['text', 'bigint', 'boolean', 'json'])
  })
})
