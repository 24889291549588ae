// The one file drizzle-kit reads: every entity's table plus the change-event log.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { ALL_BUNDLED_ENTITIES } from '../catalogue.ts'

export const tables = Object.fromEntries(ALL_BUNDLED_ENTITIES.map((e) => [e.name, e.table]))
export const { certificates, snis, ca_certificates, services, routes, consumers, plugins, upstreams, targets, keyauth_credentials, jwt_secrets, oauth2_credentials, oauth2_authorization_codes, oauth2_tokens, basicauth_credentials, hmacauth_credentials, acls, ratelimiting_metrics, admins, audit_requests } = tables as Record<string, any>

/**
 * One row per committed change: the config version is the row's `version`. Indexed by entity and id too, for
 * an entity's previous state (the audit trail's `before`): without it that lookup scanned the whole log on
 * every create, ~10 ms per admin write once the log held 40,000 events.
 */
export const events = sqliteTable(
  'postern_events',
  {
    version: integer('version').primaryKey({ autoIncrement: true }),
    entity: text('entity').notNull(),
    op: text('op').notNull(),
    entity_id: text('entity_id').notNull(),
    payload: text('payload', { mode: 'json' }),
    hash: text('hash').notNull(),
    created_at: integer('created_at').notNull(),
  },
  (t) => [index('postern_events_entity_idx').on(t.entity, t.entity_id, t.version)],
)
