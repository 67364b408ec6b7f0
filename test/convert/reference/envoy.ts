/**
 * What Envoy does with the matchers both Istio versions generate: header, string, metadata and
 * CIDR matching (envoy/type/matcher and envoy/config/rbac/v2 semantics), and how the jwt_authn
 * filter finds and verifies a token for one provider. Shared by the 1.4 and 1.6 evaluators: the
 * versions differ in what they generate, not in how Envoy evaluates it.
 */
import { pathWithoutQuery, type Request, type Token, type TokenLocation } from './world.ts';

export type HeaderSpec =
  | { readonly present: true }
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly suffix: string };

/**
 * Istio's HeaderMatcher(k, v), identical at 1.4.10 (pilot/pkg/security/authz/model/matcher/header.go:24-56)
 * and 1.6.0 (pilot/pkg/security/authz/matcher/header.go:25-57): `*` present, `*x` suffix, `x*` prefix, else exact.
 */
export function istioHeaderSpec(value: string): HeaderSpec {
  if (value === '*') return { present: true };
  if (value.startsWith('*')) return { suffix: value.slice(1) };
  if (value.endsWith('*')) return { prefix: value.slice(0, -1) };
  return { exact: value };
}

/** A request header as the RBAC filter sees it: pseudo-headers included, names case-insensitive. */
export function headerOf(request: Request, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === ':method') return request.method;
  if (lower === ':path') return request.path;
  if (lower === ':authority' || lower === 'host') return request.host;
  if (lower === 'authorization' && request.token?.location === 'bearer')
    return `Bearer ${tokenText(request.token)}`;
  if (lower === 'x-jwt' && request.token?.location === 'x-jwt') return tokenText(request.token);
  return request.headers[lower];
}

export function matchHeader(actual: string | undefined, spec: HeaderSpec): boolean {
  if (actual === undefined) return false;
  if ('present' in spec) return true;
  if ('exact' in spec) return actual === spec.exact;
  if ('prefix' in spec) return actual.startsWith(spec.prefix);
  return actual.endsWith(spec.suffix);
}

export type StringSpec =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly regex: string };

/** A StringMatcher on a value that may be missing (a missing metadata key never matches). */
export function matchString(actual: string | undefined, spec: StringSpec): boolean {
  if (actual === undefined) return false;
  if ('exact' in spec) return actual === spec.exact;
  if ('prefix' in spec) return actual.startsWith(spec.prefix);
  if ('suffix' in spec) return actual.endsWith(spec.suffix);
  // RE2 full match.
  return new RegExp(`^(?:${spec.regex})$`, 's').test(actual);
}

/** Envoy's url_path: the :path without query or fragment (what 1.6 `paths` match, Istio >= 1.5 proxies). */
export function urlPath(request: Request): string {
  return pathWithoutQuery(request.path);
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** `10.0.0.0/8` or `10.1.2.3`; undefined when it is not an IPv4 address or CIDR (Istio ignores those). */
export function parseCidr(text: string): { base: number; bits: number } | undefined {
  const [address, bitsText, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return undefined;
  const base = ipv4(address);
  const bits = bitsText === undefined ? 32 : /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
  if (base === undefined || !(bits >= 0 && bits <= 32)) return undefined;
  return { base, bits };
}

export function inCidr(ip: string, cidr: { base: number; bits: number }): boolean {
  const value = ipv4(ip);
  if (value === undefined) return false;
  const size = 2 ** (32 - cidr.bits);
  return Math.floor(value / size) === Math.floor(cidr.base / size);
}

/** One jwt_authn provider: its issuer, audiences and where it looks for a token. */
export interface JwtProvider {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly headers: readonly { readonly name: string; readonly prefix: string }[];
  readonly params: readonly string[];
}

export function tokenText(token: Token): string {
  return `token-of-${token.issuer}`;
}

const LOCATION_HEADER: Readonly<Record<TokenLocation, { name: string; prefix: string } | undefined>> = {
  bearer: { name: 'authorization', prefix: 'Bearer ' },
  'x-jwt': { name: 'x-jwt', prefix: '' },
  access_token: undefined,
};

/**
 * What one provider makes of the request's token: 'missing' (not in its locations), 'verified',
 * or 'failed'. Without explicit locations a provider reads `Authorization: Bearer` and the
 * `access_token` query parameter (jwt_authn's defaults).
 */
export function verifyWith(
  provider: JwtProvider,
  token: Token | undefined,
): 'missing' | 'verified' | 'failed' {
  if (token === undefined) return 'missing';
  const explicit = provider.headers.length > 0 || provider.params.length > 0;
  const headers = explicit ? provider.headers : [{ name: 'authorization', prefix: 'Bearer ' }];
  const params = explicit ? provider.params : ['access_token'];
  const carried = LOCATION_HEADER[token.location];
  let seen: 'no' | 'yes' | 'malformed' = 'no';
  if (carried === undefined) {
    if (params.includes(token.location)) seen = 'yes';
  } else {
    for (const header of headers) {
      if (header.name.toLowerCase() !== carried.name) continue;
      const value = `${carried.prefix}token`;
      if (header.prefix !== '' && !value.startsWith(header.prefix)) continue;
      seen = value.slice(header.prefix.length) === 'token' ? 'yes' : 'malformed';
      break;
    }
  }
  if (seen === 'no') return 'missing';
  if (seen === 'malformed' || !token.valid || token.issuer !== provider.issuer) return 'failed';
  if (provider.audiences.length > 0 && !token.audiences.some((a) => provider.audiences.includes(a))) {
    return 'failed';
  }
  return 'verified';
}

/** A JWT claim as istio/proxy's authn filter stores it: a string list, a string split on spaces. */
export function claimList(token: Token, claim: string): readonly string[] | undefined {
  const standard: Record<string, string | readonly string[]> = {
    iss: token.issuer,
    sub: token.subject,
    aud: token.audiences,
    ...token.claims,
  };
  const value = standard[claim];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : value;
}
