// Consumer identity helpers shared by every auth plugin (Kong's set_consumer / anonymous / AND-OR logic).
import type { Consumer, Credential, Exit, PluginContext } from './index.ts'

/** Authenticate and set Kong's upstream identity headers (clearing the ones that do not apply); `identifier` overrides the credential id. */
export function setConsumer(ctx: PluginContext, consumer: Consumer | null, credential: Credential | null, identifier?: string): void {
  ctx.client.authenticate(consumer, credential)
  const up = ctx.upstream
  if (consumer?.id) up.setHeader('x-consumer-id', consumer.id)
  else up.clearHeader('x-consumer-id')
  if (consumer?.custom_id) up.setHeader('x-consumer-custom-id', consumer.custom_id)
  else up.clearHeader('x-consumer-custom-id')
  if (consumer?.username) up.setHeader('x-consumer-username', consumer.username)
  else up.clearHeader('x-consumer-username')
  if (identifier !== undefined) up.setHeader('x-credential-identifier', identifier)
  else if (credential?.id) up.setHeader('x-credential-identifier', String(credential.id))
  else up.clearHeader('x-credential-identifier')
  if (credential) up.clearHeader('x-anonymous-consumer')
  else up.setHeader('x-anonymous-consumer', 'true')
}

/**
 * Run an auth plugin with Kong's AND/OR semantics. `authenticate` returns an Exit on failure, directly or
 * as a promise; a synchronous `authenticate` keeps the whole call synchronous (no promise per request).
 * - anonymous set (logical OR): skip when a real credential already authenticated; on failure use anonymous.
 * - anonymous unset (logical AND): any failure answers.
 */
export function runAuth(
  ctx: PluginContext,
  anonymous: string | null | undefined,
  authenticate: () => Promise<Exit | void> | Exit | void,
): Promise<Exit | void> | Exit | void {
  if (!anonymous) return authenticate()
  if (ctx.client.getCredential()) return
  const failed = authenticate()
  if (failed && typeof (failed as Promise<unknown>).then === 'function') {
    return (failed as Promise<Exit | void>).then((f) => (f ? setAnonymous(ctx, anonymous) : undefined))
  }
  return failed ? setAnonymous(ctx, anonymous) : undefined
}

/** Set the anonymous consumer, or answer 500 when it is configured but missing (Kong 3.10 message). */
export function setAnonymous(ctx: PluginContext, anonymous: string): Exit | void {
  const consumer = ctx.client.loadConsumer(anonymous)
  if (!consumer) {
    ctx.log.error('anonymous consumer is configured but does not exist', { anonymous })
    return ctx.error(500, `anonymous consumer ${anonymous} is configured but doesn't exist`, undefined, 'auth.anonymous_missing')
  }
  setConsumer(ctx, consumer, null)
}
