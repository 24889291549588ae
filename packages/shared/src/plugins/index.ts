// The bundled plugin catalogue: both planes load plugins from here (and third-party ones by name).
import keyAuth from './key-auth/index.ts'
import requestTermination from './request-termination/index.ts'
import oauth2 from './oauth2/index.ts'
import jwt from './jwt/index.ts'
import phantomToken from './phantom-token/index.ts'
import kongAuthIntegration from './kong-auth-integration/index.ts'
import oauth2Introspection from './oauth2-introspection/index.ts'
import acl from './acl/index.ts'
import basicAuth from './basic-auth/index.ts'
import botDetection from './bot-detection/index.ts'
import correlationId from './correlation-id/index.ts'
import cors from './cors/index.ts'
import fileLog from './file-log/index.ts'
import hmacAuth from './hmac-auth/index.ts'
import httpLog from './http-log/index.ts'
import ipRestriction from './ip-restriction/index.ts'
import opentelemetry from './opentelemetry/index.ts'
import prometheus from './prometheus/index.ts'
import proxyCache from './proxy-cache/index.ts'
import rateLimiting from './rate-limiting/index.ts'
import requestSizeLimiting from './request-size-limiting/index.ts'
import requestTransformer from './request-transformer/index.ts'
import responseTransformer from './response-transformer/index.ts'
import tcpLog from './tcp-log/index.ts'
import udpLog from './udp-log/index.ts'
import type { PluginDef } from '../plugin.ts'

export const BUNDLED_PLUGINS: PluginDef[] = [
  keyAuth,
  requestTermination,
  oauth2,
  jwt,
  phantomToken,
  kongAuthIntegration,
  oauth2Introspection,
  acl,
  basicAuth,
  botDetection,
  correlationId,
  cors,
  fileLog,
  hmacAuth,
  httpLog,
  ipRestriction,
  opentelemetry,
  prometheus,
  proxyCache,
  rateLimiting,
  requestSizeLimiting,
  requestTransformer,
  responseTransformer,
  tcpLog,
  udpLog,
]
