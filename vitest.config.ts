// Unit tests sit beside the code; black-box flows in test/. Real processes, so generous timeouts.
import { configDefaults, defineConfig } from 'vitest/config'

// The admin black-box files run twice: on SQLite (with everything else) and on Postgres (`postgres` project,
// each file on its own fresh database; see test/support/pg.ts).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/postgres/**'] } },
      { extends: true, test: { name: 'postgres', include: ['test/admin-*.test.ts', 'test/postgres/**/*.test.ts'], env: { POSTERN_TEST_STORE: 'postgres' } } },
    ],
  },
})
