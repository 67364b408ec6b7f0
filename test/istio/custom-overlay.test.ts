/**
 * The install_asm --custom_overlay generator: from an IstioOperator as kubectl prints it, through
 * the loader's stripping, to the overlay text. It must round-trip (parsing the overlay gives back
 * exactly the customised settings) and carry nothing else.
 */

import { load as loadJsYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { customOverlay } from '../../src/istio/custom-overlay.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { IstioOperator } from '../../src/snapshot/model.ts';
import { istioOperator } from '../helpers/objects.ts';

type Raw = Record<string, unknown>;

function loaded(spec: Raw, name = 'istio-1-6-11-gke-0'): IstioOperator {
  const snapshot = snapshotFromDocuments({ documents: [istioOperator(name, { spec })] });
  const [operator] = snapshot.kube.istiooperators;
  if (!operator) throw new Error('the IstioOperator was not loaded');
  return operator;
}

const CUSTOM = {
  meshConfig: { accessLogFile: '/dev/stdout', defaultConfig: { holdApplicationUntilProxyStarts: true } },
  values: {
    pilot: { traceSampling: 2.5 },
    global: { proxy: { resources: { limits: { memory: '512Mi' } } } },
  },
  components: {
    pilot: { k8s: { hpaSpec: { minReplicas: 2, maxReplicas: 5 }, env: [{ name: 'A', value: 'b' }] } },
  },
};

describe('customOverlay', () => {
  it('round-trips: the overlay is an IstioOperator whose spec is exactly the custom settings', () => {
    const operator = loaded({
      profile: 'default',
      revision: 'istio-1611',
      tag: '1.6.11-gke.0',
      hub: 'gcr.io/gke-release/istio',
      ...CUSTOM,
      components: {
        ...CUSTOM.components,
        pilot: { enabled: true, ...CUSTOM.components.pilot },
        ingressGateways: [
          { name: 'istio-ingressgateway', enabled: true, k8s: { service: { type: 'NodePort' } } },
        ],
      },
    });
    const overlay = customOverlay(operator);
    expect(overlay).toBeDefined();
    const documents = parseAllDocuments(overlay?.yaml ?? '');
    expect(documents).toHaveLength(1);
    expect(parse(overlay?.yaml ?? '')).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      spec: CUSTOM,
    });
    expect(overlay?.settings).toEqual([
      'meshConfig.accessLogFile',
      'meshConfig.defaultConfig',
      'values.pilot.traceSampling',
      'values.global.proxy',
      'components.pilot.k8s.hpaSpec',
      'components.pilot.k8s.env',
    ]);
  });

  it('carries no profile, revision, tag, hub, gateway settings or Istio 1.6 defaults', () => {
    const overlay = customOverlay(
      loaded({
        profile: 'default',
        revision: 'istio-1611',
        values: {
          gateways: { 'istio-ingressgateway': { autoscaleMin: 2 } },
          global: {
            proxy: { clusterDomain: 'cluster.local', logLevel: 'debug' },
            istioNamespace: 'istio-system',
          },
        },
        components: { ingressGateways: [{ name: 'istio-ingressgateway', k8s: { replicaCount: 3 } }] },
      }),
    );
    expect(parse(overlay?.yaml ?? '').spec).toEqual({ values: { global: { proxy: { logLevel: 'debug' } } } });
    expect(overlay?.yaml).not.toMatch(
      /profile|revision|istio-1611|ingressGateways|clusterDomain|istioNamespace/,
    );
  });

  it('is undefined for an operator without customisations, or with defaults only', () => {
    expect(
      customOverlay(loaded({ profile: 'default', components: { pilot: { enabled: true } } })),
    ).toBeUndefined();
    expect(
      customOverlay(
        loaded({ values: { global: { proxy: { clusterDomain: 'cluster.local' } } }, meshConfig: {} }),
      ),
    ).toBeUndefined();
  });

  it('round-trips hostile keys and values in YAML 1.2 and 1.1 readers alike (issue #25)', () => {
    // JSON.parse, as the loader reads it: `__proto__` is an own key here, not a prototype.
    const hostile = JSON.parse(`{
      "meshConfig": {
        "__proto__": { "polluted": "yes" },
        "lineSeparator": "a\\u2028b", "nextLine": "a\\u0085b", "paragraph": "a\\u2029b",
        "controls": "\\u0000\\u0007\\u001b\\u007f\\u009f\\ufeff", "words": ["yes", "on", "~", "null", "1e3", "0x1F", "1:20"]
      },
      "components": { "pilot": { "k8s": { "podAnnotations": {
        "<<": { "merged": "no" }, "*alias": "&anchor", "key: with colon": "# not a comment", "${'k'.repeat(1100)}": "long key"
      } } } }
    }`);
    const overlay = customOverlay(loaded(hostile));
    const text = overlay?.yaml ?? '';
    expect(text).not.toMatch(/[\u0085\u2028\u2029\u007f\ufeff]/);
    const expected = {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      spec: JSON.parse(JSON.stringify(hostile)),
    };
    expect(parse(text)).toEqual(expected);
    // YAML 1.1, as Go's YAML library reads it: merge keys on, `yes`/`on` booleans when plain.
    expect(parse(text, { version: '1.1', merge: true })).toEqual(expected);
    expect(loadJsYaml(text)).toEqual(expected);
    expect(Object.keys(parse(text).spec.meshConfig)).toContain('__proto__');
    expect(overlay?.settings).toContain('meshConfig.__proto__');
  });

  it('keeps a hostile operator name on its comment line', () => {
    const overlay = customOverlay(
      loaded({ meshConfig: { accessLogFile: '/dev/stdout' } }, 'x\nkind: Secret'),
    );
    expect(parse(overlay?.yaml ?? '').kind).toBe('IstioOperator');
    expect(overlay?.yaml.split('\n')[0]).toContain('x kind: Secret');
    for (const separator of ['\u0085', '\u2028', '\u2029']) {
      const named = customOverlay(
        loaded({ meshConfig: { accessLogFile: '/dev/stdout' } }, `x${separator}kind: Secret`),
      );
      expect(named?.yaml.split('\n')[0]).toContain('x kind: Secret');
      expect(named?.yaml).not.toContain(separator);
    }
  });
});
