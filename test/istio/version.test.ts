/** Istio version texts (src/istio/version.ts): reading them, and listing them in release order. */
import { describe, expect, it } from 'vitest';
import { isOlderIstio, parseIstioVersion, sortedVersionTexts } from '../../src/istio/version.ts';

describe('Istio versions', () => {
  it('lists version texts once each, in release order, then what is not a version, as text', () => {
    expect(
      sortedVersionTexts([
        '1.4.10-gke.4',
        '?',
        '1.6.11-gke.0',
        '1.4.6-gke.0',
        'latest',
        '1.4.10-gke.4',
        '1.4.10-gke.12',
        '1.10.0',
        '1.6.11-asm.1',
        '1.4.10',
        '1.9.9',
      ]),
    ).toEqual([
      '1.4.6-gke.0',
      '1.4.10',
      '1.4.10-gke.4',
      '1.4.10-gke.12',
      '1.6.11-asm.1',
      '1.6.11-gke.0',
      '1.9.9',
      '1.10.0',
      '?',
      'latest',
    ]);
    expect(sortedVersionTexts([])).toEqual([]);
  });

  it('reads a text the same way every time, as one shared frozen value', () => {
    const first = parseIstioVersion('1.4.10-gke.4');
    expect(first).toEqual({ major: 1, minor: 4, patch: 10, flavour: 'gke', build: 4, text: '1.4.10-gke.4' });
    expect(parseIstioVersion('1.4.10-gke.4')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseIstioVersion(' 1.4.10')).toBeUndefined();
    expect(parseIstioVersion(' 1.4.10')).toBeUndefined();
  });

  it('keeps reading correctly once its memo of texts is full', () => {
    for (let i = 0; i < 5000; i++) expect(parseIstioVersion(`1.${i}.0`)?.minor).toBe(i);
    expect(parseIstioVersion('1.4.10-gke.4')?.build).toBe(4);
    expect(isOlderIstio(parseIstioVersion('1.4.9') as never, parseIstioVersion('1.4.10') as never)).toBe(
      true,
    );
  });
});
