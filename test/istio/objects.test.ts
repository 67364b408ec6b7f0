import { describe, expect, it } from 'vitest';
import {
  isAddonManaged,
  isControlPlaneObject,
  kindSlashName,
  kubectlResourceName,
} from '../../src/istio/objects.ts';
import type { KubeObject } from '../../src/snapshot/model.ts';

const object = (
  metadata: Partial<KubeObject['metadata']>,
  apiVersion = 'networking.istio.io/v1alpha3',
  kind = 'EnvoyFilter',
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'istio-system', ...metadata },
});

describe('isControlPlaneObject', () => {
  it.each([
    ['the add-on manager label', { labels: { 'addonmanager.kubernetes.io/mode': 'EnsureExists' } }],
    ['the Helm release=istio label', { labels: { release: 'istio' } }],
    [
      'the operator owning-resource label',
      { labels: { 'install.operator.istio.io/owning-resource': 'istio-1-6-11-gke-0' } },
    ],
    ['an operator.istio.io label', { labels: { 'operator.istio.io/component': 'Pilot' } }],
    [
      'an ownerReference to an IstioOperator',
      { ownerReferences: [{ kind: 'IstioOperator', name: 'installed' }] },
    ],
  ])('is true for %s', (_what, metadata) => {
    expect(isControlPlaneObject(object(metadata))).toBe(true);
  });

  it.each([
    ['no labels', {}],
    ['another Helm release', { labels: { release: 'shop', app: 'mixer' } }],
    ['a look-alike label key', { labels: { 'myoperator.istio.io.example/x': 'y' } }],
    [
      'an ownerReference to a Deployment',
      { ownerReferences: [{ kind: 'Deployment', name: 'istio-operator' }] },
    ],
  ])('is false for %s', (_what, metadata) => {
    expect(isControlPlaneObject(object(metadata))).toBe(false);
  });

  it('tells add-on-managed objects apart from operator-installed ones', () => {
    expect(isAddonManaged(object({ labels: { 'addonmanager.kubernetes.io/mode': 'Reconcile' } }))).toBe(true);
    expect(isAddonManaged(object({ labels: { 'operator.istio.io/component': 'Pilot' } }))).toBe(false);
  });
});

describe('kubectlResourceName', () => {
  it.each([
    ['networking.istio.io/v1alpha3', 'VirtualService', 'virtualservices.networking.istio.io'],
    ['install.istio.io/v1alpha1', 'IstioOperator', 'istiooperators.install.istio.io'],
    ['config.istio.io/v1alpha2', 'handler', 'handlers.config.istio.io'],
    ['config.istio.io/v1alpha2', 'logentry', 'logentries.config.istio.io'],
    ['config.istio.io/v1alpha2', 'prometheus', 'prometheuses.config.istio.io'],
    ['authentication.istio.io/v1alpha1', 'Policy', 'policies.authentication.istio.io'],
    ['authentication.istio.io/v1alpha1', 'MeshPolicy', 'meshpolicies.authentication.istio.io'],
    ['v1', 'Service', 'services'],
  ])('%s %s -> %s', (apiVersion, kind, expected) => {
    expect(kubectlResourceName({ apiVersion, kind })).toBe(expected);
  });

  it('names objects as Kind/name', () => {
    expect(kindSlashName(object({ name: 'edge' }, 'networking.istio.io/v1alpha3', 'VirtualService'))).toBe(
      'VirtualService/edge',
    );
  });
});
