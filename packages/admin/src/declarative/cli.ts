// `postern config parse|db_import|db_export <file>`: Kong's `kong config` commands, with its messages.
import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { EventEmitter } from 'eventemitter3'
import { loadCatalogue, type Settings } from '@postern/shared'
import { openDatabase } from '../store/database.ts'
import { Store } from '../store/store.ts'
import { DeclarativeError } from './index.ts'
import { exportYaml } from './export.ts'
import { importInto, readDeclarativeFile, DeclarativeStartError } from './load.ts'

const DEFAULT_FILE = './kong.yml'

class CliError extends Error {}

function say(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** Parse with Kong's `Failed parsing:` wording; the caller decides what to do with the result. */
function parseFile(file: string | undefined, catalogue: Awaited<ReturnType<typeof loadCatalogue>>) {
  if (!file) throw new CliError('expected a declarative configuration file; see `postern config --help`')
  try {
    return readDeclarativeFile(resolve(file), catalogue)
  } catch (e) {
    if (e instanceof DeclarativeStartError) throw new CliError(`Failed parsing:\n${e.message.split('\n').slice(1).join('\n')}`)
    throw e
  }
}

async function openStore(settings: Settings, catalogue: Awaited<ReturnType<typeof loadCatalogue>>): Promise<Store> {
  return new Store(await openDatabase(settings), catalogue, new EventEmitter())
}

async function run(sub: string | undefined, file: string | undefined, settings: Settings): Promise<void> {
  const catalogue = await loadCatalogue(settings.plugins)
  if (sub === 'parse') {
    parseFile(file, catalogue)
    return say('parse successful')
  }
  if (sub === 'db_import') {
    if (settings.database === 'off') throw new CliError("'postern config db_import' only works with a database.\nWhen using database=off, reload your declarative configuration\nusing the /config endpoint.")
    const config = parseFile(file, catalogue)
    say('parse successful, beginning import')
    const store = await openStore(settings, catalogue)
    try {
      // on SQLite a running admin does not see this write (its proxies pick it up from the next heartbeat's
      // version); on Postgres the commit's NOTIFY reaches every running admin
      await importInto(store, catalogue, config)
    } catch (e) {
      if (e instanceof DeclarativeError) throw new CliError(`Failed importing:\n${String((e.fields as Record<string, unknown>).error)}`)
      throw e
    } finally {
      await store.db.close()
    }
    return say('import successful')
  }
  if (sub === 'db_export') {
    if (settings.database === 'off') throw new CliError("'postern config db_export' only works with a database.")
    const target = file ?? DEFAULT_FILE
    if (target !== '-' && existsSync(target)) throw new CliError(`${target} already exists. Will not overwrite it.`)
    const store = await openStore(settings, catalogue)
    try {
      const yaml = await exportYaml(store, catalogue)
      if (target === '-') process.stdout.write(yaml)
      else writeFileSync(target, yaml)
    } finally {
      await store.db.close()
    }
    return
  }
  throw new CliError(`unknown command '${sub ?? ''}'\n\nUsage: postern config parse <file> | db_import <file> | db_export [<file>|-]`)
}

/** Entry point for bin/postern.ts; sets a non-zero exit code on failure. */
export async function runConfigCommand(sub: string | undefined, file: string | undefined, settings: Settings): Promise<void> {
  try {
    await run(sub, file, settings)
  } catch (e) {
    if (!(e instanceof CliError)) throw e
    process.stderr.write(`Error: ${e.message}\n`)
    process.exitCode = 1
  }
}
