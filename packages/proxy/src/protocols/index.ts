// The forwarding step by protocol: a WebSocket upgrade becomes a tunnel, a grpc/grpcs service is reached
// over HTTP/2, everything else takes the undici forwarder (the HTTP/1.1 hot path, untouched).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Entity } from '@postern/shared'
import { forwardTo, type ForwardRequest, type ForwardResult, type ForwardSink, type PeerPicker } from '../upstream/forward.ts'
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
  sink: ForwardSink,
  /** The balancer's choice of target per attempt (services on an upstream); HTTP/1.1 only. */
  picker?: PeerPicker,
): void {
  const upgrade = upgradeOf(req)
  if (upgrade !== undefined) return settleInto(sink, tunnel(target, fr, upgrade, res, sink))
  if (isGrpcService(service)) return settleInto(sink, grpcForward(service!, target, fr, req, res, sink))
  forwardTo(pools, target, fr, res, sink, picker)
}

function settleInto(sink: ForwardSink, p: Promise<ForwardResult>): void {
  p.then((r) => sink.forwarded(r), (err) => sink.forwardFailed(err))
}
