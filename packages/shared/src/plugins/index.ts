// The bundled plugin catalogue: both planes load plugins from here (and third-party ones by name).
import keyAuth from './key-auth/index.ts'
import requestTermination from './request-termination/index.ts'
import type { PluginDef } from '../plugin.ts'

export const BUNDLED_PLUGINS: PluginDef[] = [keyAuth, requestTermination]
