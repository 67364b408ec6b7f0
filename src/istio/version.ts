/**
 * Istio release versions as the add-on and ASM tag their images: `1.4.10-gke.4`, `1.6.11-gke.0`,
 * `1.7.3-asm.6`, plain `1.6.3`. The three release numbers compare numerically; the build number
 * (`gke.N`, `asm.N`) only orders builds of the same flavour, since a gke and an asm build of one
 * release are not older or newer than each other. Anything else (a space around it included) is
 * not a version: remediate.sh reads image tags again at run time and must read them alike
 * (./proxies.ts).
 */
export interface IstioVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** `gke`, `asm`, or undefined for an upstream build. */
  readonly flavour: string | undefined;
  readonly build: number | undefined;
  readonly text: string;
}

const ISTIO_VERSION = /^v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:-([a-z]+)\.(\d{1,9}))?(?:-[A-Za-z0-9.]+)?$/;

/**
 * Versions read so far, by text: a cluster of 150,000 pods has a handful of distinct proxy tags,
 * each read several times per pod. Bounded, for the inputs where every tag differs.
 */
const PARSED = new Map<string, IstioVersion | undefined>();
const PARSED_LIMIT = 4096;

export function parseIstioVersion(text: string): IstioVersion | undefined {
  if (PARSED.has(text)) return PARSED.get(text);
  const version = readIstioVersion(text);
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(text, version);
  return version;
}

function readIstioVersion(text: string): IstioVersion | undefined {
  const match = ISTIO_VERSION.exec(text);
  if (!match) return undefined;
  const [, major, minor, patch, flavour, build] = match;
  // Frozen: one object is shared by every caller that reads the same text.
  return Object.freeze({
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    flavour,
    build: build === undefined ? undefined : Number(build),
    text,
  });
}

/**
 * Texts of versions, each once, in release order (1.4.6 before 1.4.10, builds of a flavour by
 * number), then texts that are not versions (`?`, `latest`) as text: for messages listing them.
 */
export function sortedVersionTexts(texts: Iterable<string>): string[] {
  return [...new Set(texts)].sort(compareVersionTexts);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareVersionTexts(a: string, b: string): number {
  const [x, y] = [parseIstioVersion(a), parseIstioVersion(b)];
  if (!x || !y) return x ? -1 : y ? 1 : compareText(a, b);
  return (
    x.major - y.major ||
    x.minor - y.minor ||
    x.patch - y.patch ||
    compareText(x.flavour ?? '', y.flavour ?? '') ||
    (x.build ?? -1) - (y.build ?? -1) ||
    compareText(a, b)
  );
}

/** Whether `a` is an older release than `b` (see the module comment for builds). */
export function isOlderIstio(a: IstioVersion, b: IstioVersion): boolean {
  const release = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (release !== 0) return release < 0;
  if (a.flavour !== b.flavour || a.build === undefined || b.build === undefined) return false;
  return a.build < b.build;
}

/** Istio 1.6.0: proxies older than this still talk to the add-on's 1.4 control plane. */
export const ISTIO_16: IstioVersion = Object.freeze({
  major: 1,
  minor: 6,
  patch: 0,
  flavour: undefined,
  build: undefined,
  text: '1.6.0',
});

/** Whether a proxy of this version belongs to the 1.4 control plane (anything before 1.6). */
export function isPreIstio16(version: IstioVersion): boolean {
  return isOlderIstio(version, ISTIO_16);
}
