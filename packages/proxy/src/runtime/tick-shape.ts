// Keeps node's process.nextTick entries on V8's fast path for the life of the proxy.
//
// Node builds each nextTick entry as `{ [async_id_symbol]: id, [trigger_async_id_symbol]: id, callback, args }`.
// V8 defines computed keys of an object literal through feedback that is either monomorphic (one receiver map) or
// megamorphic, with no polymorphic step: the first time the receiver's map differs from the recorded one, the
// slot turns megamorphic for good and every later definition goes through V8's runtime (transition search, map
// lookups). Entries die young, so a full GC that finds none alive frees their maps; the next entry builds new
// maps, slots 2–4 see a "different" map, and from then on every nextTick pays the runtime path. On a busy proxy
// that happened within seconds of load (perf: 4–5 % of the proxy's samples in V8's transition and literal
// runtime functions under emitReadable, onwrite, resOnFinish and Readable.read; `%DebugPrint(process.nextTick)`:
// three DefineKeyedOwnPropertyInLiteral slots MEGAMORPHIC after load, monomorphic before).
//
// Holding two entries for the process's life keeps their maps (and, through back pointers, the whole chain the
// literal walks) alive, so the feedback stays monomorphic. The entries are caught by an init-only async hook that
// is enabled around two nextTick calls and disabled again (no before/after hooks: node's callback path is not
// changed). Test: tick-shape.test.ts.
import { createHook } from 'node:async_hooks'

let pinned: readonly object[] | null = null

function noop(): void {}

/** Idempotent; the proxy calls it once at start (a worker in its own process). Returns the entries held. */
export function pinTickObjectShape(): readonly object[] {
  if (pinned !== null) return pinned
  const found: object[] = []
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject') found.push(resource)
    },
  })
  hook.enable()
  try {
    // the two shapes node makes: without args and with them
    process.nextTick(noop)
    process.nextTick(noop, 0)
  } finally {
    hook.disable()
  }
  pinned = found
  return pinned
}
