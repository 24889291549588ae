// bot-detection access phase: allow regexes win, then deny regexes, then Kong's bot list; 403 on a match.
import type { PluginHandler } from '../../pdk/index.ts'
import { BOT_PATTERNS } from './rules.ts'
import { toRegExp } from '../../pdk/regex.ts'
import type { BotDetectionConfig } from './schema.ts'

const MULTIPLE_UA = 'Only one User-Agent header allowed'
const FORBIDDEN = 'Forbidden'
/** Kong keeps 10^4 verdicts per plugin instance (a per-worker lrucache). */
const CACHE_SIZE = 10_000
const BOTS = BOT_PATTERNS.map((p) => new RegExp(p))

const enum Verdict {
  Allowed,
  Denied,
}

export interface CompiledBotDetection {
  allow: RegExp[]
  deny: RegExp[]
  /** User-Agent → verdict, bounded; insertion order gives the oldest entry to evict. */
  cache: Map<string, Verdict>
}

export function compile(c: BotDetectionConfig): CompiledBotDetection {
  return { allow: c.allow.map(toRegExp), deny: c.deny.map(toRegExp), cache: new Map() }
}

function examine(ua: string, c: CompiledBotDetection): Verdict {
  for (const r of c.allow) if (r.test(ua)) return Verdict.Allowed
  for (const r of c.deny) if (r.test(ua)) return Verdict.Denied
  for (const r of BOTS) if (r.test(ua)) return Verdict.Denied
  return Verdict.Allowed
}

export const handler: PluginHandler<CompiledBotDetection> = {
  access(ctx) {
    const values = ctx.request.getHeaderValues('user-agent')
    if (values.length === 0) return
    if (values.length > 1) return ctx.error(400, MULTIPLE_UA, undefined, 'bot-detection.multiple-user-agents')
    const ua = values[0].trim()
    const c = ctx.config
    let verdict = c.cache.get(ua)
    if (verdict === undefined) {
      verdict = examine(ua, c)
      if (c.cache.size >= CACHE_SIZE) c.cache.delete(c.cache.keys().next().value!)
      c.cache.set(ua, verdict)
    }
    if (verdict === Verdict.Denied) return ctx.error(403, FORBIDDEN, undefined, 'bot-detection.denied')
  },
}
