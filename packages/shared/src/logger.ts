// A tiny structured logger (JSON lines on stderr) with Kong's level names; never pass secrets to it.
export interface Logger {
  debug(msg: string, extra?: Record<string, unknown>): void
  info(msg: string, extra?: Record<string, unknown>): void
  warn(msg: string, extra?: Record<string, unknown>): void
  error(msg: string, extra?: Record<string, unknown>): void
}

const LEVELS = ['debug', 'info', 'notice', 'warn', 'error', 'crit']

export function createLogger(component: string, level = 'notice'): Logger {
  const min = LEVELS.indexOf(level)
  const out = (lvl: string) => (msg: string, extra?: Record<string, unknown>) => {
    if (LEVELS.indexOf(lvl) < min) return
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: lvl, component, msg, ...extra }) + '\n')
  }
  return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') }
}
