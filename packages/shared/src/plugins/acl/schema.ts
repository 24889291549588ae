// acl config (Kong 3.9 fields, defaults and its two entity checks on allow/deny).
import { z } from 'zod'

const FIELDS = "'config.allow', 'config.deny'"
const nonEmpty = (a: string[] | null) => a !== null && a.length > 0

export const schema = z
  .strictObject({
    allow: z.array(z.string().min(1)).nullable().default(null),
    deny: z.array(z.string().min(1)).nullable().default(null),
    hide_groups_header: z.boolean().default(false),
    always_use_authenticated_groups: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    // Kong's only_one_of runs only when both fields are present (run_with_missing_fields = false)
    if (c.allow !== null && c.deny !== null && nonEmpty(c.allow) === nonEmpty(c.deny))
      ctx.addIssue({ code: 'custom', path: [], message: `exactly one of these fields must be non-empty: ${FIELDS}`, params: { entity: true } })
    if (!nonEmpty(c.allow) && !nonEmpty(c.deny))
      ctx.addIssue({ code: 'custom', path: [], message: `at least one of these fields must be non-empty: ${FIELDS}`, params: { entity: true } })
  })
export type AclConfig = z.output<typeof schema>
