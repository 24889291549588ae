// acl: allow or deny consumers by group, after authentication (Kong PRIORITY 950).
import { definePlugin } from '../../plugin.ts'
import { schema } from './schema.ts'
import { acls } from './daos.ts'
import { compileAcl } from './decide.ts'
import { handler } from './handler.ts'

export default definePlugin({
  name: 'acl',
  version: '1.0.0',
  priority: 950,
  schema,
  daos: [acls],
  consumerScope: false,
  compile: compileAcl,
  handler,
})
