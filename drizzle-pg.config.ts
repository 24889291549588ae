// drizzle-kit for Postgres: migrations for the same entity declarations, in their own folder (drizzle-pg/).
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/shared/src/db/pg-schema.ts',
  out: './drizzle-pg',
})
