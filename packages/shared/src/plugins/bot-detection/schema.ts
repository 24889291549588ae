// bot-detection config (Kong 3.9): extra allow/deny regexes checked against User-Agent.
import { z } from 'zod'
import { isRegex } from '../../pdk/regex.ts'

const regex = z.string().refine(isRegex, { error: (i) => `not a valid regex: ${String(i.input)}` })

export const schema = z.strictObject({
  allow: z.array(regex).default([]),
  deny: z.array(regex).default([]),
})
export type BotDetectionConfig = z.output<typeof schema>
