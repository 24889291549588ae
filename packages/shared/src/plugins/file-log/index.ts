// file-log (Kong PRIORITY 9): one JSON line per request appended to `path` through a kept-open stream
// (or reopened per entry with `reopen`), written after the response.
import { createWriteStream, type WriteStream } from 'node:fs'
import { z } from 'zod'
import { definePlugin } from '../../plugin.ts'
import type { LogSummary, PluginContext } from '../../pdk/index.ts'
import { compileCustomFields, customFields, customFieldsByLua, renderEntry } from '../_logging/entry.ts'

const schema = z.strictObject({
  path: z.string().regex(/^[^*&%\\`]+$/, { error: 'not a valid filename' }),
  reopen: z.boolean().default(false),
  custom_fields_by_lua: customFieldsByLua,
  custom_fields: customFields,
})

interface Compiled {
  path: string
  reopen: boolean
  custom: ReturnType<typeof compileCustomFields>
}

const streams = new Map<string, WriteStream>()
let lastError = 0

function streamFor(ctx: PluginContext<Compiled>): WriteStream {
  const { path, reopen } = ctx.config
  let s = streams.get(path)
  if (s && reopen) {
    s.end()
    s = undefined
  }
  if (!s || s.destroyed) {
    // 0644 as Kong's file-log (S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH)
    s = createWriteStream(path, { flags: 'a', mode: 0o644 })
    s.on('error', (e) => {
      streams.delete(path)
      if (Date.now() - lastError < 60_000) return
      lastError = Date.now()
      ctx.log.error('file-log: could not write', { path, error: e.message })
    })
    streams.set(path, s)
  }
  return s
}

function log(ctx: PluginContext<Compiled>, summary: LogSummary): void {
  streamFor(ctx).write(renderEntry(summary, ctx.config.custom) + '\n')
}

export default definePlugin({
  name: 'file-log', version: '1.0.0', priority: 9, schema,
  compile: (c: z.output<typeof schema>): Compiled => ({ path: c.path, reopen: c.reopen, custom: compileCustomFields(c.custom_fields) }),
  handler: { log },
})
