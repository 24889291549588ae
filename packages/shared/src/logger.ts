// The process logger: pino (JSON lines on stderr) with Kong's level names, fields that may carry secrets
// redacted, and request-scoped loggers that add the request id to every line.
import pino from 'pino'

export interface Logger {
  debug(msg: string, extra?: Record<string, unknown>): void
  info(msg: string, extra?: Record<string, unknown>): void
  warn(msg: string, extra?: Record<string, unknown>): void
  error(msg: string, extra?: Record<string, unknown>): void
}

/** Kong's log levels (nginx's), mapped onto pino's numbers. */
const LEVELS = { debug: 20, info: 30, notice: 35, warn: 40, error: 50, crit: 60, alert: 70, emerg: 80 }

// a second line of defence: callers never pass secrets, and these fields are masked if one slips through
const SECRET_FIELDS = ['authorization', 'proxy-authorization', 'password', 'client_secret', 'secret', 'token', 'access_token', 'refresh_token', 'apikey', 'cookie']
const REDACT = SECRET_FIELDS.flatMap((f) => [`["${f}"]`, `*["${f}"]`, `*.*["${f}"]`])

export function createLogger(component: string, level = 'notice'): Logger {
  const p: any = pino(
    {
      customLevels: LEVELS,
      useOnlyCustomLevels: true,
      level: level in LEVELS ? level : 'notice',
      base: { component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) },
      redact: { paths: REDACT, censor: 'REDACTED' },
    },
    pino.destination({ fd: 2, sync: true }),
  )
  const at = (lvl: keyof typeof LEVELS) => (msg: string, extra?: Record<string, unknown>) => (extra ? p[lvl](extra, msg) : p[lvl](msg))
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** A logger whose every line names the request (Kong's `request_id` in its error log lines). */
export class RequestLogger implements Logger {
  constructor(private readonly log: Logger, private readonly requestId: string) {}
  debug(msg: string, extra?: Record<string, unknown>): void {
    this.log.debug(msg, { request_id: this.requestId, ...extra })
  }
  info(msg: string, extra?: Record<string, unknown>): void {
    this.log.info(msg, { request_id: this.requestId, ...extra })
  }
  warn(msg: string, extra?: Record<string, unknown>): void {
    this.log.warn(msg, { request_id: this.requestId, ...extra })
  }
  error(msg: string, extra?: Record<string, unknown>): void {
    this.log.error(msg, { request_id: this.requestId, ...extra })
  }
}
