// The Postgres column for a typedef's SQLite column, derived from its kind, so one declaration emits both tables.
import { bigint, boolean, doublePrecision, json, text } from 'drizzle-orm/pg-core'

/** Map a SQLite column builder to its Postgres twin (json kept as `json`, not `jsonb`: key order is part of Kong's answers). */
export function pgColumnFor(sqliteBuilder: any, name: string): any {
  const cfg = sqliteBuilder.config as { columnType: string; dataType: string; primaryKey?: boolean; notNull?: boolean }
  let c: any
  if (cfg.dataType === 'json') c = json(name)
  else if (cfg.dataType === 'boolean') c = boolean(name)
  else if (cfg.columnType === 'SQLiteReal') c = doublePrecision(name)
  else if (cfg.dataType === 'number') c = bigint(name, { mode: 'number' })
  else c = text(name)
  if (cfg.primaryKey) c = c.primaryKey()
  else if (cfg.notNull) c = c.notNull()
  return c
}
