// The forwarding step by protocol: a WebSocket upgrade becomes a tunnel, a grpc/grpcs service is reached
// over HTTP/2, everything else takes the undici forwarder (the HTTP/1.1 hot path, untouched).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Entity } from '@postern/shared'
import { forward, type ForwardHooks, type ForwardRequest, type ForwardResult, type PeerPicker } from '../upstream/forward.ts'
import type { UpstreamPools, UpstreamTarget } from '../upstream/pools.ts'
import { grpcForward, isGrpcService } from './grpc.ts'
import { tunnel, upgradeOf } from './websocket.ts'

export function forwardByProtocol(
  pools: UpstreamPools,
  target: UpstreamTarget,
  service: Entity | null,
  fr: ForwardRequest,
  req: IncomingMessage,
  res: ServerResponse,
  hooks: ForwardHooks,
  /** The balancer's choice of target per attempt (services on an upstream); HTTP/1.1 only. */
  picker?: PeerPicker,
): Promise<ForwardResult> {
  const upgrade = upgradeOf(req)
  if (upgrade !== undefined) return tunnel(target, fr, upgrade, res, hooks)
  if (isGrpcService(service)) return grpcForward(service!, target, fr, req, res, hooks)
  return forward(pools, target, fr, res, hooks, picker)
}
