// The bundled plugin catalogue: both planes load plugins from here (and third-party ones by name).
import keyAuth from './key-auth/index.ts'
import requestTermination from './request-termination/index.ts'
import oauth2 from './oauth2/index.ts'
import jwt from './jwt/index.ts'
import phantomToken from './phantom-token/index.ts'
import kongAuthIntegration from './kong-auth-integration/index.ts'
import oauth2Introspection from './oauth2-introspection/index.ts'
import rateLimiting from './rate-limiting/index.ts'
import type { PluginDef } from '../plugin.ts'

export const BUNDLED_PLUGINS: PluginDef[] = [keyAuth, requestTermination, oauth2, jwt, phantomToken, kongAuthIntegration, oauth2Introspection, rateLimiting]
