// The core entity registry; plugin credential entities join it through the plugin catalogue.
import { services } from './services.ts'
import { routes } from './routes.ts'
import { consumers } from './consumers.ts'
import { plugins } from './plugins.ts'
import { caCertificates, certificates, snis } from './certificates.ts'
import { upstreams } from './upstreams.ts'
import { targets } from './targets.ts'
import { admins } from './admins.ts'
import { auditRequests } from './audit-requests.ts'

export { services, routes, consumers, plugins, certificates, snis, caCertificates, upstreams, targets, admins, auditRequests }
// parents before children: declarative import and snapshots apply in this order
export const CORE_ENTITIES = [certificates, snis, caCertificates, services, routes, consumers, plugins, upstreams, targets, admins, auditRequests]
