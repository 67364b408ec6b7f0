/**
 * The Istio queries rules share, each in a state where it says yes, one where it says no, and one
 * where the data it reads was not collected; over real snapshots read by the scan's own loader.
 */
import { describe, expect, it } from 'vitest';
import { defineRule } from '../../src/engine/rule.ts';
import { runRules } from '../../src/engine/runner.ts';
import { SnapshotIndex } from '../../src/engine/snapshot-index.ts';
import { gatewayProxy, type MeshIndex, meshIndex } from '../../src/istio/mesh-index.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { Pod, SnapshotPart } from '../../src/snapshot/model.ts';
import { istiod, istioOperator, namespace, pod, sidecarPod, workload } from '../helpers/objects.ts';

type NotCollected = Partial<Record<SnapshotPart, string>>;

function meshOf(documents: readonly unknown[], notCollected: NotCollected = {}): MeshIndex {
  return meshIndex(new SnapshotIndex(snapshotFromDocuments({ documents, notCollected })));
}

function podIn(documents: readonly unknown[], name: string): Pod {
  const found = snapshotFromDocuments({ documents }).kube.pods.find((p) => p.metadata.name === name);
  if (!found) throw new Error(`no pod ${name}`);
  return found;
}

const istioSystem = namespace('istio-system');
const PROXY_14 = 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4';
const PROXY_16 = 'gcr.io/gke-release/istio/proxyv2:1.6.11-gke.0';

/** An ingress gateway pod in istio-system running one container of `image`, named as given. */
function gatewayPod(
  name: string,
  image: string,
  options: { container?: string; phase?: string } = {},
): unknown {
  return pod('istio-system', name, [{ name: options.container ?? 'istio-proxy', image }], {
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    ...(options.phase ? { phase: options.phase, ready: false } : {}),
  });
}

describe('meshIndex', () => {
  it('is one MeshIndex per SnapshotIndex, so every query is computed once per scan', () => {
    const index = new SnapshotIndex(
      snapshotFromDocuments({ documents: [istioSystem, ...istiod('istio-1611', '1.6.11-gke.0')] }),
    );
    const mesh = meshIndex(index);
    expect(meshIndex(index)).toBe(mesh);
    expect(mesh.istiodRevisions()).toBe(meshIndex(index).istiodRevisions());
    const other = new SnapshotIndex(index.snapshot);
    expect(meshIndex(other)).not.toBe(mesh);
  });

  it('is the same object for every rule of one scan', () => {
    const seen: MeshIndex[] = [];
    const probe = (id: string) =>
      defineRule({
        id,
        title: id,
        phase: 'prepare',
        targets: ['istio-1.6'],
        defaultSeverity: 'info',
        needs: [],
        docs: { summary: id, checks: id, why: id, fix: id, references: [] },
        check(_snapshot, { index }) {
          seen.push(meshIndex(index));
          return [];
        },
      });
    runRules(snapshotFromDocuments({ documents: [istioSystem] }), {
      rules: [probe('probe-one'), probe('probe-two')],
      target: 'istio-1.6',
      upgradeTo: undefined,
      toolVersion: '0.0.0-test',
      now: new Date('2026-11-25T10:00:00Z'),
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
  });
});

describe('MeshIndex.istioSystemExists', () => {
  it('holds when the istio-system Namespace is there', () => {
    expect(meshOf([istioSystem]).istioSystemExists()).toBe(true);
  });

  it('holds when Namespaces were not collected but a Deployment runs in istio-system', () => {
    const mesh = meshOf([workload('Deployment', 'istio-system', 'istio-pilot')], { namespaces: 'forbidden' });
    expect(mesh.istioSystemExists()).toBe(true);
  });

  it('does not hold for a cluster without istio-system', () => {
    expect(meshOf([namespace('shop'), workload('Deployment', 'shop', 'cart')]).istioSystemExists()).toBe(
      false,
    );
  });
});

describe('MeshIndex.istiodRevisions and istiodRevisionsUnknown', () => {
  it('lists each labelled istiod revision with readiness and the discovery image tag, sorted by name', () => {
    const mesh = meshOf([
      istioSystem,
      ...istiod('istio-1611', '1.6.11-gke.0'),
      ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false }),
    ]);
    expect(mesh.istiodRevisions()).toEqual([
      { revision: 'asm-173-6', ready: false, version: '1.7.3-asm.6' },
      { revision: 'istio-1611', ready: true, version: '1.6.11-gke.0' },
    ]);
    expect(mesh.istiodRevisionsUnknown()).toBeUndefined();
  });

  it('leaves out istiod without a revision label, outside istio-system, or not labelled app=istiod', () => {
    const labels = { app: 'istiod' };
    const containers = [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0' }];
    const mesh = meshOf([
      istioSystem,
      workload('Deployment', 'istio-system', 'istiod', { labels, containers }),
      workload('Deployment', 'istio-other', 'istiod-istio-1611', {
        labels: { ...labels, 'istio.io/rev': 'istio-1611' },
        containers,
      }),
      workload('Deployment', 'istio-system', 'istio-pilot', {
        labels: { 'istio.io/rev': 'default' },
        containers,
      }),
    ]);
    expect(mesh.istiodRevisions()).toEqual([]);
  });

  it('counts a revision ready when its pod is Ready although its Deployment reports none, and not for a Failed pod', () => {
    const [deployment, readyPod] = istiod('istio-1611', '1.6.11-gke.0', { ready: false });
    const labels = { app: 'istiod', 'istio.io/rev': 'istio-1611' };
    const containers = [{ name: 'discovery', image: 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0' }];
    const revived = pod('istio-system', 'istiod-istio-1611-new', containers, { labels });
    expect(meshOf([istioSystem, deployment, readyPod, revived]).istiodRevisions()[0]?.ready).toBe(true);
    const failed = pod('istio-system', 'istiod-istio-1611-old', containers, { labels, phase: 'Failed' });
    expect(meshOf([istioSystem, deployment, readyPod, failed]).istiodRevisions()[0]?.ready).toBe(false);
  });

  it('reads revisions from Deployments alone when pods were not collected', () => {
    const [deployment] = istiod('istio-1611', '1.6.11-gke.0');
    const mesh = meshOf([istioSystem, deployment], { pods: 'forbidden' });
    expect(mesh.istiodRevisionsUnknown()).toBeUndefined();
    expect(mesh.istiodRevisions()).toEqual([
      { revision: 'istio-1611', ready: true, version: '1.6.11-gke.0' },
    ]);
  });

  it('says why revisions cannot be known when neither pods nor Deployments were collected', () => {
    const mesh = meshOf([istioSystem], { pods: 'forbidden', deployments: 'timed out' });
    expect(mesh.istiodRevisionsUnknown()).toBe(
      'Pods not collected: forbidden; Deployments not collected: timed out',
    );
    expect(mesh.istiodRevisions()).toEqual([]);
  });
});

describe('MeshIndex.currentControlPlane', () => {
  const both = [istioSystem, ...istiod('istio-1611', '1.6.11-gke.0'), ...istiod('asm-173-6', '1.7.3-asm.6')];

  it('is the ready asm-* revision for an ASM target, the operator revision otherwise', () => {
    const mesh = meshOf(both);
    expect(mesh.currentControlPlane(true)).toMatchObject({
      revision: 'asm-173-6',
      versionText: '1.7.3-asm.6',
      version: { major: 1, minor: 7, patch: 3, flavour: 'asm' },
    });
    expect(mesh.currentControlPlane(false)).toMatchObject({
      revision: 'istio-1611',
      versionText: '1.6.11-gke.0',
    });
  });

  it('falls back on the operator revision for an ASM target before ASM is installed', () => {
    const mesh = meshOf([
      istioSystem,
      ...istiod('istio-1611', '1.6.11-gke.0'),
      ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false }),
    ]);
    expect(mesh.currentControlPlane(true)?.revision).toBe('istio-1611');
  });

  it('keeps the tag but no version when the istiod image tag is not an Istio version', () => {
    const mesh = meshOf([istioSystem, ...istiod('istio-1611', 'latest')]);
    expect(mesh.currentControlPlane(false)).toEqual({
      revision: 'istio-1611',
      versionText: 'latest',
      version: undefined,
    });
  });

  it('is undefined when no revision is ready', () => {
    expect(
      meshOf([istioSystem, ...istiod('istio-1611', '1.6.11-gke.0', { ready: false })]).currentControlPlane(
        false,
      ),
    ).toBeUndefined();
  });

  it('is undefined when neither pods nor Deployments were collected', () => {
    expect(
      meshOf([istioSystem], { pods: 'forbidden', deployments: 'forbidden' }).currentControlPlane(false),
    ).toBeUndefined();
  });
});

describe('MeshIndex.readyAsmRevision', () => {
  it('is the newest ready asm-* revision', () => {
    const mesh = meshOf([
      istioSystem,
      ...istiod('asm-173-6', '1.7.3-asm.6'),
      ...istiod('asm-1710-1', '1.7.10-asm.1'),
      ...istiod('istio-1611', '1.6.11-gke.0'),
    ]);
    expect(mesh.readyAsmRevision()).toBe('asm-1710-1');
  });

  it('is undefined while the asm-* revision is not ready, or when there is none', () => {
    expect(
      meshOf([istioSystem, ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false })]).readyAsmRevision(),
    ).toBeUndefined();
    expect(meshOf([istioSystem, ...istiod('istio-1611', '1.6.11-gke.0')]).readyAsmRevision()).toBeUndefined();
  });

  it('is undefined when the istiod objects were not collected', () => {
    expect(
      meshOf([istioSystem], { pods: 'forbidden', deployments: 'forbidden' }).readyAsmRevision(),
    ).toBeUndefined();
  });
});

describe('MeshIndex.controlPlaneOperators and operatorRevision', () => {
  it('takes the revision from the IstioOperator in istio-system, not from istioctl installed-state copies', () => {
    const mesh = meshOf([
      istioSystem,
      istioOperator('installed-state-istio-1-6-11-gke-0', {
        spec: { profile: 'default', revision: 'istio-163' },
      }),
      istioOperator('istio-1-6-11-gke-0'),
      istioOperator('elsewhere', { namespace: 'istio-operator', spec: { revision: 'istio-999' } }),
      ...istiod('istio-163', '1.6.3-gke.0'),
    ]);
    expect(mesh.controlPlaneOperators().map((op) => op.metadata.name)).toEqual(['istio-1-6-11-gke-0']);
    expect(mesh.operatorRevision()).toBe('istio-1611');
  });

  it('falls back on the newest ready revision that is not asm-* (numeric order) when the operator names none', () => {
    const mesh = meshOf([
      istioSystem,
      istioOperator('istio-1-6-11-gke-0', { spec: { profile: 'default' } }),
      ...istiod('istio-163', '1.6.3-gke.0'),
      ...istiod('istio-1611', '1.6.11-gke.0'),
      ...istiod('istio-1612', '1.6.12-gke.0', { ready: false }),
      ...istiod('asm-173-6', '1.7.3-asm.6'),
    ]);
    expect(mesh.operatorRevision()).toBe('istio-1611');
  });

  it('is undefined with no operator and no ready non-ASM revision', () => {
    const mesh = meshOf([istioSystem, ...istiod('asm-173-6', '1.7.3-asm.6')]);
    expect(mesh.controlPlaneOperators()).toEqual([]);
    expect(mesh.operatorRevision()).toBeUndefined();
  });

  it('has no operators and no revision when IstioOperators, pods and Deployments were not collected', () => {
    const mesh = meshOf([istioSystem], {
      istiooperators: 'no CRD',
      pods: 'forbidden',
      deployments: 'forbidden',
    });
    expect(mesh.controlPlaneOperators()).toEqual([]);
    expect(mesh.operatorRevision()).toBeUndefined();
  });
});

describe('MeshIndex.meshProxies', () => {
  it('lists live pods outside istio-system that have an istio-proxy container, with the version of its image', () => {
    const mesh = meshOf([
      sidecarPod('shop', 'cart-1', '1.4.10-gke.4'),
      sidecarPod('shop', 'cart-2', '1.6.11-gke.0', { phase: 'Pending', ready: false }),
      pod('shop', 'no-sidecar', [{ name: 'app', image: 'gcr.io/acme-prod/app:2.3.1' }]),
      sidecarPod('shop', 'finished-job', '1.4.10-gke.4', { phase: 'Succeeded', ready: false }),
      sidecarPod('istio-system', 'istio-tracing', '1.4.10-gke.4'),
    ]);
    expect(mesh.meshProxies().map((p) => [p.pod.metadata.name, p.version?.text])).toEqual([
      ['cart-1', '1.4.10-gke.4'],
      ['cart-2', '1.6.11-gke.0'],
    ]);
  });

  it('keeps a proxy whose image tag is not a version, with no version', () => {
    const mesh = meshOf([
      pod('shop', 'cart-1', [{ name: 'istio-proxy', image: 'gcr.io/acme/proxyv2:latest' }]),
      pod('shop', 'cart-2', [{ name: 'istio-proxy', image: 'gcr.io/acme/proxyv2' }]),
    ]);
    expect(mesh.meshProxies().map((p) => [p.image, p.version])).toEqual([
      ['gcr.io/acme/proxyv2:latest', undefined],
      ['gcr.io/acme/proxyv2', undefined],
    ]);
  });

  it('is empty when pods were not collected', () => {
    expect(meshOf([namespace('shop')], { pods: 'forbidden' }).meshProxies()).toEqual([]);
  });
});

describe('MeshIndex.ingressGatewayPods and gatewayProxy', () => {
  it('lists live app=istio-ingressgateway pods in istio-system, reading the proxy container', () => {
    const documents = [
      istioSystem,
      gatewayPod('istio-ingressgateway-6c7d-a', PROXY_14),
      gatewayPod('istio-ingressgateway-6c7d-b', PROXY_14, { phase: 'Failed' }),
      pod('shop', 'istio-ingressgateway-copy', [{ name: 'istio-proxy', image: PROXY_14 }], {
        labels: { app: 'istio-ingressgateway' },
      }),
      pod('istio-system', 'istio-egressgateway-1', [{ name: 'istio-proxy', image: PROXY_14 }], {
        labels: { app: 'istio-egressgateway' },
      }),
    ];
    const pods = meshOf(documents).ingressGatewayPods();
    expect(pods.map((p) => [p.pod.metadata.name, p.version?.text])).toEqual([
      ['istio-ingressgateway-6c7d-a', '1.4.10-gke.4'],
    ]);
  });

  it('is empty when pods were not collected', () => {
    expect(meshOf([istioSystem], { pods: 'forbidden' }).ingressGatewayPods()).toEqual([]);
  });

  it('reads the istio-proxy container of a gateway pod, else its only container', () => {
    const documents = [
      pod('istio-system', 'gw-sidecar', [
        { name: 'sds', image: 'gcr.io/gke-release/istio/node-agent-k8s:1.4.10-gke.4' },
        { name: 'istio-proxy', image: PROXY_16 },
      ]),
      gatewayPod('gw-14', PROXY_14, { container: 'ingressgateway' }),
      pod('istio-system', 'gw-empty', []),
    ];
    expect(gatewayProxy(podIn(documents, 'gw-sidecar')).image).toBe(PROXY_16);
    expect(gatewayProxy(podIn(documents, 'gw-14')).version?.text).toBe('1.4.10-gke.4');
    expect(gatewayProxy(podIn(documents, 'gw-empty'))).toMatchObject({
      image: undefined,
      version: undefined,
    });
  });
});

describe('MeshIndex.proxiesOn14', () => {
  it('sorts sidecars and gateways on a pre-1.6 proxy from those on 1.6, and sets aside unreadable ones', () => {
    const mesh = meshOf([
      istioSystem,
      sidecarPod('shop', 'old', '1.4.10-gke.4'),
      sidecarPod('shop', 'new', '1.6.11-gke.0'),
      pod('shop', 'custom', [{ name: 'istio-proxy', image: 'gcr.io/acme/proxyv2:dev' }]),
      gatewayPod('gw-old', PROXY_14),
      gatewayPod('gw-new', PROXY_16),
    ]);
    const on14 = mesh.proxiesOn14();
    expect(on14.sidecars.map((p) => p.pod.metadata.name)).toEqual(['old']);
    expect(on14.gateways.map((p) => p.pod.metadata.name)).toEqual(['gw-old']);
    expect(on14.unreadable.map((p) => p.pod.metadata.name)).toEqual(['custom']);
  });

  it('tells a proxy whose tag is no version by its istio.io/rev label, as remediate.sh does (test/conformance/old-proxy.json)', () => {
    const custom = [{ name: 'istio-proxy', image: 'gcr.io/acme/proxyv2:dev' }];
    const mesh = meshOf([
      istioSystem,
      pod('shop', 'labelled', custom, { labels: { 'istio.io/rev': 'istio-1611' } }),
      pod('shop', 'empty-label', custom, { labels: { 'istio.io/rev': '' } }),
      pod('shop', 'unlabelled', custom),
      sidecarPod('shop', 'old-labelled', '1.4.10-gke.4', { labels: { 'istio.io/rev': 'istio-1611' } }),
    ]);
    const on14 = mesh.proxiesOn14();
    // A 1.6+ injector set the label: not unreadable. The image of a 1.4 proxy decides, label or not.
    expect(on14.unreadable.map((p) => p.pod.metadata.name)).toEqual(['empty-label', 'unlabelled']);
    expect(on14.sidecars.map((p) => p.pod.metadata.name)).toEqual(['old-labelled']);
  });

  it('finds nothing on 1.4 once every proxy runs 1.6', () => {
    const mesh = meshOf([
      istioSystem,
      sidecarPod('shop', 'new', '1.6.11-gke.0'),
      gatewayPod('gw-new', PROXY_16),
    ]);
    expect(mesh.proxiesOn14()).toEqual({ sidecars: [], gateways: [], unreadable: [] });
  });

  it('finds nothing when pods were not collected (the rules reading it need pods, so the runner answers unknown)', () => {
    expect(meshOf([istioSystem], { pods: 'forbidden' }).proxiesOn14()).toEqual({
      sidecars: [],
      gateways: [],
      unreadable: [],
    });
  });
});
