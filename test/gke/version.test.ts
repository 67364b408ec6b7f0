import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasIstio16Operator, upgradeDeletesCustomResources } from '../../src/gke/gates.ts';
import {
  compareGkeVersions,
  formatGkeVersion,
  type GkeVersion,
  gkeVersion,
  parseGkeVersion,
} from '../../src/gke/version.ts';

const part = fc.nat({ max: 100_000 });
const version = fc.record({ major: part, minor: part, patch: part, gke: part });

describe('GKE versions (SPEC §7)', () => {
  it('parses MAJOR.MINOR.PATCH-gke.N with an optional v prefix', () => {
    expect(parseGkeVersion('1.17.9-gke.6300')).toEqual({ major: 1, minor: 17, patch: 9, gke: 6300 });
    expect(parseGkeVersion('v1.16.15-gke.4300')).toEqual({ major: 1, minor: 16, patch: 15, gke: 4300 });
  });

  it.each([
    '',
    '1.17',
    '1.17.9',
    '1.17.9-gke',
    '1.17.9-gke.',
    '1.17.9-gke.1a',
    '1.17.9-asm.1',
    'vv1.17.9-gke.1',
    '1.17.9-gke.6300.1',
    '01.17.9-gke.1',
    '1.17.9-GKE.1',
    'latest',
  ])('rejects the malformed version %j', (text) => {
    expect(parseGkeVersion(text)).toBeUndefined();
  });

  it('compares gke.N numerically, not as text', () => {
    expect(compareGkeVersions(gkeVersion('1.17.9-gke.500'), gkeVersion('1.17.9-gke.1501'))).toBeLessThan(0);
    expect(compareGkeVersions(gkeVersion('1.9.0-gke.1'), gkeVersion('1.17.0-gke.1'))).toBeLessThan(0);
  });

  it('round-trips every well-formed version, with and without v', () => {
    fc.assert(
      fc.property(version, fc.boolean(), (v, prefix) => {
        const text = `${prefix ? 'v' : ''}${formatGkeVersion(v)}`;
        expect(parseGkeVersion(text)).toEqual(v);
      }),
    );
  });

  it('orders versions like their tuple of numbers (a total order)', () => {
    const tuple = (v: GkeVersion) => [v.major, v.minor, v.patch, v.gke];
    const lexical = (a: number[], b: number[]) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
      return 0;
    };
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(Math.sign(compareGkeVersions(a, b))).toBe(Math.sign(lexical(tuple(a), tuple(b))));
        expect(Math.sign(compareGkeVersions(a, b))).toBe(-Math.sign(compareGkeVersions(b, a)));
        if (compareGkeVersions(a, b) <= 0 && compareGkeVersions(b, c) <= 0) {
          expect(compareGkeVersions(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it('has the Istio 1.6 operator exactly where the guide says', () => {
    const yes = [
      '1.17.7-gke.8',
      '1.17.7-gke.17',
      '1.17.8-gke.6',
      '1.17.9-gke.6300',
      '1.17.9-gke.6301',
      '1.17.10-gke.1',
      '1.18.1-gke.1',
    ];
    const no = [
      '1.16.15-gke.4300',
      '1.17.6-gke.11',
      '1.17.7-gke.7',
      '1.17.8-gke.5',
      '1.17.9-gke.1600',
      '1.15.12-gke.20',
    ];
    for (const v of yes) expect(hasIstio16Operator(gkeVersion(v)), v).toBe(true);
    for (const v of no) expect(hasIstio16Operator(gkeVersion(v)), v).toBe(false);
  });

  it('is monotonic beyond 1.17.9-gke.6300: a later version never loses the operator', () => {
    const minimum = gkeVersion('1.17.9-gke.6300');
    fc.assert(
      fc.property(version, (v) => {
        if (compareGkeVersions(v, minimum) >= 0) expect(hasIstio16Operator(v)).toBe(true);
      }),
    );
  });

  it('knows which 1.16 upgrade targets delete istio-system custom resources', () => {
    expect(upgradeDeletesCustomResources(gkeVersion('1.17.12-gke.1500'))).toBe(true);
    expect(upgradeDeletesCustomResources(gkeVersion('1.17.12-gke.1501'))).toBe(false);
    expect(upgradeDeletesCustomResources(gkeVersion('1.18.9-gke.1500'))).toBe(true);
    expect(upgradeDeletesCustomResources(gkeVersion('1.18.9-gke.1501'))).toBe(false);
    expect(upgradeDeletesCustomResources(gkeVersion('1.19.1-gke.1'))).toBe(false);
  });
});
