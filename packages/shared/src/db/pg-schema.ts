// The file drizzle-kit reads for Postgres (drizzle-pg.config.ts): the same entity declarations' Postgres
// tables, the change-event log keyed by version, and the one-row head that serialises writers.
import { bigint, index, integer, json, pgTable, text } from 'drizzle-orm/pg-core'
import { ALL_BUNDLED_ENTITIES } from '../catalogue.ts'

export const pgTables = Object.fromEntries(ALL_BUNDLED_ENTITIES.map((e) => [e.name, e.pgTable]))
export const { certificates, snis, ca_certificates, services, routes, consumers, plugins, upstreams, targets, keyauth_credentials, jwt_secrets, oauth2_credentials, oauth2_authorization_codes, oauth2_tokens, basicauth_credentials, hmacauth_credentials, acls, ratelimiting_metrics, admins, audit_requests } = pgTables as Record<string, any>

/** One row per committed change; `version` is allocated from `postern_head` inside the writing transaction. Indexed as in schema.ts. */
export const events = pgTable(
  'postern_events',
  {
    version: bigint('version', { mode: 'number' }).primaryKey(),
    entity: text('entity').notNull(),
    op: text('op').notNull(),
    entity_id: text('entity_id').notNull(),
    payload: json('payload'),
    hash: text('hash').notNull(),
    created_at: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('postern_events_entity_idx').on(t.entity, t.entity_id, t.version)],
)

/** The newest version and its hash; every write locks this row first, so two admins never share a version. */
export const head = pgTable('postern_head', {
  id: integer('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
})
