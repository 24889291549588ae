// ip-restriction config (Kong 3.9): allow/deny lists of IPv4/IPv6 addresses or CIDR blocks, status, message.
import { z } from 'zod'
import { isIpOrCidr } from '../../pdk/ip.ts'

const ipOrCidr = z.string().refine(isIpOrCidr, { error: (i) => `invalid ip or cidr range: '${String(i.input)}'` })

const list = z.array(ipOrCidr).nullable().default(null)

export const schema = z
  .strictObject({
    allow: list,
    deny: list,
    status: z.number().nullable().default(null),
    message: z.string().nullable().default(null),
  })
  .superRefine((c, ctx) => {
    // Kong's entity check at_least_one_of { "config.allow", "config.deny" } (an empty array counts as absent)
    if (!c.allow?.length && !c.deny?.length)
      ctx.addIssue({ code: 'custom', message: "at least one of these fields must be non-empty: 'config.allow', 'config.deny'", path: [], params: { entity: true } })
  })
export type IpRestrictionConfig = z.output<typeof schema>
