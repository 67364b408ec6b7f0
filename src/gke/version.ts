/**
 * GKE version strings: MAJOR.MINOR.PATCH-gke.N, with an optional leading `v` (node versions).
 * The four numbers compare numerically, so gke.500 < gke.1501. Anything else is malformed (SPEC
 * §7): a leading zero, a space around it, a number beyond what a double holds exactly.
 *
 * remediate.sh decides the same order again at run time, before it upgrades the master
 * (`gke_version_below`, src/remediate/checks/gke-version.sh.hbs); one table of cases,
 * test/conformance/gke-version-order.json, runs through both.
 */
export interface GkeVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly gke: number;
}

const GKE_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)-gke\.(0|[1-9]\d*)$/;

export function parseGkeVersion(text: string): GkeVersion | undefined {
  const match = GKE_VERSION.exec(text);
  if (!match) return undefined;
  const [major, minor, patch, gke] = match.slice(1).map(Number) as [number, number, number, number];
  if (![major, minor, patch, gke].every(Number.isSafeInteger)) return undefined;
  return { major, minor, patch, gke };
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareGkeVersions(a: GkeVersion, b: GkeVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.gke - b.gke;
}

/**
 * Whether version `a` is below `b`; undefined when either is not a GKE version. The order
 * remediate.sh's master check uses (see the module comment).
 */
export function isGkeVersionBelow(a: string, b: string): boolean | undefined {
  const [older, newer] = [parseGkeVersion(a), parseGkeVersion(b)];
  return older && newer ? compareGkeVersions(older, newer) < 0 : undefined;
}

export function formatGkeVersion(v: GkeVersion): string {
  return `${v.major}.${v.minor}.${v.patch}-gke.${v.gke}`;
}

/** Parses a version the catalogue itself states; a typo there is a programming error. */
export function gkeVersion(text: string): GkeVersion {
  const parsed = parseGkeVersion(text);
  if (!parsed) throw new Error(`not a GKE version: ${text}`);
  return parsed;
}

export function isAtLeast(version: GkeVersion, minimum: GkeVersion): boolean {
  return compareGkeVersions(version, minimum) >= 0;
}

export function sameMinor(version: GkeVersion, major: number, minor: number, patch?: number): boolean {
  return (
    version.major === major && version.minor === minor && (patch === undefined || version.patch === patch)
  );
}

/** The explanation used when a version string cannot be parsed. */
export function malformedVersionReason(what: string, text: string): string {
  return `${what} "${text}" is not a GKE version (expected MAJOR.MINOR.PATCH-gke.N)`;
}
