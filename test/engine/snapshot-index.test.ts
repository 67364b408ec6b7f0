/**
 * The generic indexes every rule shares, over real snapshots built from documents as kubectl
 * prints them (test/helpers/objects.ts), read through the same loader a scan uses.
 */
import { describe, expect, it } from 'vitest';
import { imageTag, isLive, SnapshotIndex } from '../../src/engine/snapshot-index.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { Pod, SnapshotPart } from '../../src/snapshot/model.ts';
import { namespace, pod, workload } from '../helpers/objects.ts';

type Documents = readonly unknown[];

function indexOf(
  documents: Documents,
  notCollected: Partial<Record<SnapshotPart, string>> = {},
): SnapshotIndex {
  return new SnapshotIndex(snapshotFromDocuments({ documents, notCollected }));
}

function podNamed(index: SnapshotIndex, name: string): Pod {
  const found = index.snapshot.kube.pods.find((p) => p.metadata.name === name);
  if (!found) throw new Error(`no pod ${name} in the snapshot`);
  return found;
}

const APP = [{ name: 'app', image: 'gcr.io/acme-prod/app:2.3.1' }];

/** A ReplicaSet owned by a Deployment, and a pod owned by that ReplicaSet, linked by uid as the API server links them. */
function deploymentChain(ns: string, name: string, hash: string): unknown[] {
  return [
    workload('Deployment', ns, name, { uid: `uid-deploy-${name}` }),
    workload('ReplicaSet', ns, `${name}-${hash}`, {
      uid: `uid-rs-${name}`,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `uid-deploy-${name}`, controller: true },
      ],
    }),
    pod(ns, `${name}-${hash}-x7k2p`, APP, {
      labels: { 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${name}-${hash}`,
          uid: `uid-rs-${name}`,
          controller: true,
        },
      ],
    }),
  ];
}

describe('SnapshotIndex.missing', () => {
  it('says nothing about a part that was collected, even when it holds no objects', () => {
    const index = indexOf([namespace('shop')]);
    expect(index.snapshot.kube.pods).toHaveLength(0);
    expect(index.missing('pods')).toBeUndefined();
    expect(index.missing('namespaces')).toBeUndefined();
  });

  it('names the part and the reason when it was not collected', () => {
    const index = indexOf([namespace('shop')], { pods: 'forbidden: cannot list pods' });
    expect(index.missing('pods')).toBe('Pods not collected: forbidden: cannot list pods');
    expect(index.missing('namespaces')).toBeUndefined();
  });

  it('reports Kubernetes parts as missing when the snapshot has no Kubernetes objects at all', () => {
    const index = indexOf([]);
    expect(index.missing('pods')).toMatch(/^Pods not collected: /);
    expect(index.missing('deployments')).toMatch(/^Deployments not collected: /);
  });
});

describe('SnapshotIndex lookups by name and namespace', () => {
  const index = indexOf([
    namespace('shop', { 'istio-injection': 'enabled' }),
    namespace('billing'),
    pod('shop', 'cart-1', APP),
    pod('shop', 'cart-2', APP),
    pod('billing', 'invoice-1', APP),
    workload('Deployment', 'shop', 'cart'),
    workload('StatefulSet', 'shop', 'redis'),
  ]);

  it('finds namespaces by name, and not those that do not exist', () => {
    expect(index.namespacesByName().get('shop')?.metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(index.namespacesByName().has('billing')).toBe(true);
    expect(index.namespacesByName().has('istio-system')).toBe(false);
  });

  it('groups pods and Deployments by namespace; a namespace without any has no entry', () => {
    expect(
      index
        .podsByNamespace()
        .get('shop')
        ?.map((p) => p.metadata.name),
    ).toEqual(['cart-1', 'cart-2']);
    expect(
      index
        .podsByNamespace()
        .get('billing')
        ?.map((p) => p.metadata.name),
    ).toEqual(['invoice-1']);
    expect(
      index
        .deploymentsByNamespace()
        .get('shop')
        ?.map((d) => d.metadata.name),
    ).toEqual(['cart']);
    expect(index.deploymentsByNamespace().get('billing')).toBeUndefined();
  });

  it('builds each index once and hands every caller the same one', () => {
    expect(index.podsByNamespace()).toBe(index.podsByNamespace());
    expect(index.namespacesByName()).toBe(index.namespacesByName());
  });

  it('has empty indexes, not errors, when pods were not collected (missing() says why)', () => {
    const partial = indexOf([namespace('shop')], { pods: 'forbidden' });
    expect(partial.podsByNamespace().size).toBe(0);
    expect(partial.missing('pods')).toBeDefined();
  });
});

describe('SnapshotIndex.objectsByUid', () => {
  it('holds controllers that have a uid and leaves out those without one', () => {
    const index = indexOf([
      workload('Deployment', 'shop', 'cart', { uid: 'u-1' }),
      workload('DaemonSet', 'shop', 'agent', { uid: 'u-2' }),
      workload('StatefulSet', 'shop', 'redis'),
    ]);
    expect(index.objectsByUid().get('u-1')?.metadata.name).toBe('cart');
    expect(index.objectsByUid().get('u-2')?.kind).toBe('DaemonSet');
    expect([...index.objectsByUid().values()].map((o) => o.metadata.name)).not.toContain('redis');
  });
});

describe('SnapshotIndex.workloadOf', () => {
  it('follows Pod -> ReplicaSet -> Deployment by uid', () => {
    const index = indexOf(deploymentChain('shop', 'cart', '5d8f7c9b4'));
    const owner = index.workloadOf(podNamed(index, 'cart-5d8f7c9b4-x7k2p'));
    expect(owner).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'cart',
    });
    expect(owner.object?.metadata.uid).toBe('uid-deploy-cart');
  });

  it('follows the chain by kind and name when the references carry no uid', () => {
    const index = indexOf([
      workload('Deployment', 'shop', 'cart'),
      workload('ReplicaSet', 'shop', 'cart-5d8f7c9b4', {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart', controller: true }],
      }),
      pod('shop', 'cart-5d8f7c9b4-x7k2p', APP, {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-5d8f7c9b4', controller: true },
        ],
      }),
    ]);
    expect(index.workloadOf(podNamed(index, 'cart-5d8f7c9b4-x7k2p'))).toMatchObject({
      kind: 'Deployment',
      name: 'cart',
      object: { kind: 'Deployment' },
    });
  });

  it('does not match an owner of the same name in another namespace', () => {
    const index = indexOf([
      workload('StatefulSet', 'other', 'redis'),
      pod('shop', 'redis-0', APP, {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'redis', controller: true }],
      }),
    ]);
    const owner = index.workloadOf(podNamed(index, 'redis-0'));
    expect(owner).toMatchObject({ kind: 'StatefulSet', namespace: 'shop', name: 'redis' });
    expect(owner.object).toBeUndefined();
  });

  it('finds the Deployment from the pod-template-hash when ReplicaSets were not collected', () => {
    const [deployment, , cartPod] = deploymentChain('shop', 'cart', '5d8f7c9b4');
    const index = indexOf([deployment, cartPod], { replicasets: 'not listed' });
    expect(index.workloadOf(podNamed(index, 'cart-5d8f7c9b4-x7k2p'))).toMatchObject({
      kind: 'Deployment',
      name: 'cart',
      object: { metadata: { name: 'cart' } },
    });
  });

  it('names the ReplicaSet, without an object, when neither it nor a Deployment matching the hash is there', () => {
    const [, , cartPod] = deploymentChain('shop', 'cart', '5d8f7c9b4');
    const index = indexOf([cartPod], { replicasets: 'not listed' });
    expect(index.workloadOf(podNamed(index, 'cart-5d8f7c9b4-x7k2p'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      namespace: 'shop',
      name: 'cart-5d8f7c9b4',
      object: undefined,
    });
  });

  it('names the Deployment a ReplicaSet points at even when that Deployment is not in the snapshot', () => {
    const [, replicaSet, cartPod] = deploymentChain('shop', 'cart', '5d8f7c9b4');
    const index = indexOf([replicaSet, cartPod]);
    expect(index.workloadOf(podNamed(index, 'cart-5d8f7c9b4-x7k2p'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'cart',
      object: undefined,
    });
  });

  it('stops at a ReplicaSet that no Deployment owns', () => {
    const index = indexOf([
      workload('ReplicaSet', 'shop', 'legacy', { uid: 'u-rs' }),
      pod('shop', 'legacy-abcde', APP, {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'legacy', uid: 'u-rs', controller: true },
        ],
      }),
    ]);
    expect(index.workloadOf(podNamed(index, 'legacy-abcde'))).toMatchObject({
      kind: 'ReplicaSet',
      name: 'legacy',
    });
  });

  it('takes StatefulSets and DaemonSets as the workload', () => {
    const index = indexOf([
      workload('StatefulSet', 'shop', 'redis', { uid: 'u-ss' }),
      workload('DaemonSet', 'kube-system', 'agent', { uid: 'u-ds' }),
      pod('shop', 'redis-0', APP, {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'redis', uid: 'u-ss', controller: true },
        ],
      }),
      pod('kube-system', 'agent-q9z', APP, {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u-ds', controller: true },
        ],
      }),
    ]);
    expect(index.workloadOf(podNamed(index, 'redis-0'))).toMatchObject({
      kind: 'StatefulSet',
      name: 'redis',
    });
    expect(index.workloadOf(podNamed(index, 'agent-q9z'))).toMatchObject({
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'agent',
    });
  });

  it('takes another controller (a Job) as itself, from its reference', () => {
    const index = indexOf([
      pod('shop', 'migrate-db-7xk', APP, {
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate-db', uid: 'u-job', controller: true },
        ],
      }),
    ]);
    expect(index.workloadOf(podNamed(index, 'migrate-db-7xk'))).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: 'shop',
      name: 'migrate-db',
      object: undefined,
    });
  });

  it('takes a bare pod, or one with several owners none marked controller, as the pod itself', () => {
    const index = indexOf([
      pod('shop', 'debug', APP),
      pod('shop', 'shared', APP, {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', uid: 'u-a' },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'b', uid: 'u-b' },
        ],
      }),
    ]);
    for (const name of ['debug', 'shared']) {
      const bare = podNamed(index, name);
      expect(index.workloadOf(bare)).toEqual({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'shop',
        name,
        object: bare,
      });
    }
  });

  it('prefers the owner marked controller among several', () => {
    const index = indexOf([
      workload('StatefulSet', 'shop', 'redis', { uid: 'u-ss' }),
      pod('shop', 'redis-0', APP, {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', uid: 'u-cm' },
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'redis', uid: 'u-ss', controller: true },
        ],
      }),
    ]);
    expect(index.workloadOf(podNamed(index, 'redis-0'))).toMatchObject({
      kind: 'StatefulSet',
      name: 'redis',
    });
  });
});

describe('SnapshotIndex.view', () => {
  it('builds a view on first use only, and then hands back the same object', () => {
    const index = indexOf([namespace('shop')]);
    let builds = 0;
    const countNamespaces = (of: SnapshotIndex) => {
      builds++;
      return { namespaces: of.namespacesByName().size };
    };
    expect(builds).toBe(0);
    const first = index.view(countNamespaces);
    expect(index.view(countNamespaces)).toBe(first);
    expect(first.namespaces).toBe(1);
    expect(builds).toBe(1);
  });

  it('keeps one view per builder, and none across indexes', () => {
    const index = indexOf([namespace('shop')]);
    const one = (_: SnapshotIndex) => ({ name: 'one' });
    const two = (_: SnapshotIndex) => ({ name: 'two' });
    expect(index.view(one).name).toBe('one');
    expect(index.view(two).name).toBe('two');
    const other = indexOf([namespace('shop')]);
    expect(other.view(one)).not.toBe(index.view(one));
  });
});

describe('isLive', () => {
  const index = indexOf([
    pod('shop', 'running', APP),
    pod('shop', 'pending', APP, { phase: 'Pending', ready: false }),
    pod('shop', 'done', APP, { phase: 'Succeeded', ready: false }),
    pod('shop', 'evicted', APP, { phase: 'Failed', ready: false }),
  ]);

  it('holds for running and pending pods', () => {
    expect(isLive(podNamed(index, 'running'))).toBe(true);
    expect(isLive(podNamed(index, 'pending'))).toBe(true);
  });

  it('does not hold for completed or failed pods', () => {
    expect(isLive(podNamed(index, 'done'))).toBe(false);
    expect(isLive(podNamed(index, 'evicted'))).toBe(false);
  });
});

describe('imageTag', () => {
  it.each([
    ['gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4', '1.4.10-gke.4'],
    ['docker.io/istio/proxyv2:1.6.11@sha256:0123abcd', '1.6.11'],
    ['registry.local:5000/istio/pilot:1.6.3', '1.6.3'],
    ['proxyv2:latest', 'latest'],
  ])('reads the tag of %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });

  it.each([
    ['an image without a tag', 'gcr.io/gke-release/istio/proxyv2'],
    ['a registry port but no tag', 'registry.local:5000/istio/pilot'],
    ['a digest only', 'gcr.io/istio/proxyv2@sha256:0123abcd'],
    ['an empty tag', 'gcr.io/istio/proxyv2:'],
    ['no image', undefined],
  ])('has no tag for %s', (_case, image) => {
    expect(imageTag(image)).toBeUndefined();
  });
});
