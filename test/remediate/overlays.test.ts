/**
 * The install_asm `--custom_overlay` files `meshready scan` writes next to the reports
 * (src/remediate/overlays.ts): one per file name, from the findings' fix data only when it is valid.
 */
import { describe, expect, it } from 'vitest';
import type { Fix } from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { customOverlays } from '../../src/remediate/overlays.ts';
import { finding, report, result } from './reports.ts';

const operator = (name: string) => ({
  apiVersion: 'install.istio.io/v1alpha1',
  kind: 'IstioOperator',
  namespace: 'istio-system',
  name,
});

const overlayFix = (name: string, file: string, overlay: string): Fix =>
  fix('write-custom-overlay', {
    operator: name,
    namespace: 'istio-system',
    file,
    overlay,
    settings: ['meshConfig.accessLogFile'],
  });

describe('customOverlays', () => {
  it('gives each overlay file of the findings, in the order of the report', () => {
    const scanned = report('asm-1.7', [
      result('install-asm-preconditions', 'asm-install', [
        finding({
          resource: operator('b'),
          fix: overlayFix('b', 'b-overlay.yaml', 'kind: IstioOperator\n# b\n'),
        }),
        finding({
          resource: operator('a'),
          fix: overlayFix('a', 'a-overlay.yaml', 'kind: IstioOperator\n# a\n'),
        }),
      ]),
      result('istio-operator-profile', 'asm-install', [
        finding({
          resource: operator('c'),
          fix: overlayFix('c', 'c-overlay.yaml', 'kind: IstioOperator\n# c\n'),
        }),
      ]),
    ]);
    expect(customOverlays(scanned)).toEqual([
      { file: 'b-overlay.yaml', text: 'kind: IstioOperator\n# b\n' },
      { file: 'a-overlay.yaml', text: 'kind: IstioOperator\n# a\n' },
      { file: 'c-overlay.yaml', text: 'kind: IstioOperator\n# c\n' },
    ]);
  });

  it('writes a file named twice once, with the first finding’s text', () => {
    const scanned = report('asm-1.7', [
      result('install-asm-preconditions', 'asm-install', [
        finding({ resource: operator('a'), fix: overlayFix('a', 'same.yaml', 'first\n') }),
        finding({ resource: operator('b'), fix: overlayFix('b', 'same.yaml', 'second\n') }),
      ]),
    ]);
    expect(customOverlays(scanned)).toEqual([{ file: 'same.yaml', text: 'first\n' }]);
  });

  it('leaves out suppressed findings, other fixes, and fix data that is not a plain file name', () => {
    const tampered: Fix = {
      action: 'write-custom-overlay',
      params: {
        operator: 'x',
        namespace: 'istio-system',
        file: '../../etc/x.yaml',
        overlay: 'x\n',
        settings: [],
      },
    };
    const scanned = report('asm-1.7', [
      result('install-asm-preconditions', 'asm-install', [
        finding({
          resource: operator('s'),
          fix: overlayFix('s', 's.yaml', 's\n'),
          suppressed: { reason: 'accepted', source: 'config' },
        }),
        finding({ resource: operator('x'), fix: tampered }),
        finding({
          resource: operator('y'),
          fix: fix('inspect-operator', { name: 'y', namespace: 'istio-system' }),
        }),
        finding({ resource: operator('n') }),
        finding({ resource: operator('k'), fix: overlayFix('k', 'kept.yaml', 'k\n') }),
      ]),
    ]);
    expect(customOverlays(scanned)).toEqual([{ file: 'kept.yaml', text: 'k\n' }]);
  });

  it('gives none for a report without overlays', () => {
    expect(
      customOverlays(report('asm-1.7', [result('install-asm-preconditions', 'asm-install', [])])),
    ).toEqual([]);
  });
});
