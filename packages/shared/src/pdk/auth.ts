// Consumer identity helpers shared by every auth plugin (Kong's set_consumer / anonymous / AND-OR logic).
import type { Consumer, Credential, Exit, PluginContext } from './index.ts'

/** Authenticate and set Kong's upstream identity headers (clearing the ones that do not apply). */
export function setConsumer(ctx: PluginContext, consumer: Consumer | null, credential: Credential | null): void {
  ctx.client.authenticate(consumer, credential)
  const up = ctx.upstream
  if (consumer?.id) up.setHeader('x-consumer-id', consumer.id)
  else up.clearHeader('x-consumer-id')
  if (consumer?.custom_id) up.setHeader('x-consumer-custom-id', consumer.custom_id)
  else up.clearHeader('x-consumer-custom-id')
  if (consumer?.username) up.setHeader('x-consumer-username', consumer.username)
  else up.clearHeader('x-consumer-username')
  if (credential?.id) up.setHeader('x-credential-identifier', String(credential.id))
  else up.clearHeader('x-credential-identifier')
  if (credential) up.clearHeader('x-anonymous-consumer')
  else up.setHeader('x-anonymous-consumer', 'true')
}

/**
 * Run an auth plugin with Kong's AND/OR semantics. `authenticate` returns an Exit on failure.
 * - anonymous set (logical OR): skip when a real credential already authenticated; on failure use anonymous.
 * - anonymous unset (logical AND): any failure answers.
 */
export async function runAuth(
  ctx: PluginContext,
  anonymous: string | null | undefined,
  authenticate: () => Promise<Exit | void> | Exit | void,
): Promise<Exit | void> {
  if (anonymous) {
    if (ctx.client.getCredential()) return
    const failed = await authenticate()
    if (!failed) return
    return setAnonymous(ctx, anonymous)
  }
  return authenticate()
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
