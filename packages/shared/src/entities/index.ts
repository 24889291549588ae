// The core entity registry; plugin credential entities join it through the plugin catalogue.
import { services } from './services.ts'
import { routes } from './routes.ts'
import { consumers } from './consumers.ts'
import { plugins } from './plugins.ts'
import { upstreams } from './upstreams.ts'
import { targets } from './targets.ts'

export { services, routes, consumers, plugins, upstreams, targets }
export const CORE_ENTITIES = [services, routes, consumers, plugins, upstreams, targets]
