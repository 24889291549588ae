// The acl decision, precomputed per plugin instance: which groups are listed, and per set of groups
// (one array per consumer and configuration) whether it is blocked or which header value it passes with.

export const BLOCKED = true

export interface CompiledAcl {
  deny: boolean
  groups: ReadonlySet<string>
  hideGroupsHeader: boolean
  alwaysUseAuthenticatedGroups: boolean
  /** Per consumer acl rows: BLOCKED, or the X-Consumer-Groups value. Weak, so old configurations go away. */
  verdicts: WeakMap<object, true | string>
}

export function compileAcl(conf: { allow: string[] | null; deny: string[] | null; hide_groups_header: boolean; always_use_authenticated_groups: boolean }): CompiledAcl {
  // as Kong: a non-empty deny list makes it a deny list, whatever allow says
  const deny = !!conf.deny && conf.deny.length > 0
  return {
    deny,
    groups: new Set(deny ? conf.deny : (conf.allow ?? [])),
    hideGroupsHeader: conf.hide_groups_header,
    alwaysUseAuthenticatedGroups: conf.always_use_authenticated_groups,
    verdicts: new WeakMap(),
  }
}

/** BLOCKED, or the header value to pass with ('' when the header is hidden, as Kong saves the join). */
export function verdict(conf: CompiledAcl, names: readonly string[]): true | string {
  const inGroup = names.some((g) => conf.groups.has(g))
  if (conf.deny ? inGroup : !inGroup) return BLOCKED
  return conf.hideGroupsHeader ? '' : names.join(', ')
}
