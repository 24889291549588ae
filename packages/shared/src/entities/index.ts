// The core entity registry; plugin credential entities join it through the plugin catalogue.
import { services } from './services.ts'
import { routes } from './routes.ts'
import { consumers } from './consumers.ts'
import { plugins } from './plugins.ts'

export { services, routes, consumers, plugins }
export const CORE_ENTITIES = [services, routes, consumers, plugins]
