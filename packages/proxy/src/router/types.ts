// Public and internal types of the proxy route matcher (Kong `traditional_compatible` semantics, spec §4.3–4.5).

export interface RouteInput {
  id: string
  hosts: string[] | null
  /** '/prefix' or '~/regex' (regex anchored at start, JS RegExp syntax; Rust-style `(?P<n>` is accepted). */
  paths: string[] | null
  methods: string[] | null
  /** header name -> allowed values; a value starting with '~*' is a case-insensitive regex. */
  headers: Record<string, string[]> | null
  snis: string[] | null
  protocols: string[]
  regex_priority: number
  strip_path: boolean
  path_handling: 'v0' | 'v1' | null
  preserve_host: boolean
  created_at: number
}

export interface MatchInput {
  method: string
  /** Value of the Host header (HTTP/2: `:authority`), may include ':port'. */
  host: string
  /** Port the proxy accepted the connection on (used when Host has no port). */
  port: number
  /** Normalized request path, no query string. */
  path: string
  /**
   * Lower-cased names (node's req.headers). Node joins repeated headers with ', '; pass
   * `req.headersDistinct` to get Kong's "any of the header lines matches" semantics exactly.
   */
  headers: Record<string, string | string[] | undefined>
  /** TLS SNI. `undefined` means plain HTTP, so route `snis` are ignored; use '' for TLS without SNI. */
  sni?: string
}

export interface RouteMatch<R extends RouteInput> {
  route: R
  /** The part of the path matched by the route: the prefix, or the whole regex match; null when matched without a path. */
  matchedPath: string | null
  /** Regex captures: numbered (1-based in `unnamed[0]` = group 1) and named. */
  captures: { unnamed: string[]; named: Record<string, string> } | null
}

export interface Router<R extends RouteInput> {
  match(input: MatchInput): RouteMatch<R> | null
  /** Number of routes in the router (stream-only routes are left out). */
  readonly size: number
}

export interface BuildOptions<R extends RouteInput = RouteInput> {
  /** Called for problems that make part of a route unmatchable (e.g. a regex JS cannot compile). */
  onWarning?: (message: string) => void
  /** The router being replaced: a small change then updates its structures instead of rebuilding. */
  previous?: Router<R>
}

// ---- internal ----

/** Intended Kong 64-bit priority, kept as separate fields (see priority.ts). */
export interface Priority {
  /** W: number of non-empty matching attributes (methods, hosts, headers, paths, snis). */
  w: number
  /** P: hosts set (even `[]`, Kong quirk) and none has a wildcard. */
  p: 0 | 1
  /** H: number of header names, capped at 255. */
  h: number
  /** X: the path group is regex. */
  x: 0 | 1
  /** R: regex_priority (0 unless X). */
  r: number
  /** L: prefix length in bytes (0 for regex / no path), capped at 0x7FFFF. */
  l: number
}

/** One path group of a route: all its regex paths, or all its prefix paths of one length. */
export interface PathGroup {
  regex: boolean
  paths: string[]
  /** Byte length shared by the prefix paths (0 for regex). */
  length: number
}

/** A set of host (or SNI) patterns compiled for O(1)-ish checks. */
export interface HostSet {
  /** The plain name accepting any port, when the route has exactly one (a Set costs ~250 bytes). */
  one: string | null
  /** Plain names accepting any port, when there are two or more (null otherwise). */
  exact: Set<string> | null
  /** Plain names with a port, as 'name:port' (null: none). */
  withPort: Set<string> | null
  /** `*.x.y` → suffix '.x.y'; `x.*` → prefix 'x.' (null: none). */
  wild: { suffix: boolean; text: string; port: number | null }[] | null
}

export interface HeaderCond {
  /** Request header keys to look up ('-' and '_' are interchangeable in Kong). */
  keys: string[]
  values: Set<string>
  regexes: RegExp[]
}

/** Compiled regex path: the original text and the JS RegExp (anchored like Kong: '^' + pattern). */
export interface RegexPath {
  source: string
  re: RegExp
}

/** One unit of the router: a route restricted to one path group, with its own priority. */
export interface Matcher<R extends RouteInput> {
  route: R
  rank: number
  priority: Priority
  methods: Set<string> | null
  hosts: HostSet | null
  snis: HostSet | null
  headers: HeaderCond[] | null
  /** null = no path condition. */
  group: PathGroup | null
  regexes: RegexPath[] | null
}
