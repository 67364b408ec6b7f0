/**
 * The install_asm --custom_overlay generator: from an IstioOperator as kubectl prints it, through
 * the loader's stripping, to the overlay text. It must round-trip (parsing the overlay gives back
 * exactly the customised settings) and carry nothing else.
 */
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

  it('keeps a hostile operator name on its comment line', () => {
    const overlay = customOverlay(
      loaded({ meshConfig: { accessLogFile: '/dev/stdout' } }, 'x\nkind: Secret'),
    );
    expect(parse(overlay?.yaml ?? '').kind).toBe('IstioOperator');
    expect(overlay?.yaml.split('\n')[0]).toContain('x kind: Secret');
  });
});
