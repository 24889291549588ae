// drizzle-kit: migrations for every entity table, generated from the shared declarations.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './packages/shared/src/db/schema.ts',
  out: './drizzle',
})
