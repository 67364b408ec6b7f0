import { describe, expect, it } from 'vitest';
import rule from '../../rules/sidecar-proxy-version.ts';
import type { PlanStep } from '../../src/remediate/plan.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { istiod, namespace, pod, sidecarPod, workload } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedSteps } from './planned-steps.ts';

const OLD = '1.4.10-gke.4';
const NEW = '1.6.11-gke.0';
const owner = (kind: string, name: string, uid?: string) => ({
  apiVersion: 'apps/v1',
  kind,
  name,
  controller: true,
  ...(uid ? { uid } : {}),
});
const running16 = istiod('istio-1611', NEW);
const shop = namespace('shop', { 'istio.io/rev': 'istio-1611' });
const ASM_168 = '1.6.8-asm.9';
/** asm-1.6: the ASM istiod is 1.6.8-asm.9, a lower patch than the operator's 1.6.11-gke.0. */
const asm168 = [...running16, ...istiod('asm-168-9', ASM_168)];
const onRevision = (revision: string) => ({ labels: { 'istio.io/rev': revision } });
/** A gateway Deployment outside istio-system: istio-proxy is its own (only) container, not injected. */
function gatewayChain(version: string, revision?: string) {
  const labels = {
    app: 'shop-gateway',
    istio: 'shop-gateway',
    ...(revision ? { 'istio.io/rev': revision } : {}),
  };
  const containers = [{ name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2:${version}` }];
  return [
    workload('Deployment', 'gateways', 'shop-gateway', { uid: 'uid-gw', containers, templateLabels: labels }),
    workload('ReplicaSet', 'gateways', 'shop-gateway-6c9d', {
      uid: 'uid-gw-rs',
      ownerReferences: [owner('Deployment', 'shop-gateway', 'uid-gw')],
    }),
    pod('gateways', 'shop-gateway-6c9d-x1', containers, {
      labels,
      ownerReferences: [owner('ReplicaSet', 'shop-gateway-6c9d', 'uid-gw-rs')],
    }),
  ];
}

/** Deployment cart -> ReplicaSet cart-7d9f49d945 -> two pods, linked by uid. */
function cartChain(version: string, pods = 2) {
  return [
    workload('Deployment', 'shop', 'cart', { uid: 'uid-deploy-cart' }),
    workload('ReplicaSet', 'shop', 'cart-7d9f49d945', {
      uid: 'uid-rs-cart',
      ownerReferences: [owner('Deployment', 'cart', 'uid-deploy-cart')],
    }),
    ...Array.from({ length: pods }, (_, i) =>
      sidecarPod('shop', `cart-7d9f49d945-pod${i}`, version, {
        labels: { app: 'cart', 'pod-template-hash': '7d9f49d945' },
        ownerReferences: [owner('ReplicaSet', 'cart-7d9f49d945', 'uid-rs-cart')],
      }),
    ),
  ];
}

ruleTester(rule, {
  pass: [
    { name: 'every workload restarted onto 1.6.11-gke.0 (fixture)', fixtures: ['pass-all-restarted.yaml'] },
    { name: 'a proxy on the same version as istiod', documents: [...running16, shop, ...cartChain(NEW)] },
    {
      name: 'a proxy newer than istiod (1.6.12 vs 1.6.11) is not older',
      documents: [...running16, shop, sidecarPod('shop', 'debug', '1.6.12-gke.0')],
    },
    {
      name: 'istio-system pods (1.4 control plane, gateways) and completed pods are not workload sidecars',
      documents: [
        ...running16,
        sidecarPod('istio-system', 'istio-pilot-dc558d859-cnrqt', OLD),
        sidecarPod('shop', 'export-x8k2d', OLD, { phase: 'Succeeded' }),
        sidecarPod('shop', 'evicted-a1b2c', OLD, { phase: 'Failed' }),
        sidecarPod('shop', 'web', NEW),
      ],
    },
    {
      name: 'ASM target: proxies on the asm-* revision are current',
      target: 'asm-1.7',
      documents: [
        ...running16,
        ...istiod('asm-173-6', '1.7.3-asm.6'),
        sidecarPod('shop', 'web', '1.7.3-asm.6'),
      ],
    },
    {
      name: 'asm-1.6: pods labelled with the ASM revision are on it, whatever their image says',
      target: 'asm-1.6',
      documents: [...asm168, sidecarPod('shop', 'web', ASM_168, onRevision('asm-168-9'))],
    },
    {
      name: 'istio-1.6: the istio.io/rev label decides, not the image (labelled istio-1611, image 1.6.3)',
      documents: [...running16, sidecarPod('shop', 'web', '1.6.3-gke.0', onRevision('istio-1611'))],
    },
    {
      name: 'asm-1.7 before ASM is installed: proxies on the operator revision istio-1611 are current',
      target: 'asm-1.7',
      documents: [...running16, sidecarPod('shop', 'web', NEW, onRevision('istio-1611'))],
    },
    {
      name: 'a gateway Deployment outside istio-system already on the target revision',
      documents: [...running16, ...gatewayChain(NEW, 'istio-1611')],
    },
  ],
  fail: [
    {
      name: 'asm-1.6 with ASM istiod 1.6.8-asm.9 and pods on proxyv2:1.6.11-gke.0 labelled istio-1611: reported (higher patch, wrong control plane)',
      target: 'asm-1.6',
      documents: [...asm168, shop, ...cartChain(NEW).map((o) => withRevision(o, 'istio-1611'))],
      findings: [
        {
          message:
            'Deployment shop/cart: 2 pods run istio-proxy 1.6.11-gke.0 on revision istio-1611, not the target revision asm-168-9 (the 1.6.8-asm.9 control plane). Restart it (kubectl rollout restart) once namespace shop points at revision asm-168-9.',
          severity: 'warning',
          phase: 'asm-migrate-namespaces',
          fix: { action: 'restart-workload', params: { kind: 'Deployment', name: 'cart', pods: 2 } },
        },
      ],
    },
    {
      name: 'asm-1.6 with ASM installed: a pod still on 1.4 stays in migrate-namespaces, a 1.6 pod is asm-migrate-namespaces',
      target: 'asm-1.6',
      documents: [
        ...asm168,
        sidecarPod('legacy', 'old', OLD),
        sidecarPod('shop', 'web', NEW, onRevision('istio-1611')),
      ],
      findings: [
        { message: 'Pod legacy/old runs istio-proxy 1.4.10-gke.4, older than', phase: 'migrate-namespaces' },
        {
          message: 'Pod shop/web runs istio-proxy 1.6.11-gke.0 on revision istio-1611',
          phase: 'asm-migrate-namespaces',
        },
      ],
    },
    {
      name: 'asm-1.7 before ASM is installed: 1.4 proxies are measured against the operator revision',
      target: 'asm-1.7',
      documents: [...running16, sidecarPod('shop', 'web', OLD)],
      findings: [
        {
          message: 'older than the 1.6.11-gke.0 control plane (revision istio-1611)',
          phase: 'migrate-namespaces',
        },
      ],
    },
    {
      name: 'istio-1.6: a pod labelled with an older operator revision (istio-163) is not on istio-1611',
      documents: [
        ...running16,
        ...istiod('istio-163', '1.6.3-gke.0'),
        sidecarPod('shop', 'web', NEW, onRevision('istio-163')),
      ],
      findings: [
        { message: 'on revision istio-163, not the target revision istio-1611', phase: 'migrate-namespaces' },
      ],
    },
    {
      name: 'a gateway Deployment outside istio-system without injection on 1.4: reported apart, redeploy, no restart',
      documents: [...running16, ...gatewayChain(OLD)],
      findings: [
        {
          message:
            'is a gateway whose istio-proxy container is part of its own Deployment, not injected: a rollout restart brings back the same image',
          resource: { kind: 'Deployment', namespace: 'gateways', name: 'shop-gateway' },
        },
      ],
    },
    {
      name: 'Pod -> ReplicaSet -> Deployment, StatefulSets, DaemonSets, bare pods: one finding per workload (fixture)',
      fixtures: ['fail-mid-migration.yaml'],
      findings: [
        {
          message:
            'DaemonSet shop/log-agent: 1 pod runs istio-proxy 1.4.10-gke.4, older than the 1.6.11-gke.0 control plane (revision istio-1611)',
          severity: 'warning',
          resource: { kind: 'DaemonSet', namespace: 'shop', name: 'log-agent' },
          // The workload's own place in the file, not its pod's.
          origin: { file: 'fail-mid-migration.yaml', line: 1945 },
          fix: {
            action: 'restart-workload',
            params: { kind: 'DaemonSet', namespace: 'shop', name: 'log-agent', pods: 1 },
          },
        },
        {
          message: 'Deployment shop/cart: 2 pods run istio-proxy 1.4.10-gke.4',
          resource: { kind: 'Deployment', name: 'cart' },
          fix: { action: 'restart-workload', params: { kind: 'Deployment', name: 'cart', pods: 2 } },
        },
        {
          message:
            'Pod shop/debug runs istio-proxy 1.4.10-gke.4, older than the 1.6.11-gke.0 control plane (revision ' +
            'istio-1611). It has no controller: re-create it once namespace shop points at revision istio-1611.',
          resource: { kind: 'Pod', name: 'debug' },
          origin: { file: 'fail-mid-migration.yaml', line: 2260 },
          fix: { action: 'restart-workload', params: { kind: 'Pod', name: 'debug', pods: 1 } },
        },
        {
          message: 'StatefulSet shop/redis: 1 pod runs',
          fix: { action: 'restart-workload', params: { kind: 'StatefulSet', name: 'redis' } },
        },
      ],
    },
    {
      name: 'Pod -> ReplicaSet -> Deployment by uid: 3 pods, one finding',
      documents: [...running16, shop, ...cartChain(OLD, 3)],
      findings: [
        { message: '3 pods run istio-proxy 1.4.10-gke.4', resource: { kind: 'Deployment', name: 'cart' } },
      ],
    },
    {
      name: 'owners resolved by name when the references carry no uid',
      documents: [
        ...running16,
        workload('Deployment', 'shop', 'cart'),
        workload('ReplicaSet', 'shop', 'cart-7d9f49d945', { ownerReferences: [owner('Deployment', 'cart')] }),
        sidecarPod('shop', 'cart-7d9f49d945-a', OLD, {
          ownerReferences: [owner('ReplicaSet', 'cart-7d9f49d945')],
        }),
      ],
      findings: [{ resource: { kind: 'Deployment', name: 'cart' } }],
    },
    {
      name: 'ReplicaSets not in the snapshot: the Deployment is found through pod-template-hash',
      documents: [
        ...running16,
        workload('Deployment', 'shop', 'cart'),
        sidecarPod('shop', 'cart-7d9f49d945-a', OLD, {
          labels: { 'pod-template-hash': '7d9f49d945' },
          ownerReferences: [owner('ReplicaSet', 'cart-7d9f49d945', 'uid-missing')],
        }),
      ],
      findings: [{ resource: { kind: 'Deployment', name: 'cart' }, fix: { action: 'restart-workload' } }],
    },
    {
      name: 'a ReplicaSet whose Deployment is not in the snapshot: the Deployment named by its owner reference',
      documents: [
        ...running16,
        workload('ReplicaSet', 'shop', 'api-5d8f', {
          uid: 'uid-rs',
          ownerReferences: [owner('Deployment', 'api', 'uid-gone')],
        }),
        sidecarPod('shop', 'api-5d8f-a', OLD, {
          ownerReferences: [owner('ReplicaSet', 'api-5d8f', 'uid-rs')],
        }),
      ],
      findings: [{ resource: { kind: 'Deployment', name: 'api' }, origin: { file: 'inline.yaml', line: 1 } }],
    },
    {
      name: 'pods of another controller (a Job): grouped, delete instructions, no rollout restart',
      documents: [
        ...running16,
        sidecarPod('shop', 'backfill-a', OLD, {
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'backfill', controller: true }],
        }),
        sidecarPod('shop', 'backfill-b', OLD, {
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'backfill', controller: true }],
        }),
      ],
      findings: [
        {
          message: 'Delete its pods (backfill-a, backfill-b) so that the Job re-creates them',
          resource: { kind: 'Job', namespace: 'shop', name: 'backfill' },
        },
      ],
    },
    {
      name: 'Deployments and ReplicaSets not collected: istiod from its pod, the workload from owner references',
      documents: [
        ...running16,
        sidecarPod('shop', 'cart-7d9f49d945-a', OLD, {
          labels: { 'pod-template-hash': '7d9f49d945' },
          ownerReferences: [owner('ReplicaSet', 'cart-7d9f49d945', 'uid-rs-cart')],
        }),
      ],
      notCollected: {
        deployments: 'deployments.apps is forbidden',
        replicasets: 'replicasets.apps is forbidden',
      },
      findings: [
        {
          resource: { kind: 'ReplicaSet', name: 'cart-7d9f49d945' },
          message: 'Delete its pods (cart-7d9f49d945-a)',
        },
      ],
    },
    {
      name: 'versions compare numerically: 1.6.3-gke.0 is older than 1.6.11-gke.0',
      documents: [...running16, sidecarPod('shop', 'debug', '1.6.3-gke.0')],
      findings: [{ message: 'runs istio-proxy 1.6.3-gke.0, older than the 1.6.11-gke.0 control plane' }],
    },
    {
      name: 'a workload whose pods run different old versions lists them all',
      documents: [
        ...running16,
        workload('StatefulSet', 'shop', 'redis', { uid: 'uid-sts' }),
        sidecarPod('shop', 'redis-0', '1.6.3-gke.0', {
          ownerReferences: [owner('StatefulSet', 'redis', 'uid-sts')],
        }),
        sidecarPod('shop', 'redis-1', OLD, { ownerReferences: [owner('StatefulSet', 'redis', 'uid-sts')] }),
        sidecarPod('shop', 'redis-2', OLD, { ownerReferences: [owner('StatefulSet', 'redis', 'uid-sts')] }),
      ],
      // Each version once, in order, whatever order the pods come in.
      findings: [
        { message: 'StatefulSet shop/redis: 3 pods run istio-proxy 1.4.10-gke.4, 1.6.3-gke.0, older than' },
      ],
    },
    {
      name: 'pods of one workload on two old revisions: each revision once, in order',
      documents: [
        ...running16,
        ...istiod('istio-163', '1.6.3-gke.0'),
        workload('StatefulSet', 'shop', 'redis', { uid: 'uid-sts' }),
        sidecarPod('shop', 'redis-0', '1.6.3-gke.0', {
          labels: { 'istio.io/rev': 'istio-163' },
          ownerReferences: [owner('StatefulSet', 'redis', 'uid-sts')],
        }),
        sidecarPod('shop', 'redis-1', '1.6.2-gke.0', {
          labels: { 'istio.io/rev': 'istio-162' },
          ownerReferences: [owner('StatefulSet', 'redis', 'uid-sts')],
        }),
      ],
      findings: [
        {
          message:
            'StatefulSet shop/redis: 2 pods run istio-proxy 1.6.2-gke.0, 1.6.3-gke.0 on revision istio-162, istio-163, ' +
            'not the target revision istio-1611 (the 1.6.11-gke.0 control plane). Restart it (kubectl rollout ' +
            'restart) once namespace shop points at revision istio-1611.',
          resource: { kind: 'StatefulSet', namespace: 'shop', name: 'redis' },
        },
      ],
    },
    {
      name: 'a labelled proxy whose image has no version tag is judged by its label (version shown as ?)',
      documents: [
        ...running16,
        pod('shop', 'web', [{ name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2@sha256:4f2c' }], {
          labels: { 'istio.io/rev': 'istio-163' },
        }),
      ],
      findings: [
        {
          message:
            'Pod shop/web runs istio-proxy ? on revision istio-163, not the target revision istio-1611',
          resource: { kind: 'Pod', namespace: 'shop', name: 'web' },
        },
      ],
    },
    {
      name: 'an istiod tag that is not a version does not matter when every proxy carries its revision label',
      documents: [
        ...istiod('istio-1611', 'latest'),
        sidecarPod('shop', 'web', '1.6.3-gke.0', onRevision('istio-163')),
      ],
      findings: [
        {
          message:
            'Pod shop/web runs istio-proxy 1.6.3-gke.0 on revision istio-163, not the target revision istio-1611 (the latest control plane)',
          resource: { kind: 'Pod', name: 'web' },
        },
      ],
    },
    {
      name: 'a proxy without a version tag beside an outdated one: the outdated one is reported, not unknown',
      documents: [
        ...running16,
        sidecarPod('shop', 'old', OLD),
        pod('shop', 'digest', [
          { name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2@sha256:4f2c' },
        ]),
      ],
      findings: [
        {
          message: 'Pod shop/old runs istio-proxy 1.4.10-gke.4, older than',
          resource: { kind: 'Pod', name: 'old' },
        },
      ],
    },
    {
      name: 'asm-1.6: an unlabelled proxy of a higher patch that is not an asm build is behind the ASM istiod',
      target: 'asm-1.6',
      documents: [...asm168, sidecarPod('shop', 'web', NEW)],
      findings: [
        {
          message:
            'Pod shop/web runs istio-proxy 1.6.11-gke.0, older than the 1.6.8-asm.9 control plane (revision asm-168-9)',
          resource: { kind: 'Pod', name: 'web' },
          phase: 'asm-migrate-namespaces',
        },
      ],
    },
    {
      name: 'asm-1.7 before ASM is installed: a pod on an older 1.6 revision stays in migrate-namespaces',
      target: 'asm-1.7',
      documents: [
        ...running16,
        ...istiod('istio-163', '1.6.3-gke.0'),
        sidecarPod('shop', 'web', '1.6.3-gke.0', onRevision('istio-163')),
      ],
      findings: [
        {
          message: 'on revision istio-163, not the target revision istio-1611',
          resource: { kind: 'Pod', name: 'web' },
          phase: 'migrate-namespaces',
        },
      ],
    },
    {
      name: 'asm-1.6 with ASM installed: an uninjected gateway on the operator revision is asm-migrate-namespaces too',
      target: 'asm-1.6',
      documents: [...asm168, ...gatewayChain(NEW, 'istio-1611')],
      findings: [
        {
          message:
            'Deployment gateways/shop-gateway: 1 pod runs istio-proxy 1.6.11-gke.0 on revision istio-1611, not the ' +
            'target revision asm-168-9 (the 1.6.8-asm.9 control plane). It is a gateway whose istio-proxy container ' +
            'is part of its own Deployment, not injected: a rollout restart brings back the same image. Redeploy it ' +
            'with the proxy image of revision asm-168-9 (for example from the gateway manifests of the new version).',
          resource: { kind: 'Deployment', namespace: 'gateways', name: 'shop-gateway' },
          phase: 'asm-migrate-namespaces',
        },
      ],
    },
    {
      name: 'ASM target: once an asm-* revision runs, 1.6 proxies are behind it',
      target: 'asm-1.6',
      documents: [...running16, ...istiod('asm-173-6', '1.7.3-asm.6'), sidecarPod('shop', 'web', NEW)],
      findings: [{ message: 'older than the 1.7.3-asm.6 control plane (revision asm-173-6)' }],
    },
  ],
  notApplicable: [
    {
      name: 'no pod has a sidecar',
      documents: [...running16, pod('shop', 'plain', [{ name: 'app', image: 'nginx:1.19' }])],
      reason: 'no pod outside istio-system has an istio-proxy sidecar',
    },
    {
      name: 'no 1.6 istiod yet: no current version to compare with',
      documents: [namespace('istio-system'), sidecarPod('shop', 'web', OLD)],
      reason: 'no current version to compare the proxies with',
    },
    {
      name: 'istiod not ready: no current version to compare with',
      documents: [...istiod('istio-1611', NEW, { ready: false }), sidecarPod('shop', 'web', OLD)],
      reason: 'no Istio 1.6 control plane',
    },
  ],
  unknown: [
    {
      name: 'Pods not collected',
      fixtures: ['fail-mid-migration.yaml'],
      notCollected: { pods: 'forbidden: pods is forbidden' },
      reason: 'Pods not collected: forbidden',
    },
    {
      name: 'a proxy image without a version tag',
      documents: [
        ...running16,
        pod('shop', 'web', [{ name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2@sha256:4f2c' }]),
      ],
      reason:
        'the istio-proxy image of 1 pod has no version tag: shop/web ' +
        '(gcr.io/gke-release/istio/proxyv2@sha256:4f2c) (and no istio.io/rev label says which control plane injected it)',
    },
    {
      name: 'three proxy images without a version tag: all three named, no ellipsis',
      documents: [
        ...running16,
        ...['a', 'b', 'c'].map((name) =>
          pod('shop', name, [
            { name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2@sha256:${name}` },
          ]),
        ),
      ],
      reason: 'shop/c (gcr.io/gke-release/istio/proxyv2@sha256:c) (and no istio.io/rev label',
    },
    {
      name: 'four proxy images without a version tag: three named, and the count',
      documents: [
        ...running16,
        ...['a', 'b', 'c', 'd'].map((name) =>
          pod('shop', name, [
            { name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2@sha256:${name}` },
          ]),
        ),
      ],
      reason:
        'the istio-proxy image of 4 pods has no version tag: shop/a (gcr.io/gke-release/istio/proxyv2@sha256:a), ' +
        'shop/b (gcr.io/gke-release/istio/proxyv2@sha256:b), shop/c (gcr.io/gke-release/istio/proxyv2@sha256:c), … ' +
        '(and no istio.io/rev label says which control plane injected it)',
    },
    {
      name: 'an istiod image tag that is not a version',
      documents: [...istiod('istio-1611', 'latest'), sidecarPod('shop', 'web', OLD)],
      reason: 'runs image tag "latest", which is not an Istio version',
    },
  ],
});

/** The same object with the istio.io/rev label a 1.6+ injector puts on the pods it injects. */
function withRevision(object: Record<string, unknown>, revision: string): Record<string, unknown> {
  if (object.kind !== 'Pod') return object;
  const metadata = object.metadata as { labels?: Record<string, string> };
  return { ...object, metadata: { ...metadata, labels: { ...metadata.labels, 'istio.io/rev': revision } } };
}

/** A Deployment -> ReplicaSet -> pod chain in namespace gw whose template and pod are given. */
function chainOf(
  name: string,
  template: { containers: { name: string; image: string }[]; labels?: Record<string, string> },
  pod_: { containers?: { name: string; image: string }[]; annotations?: Record<string, string> } = {},
) {
  return [
    workload('Deployment', 'gw', name, {
      uid: `uid-${name}`,
      containers: template.containers,
      templateLabels: template.labels,
    }),
    pod('gw', `${name}-x1`, pod_.containers ?? template.containers, {
      labels: template.labels ?? {},
      ...(pod_.annotations ? { annotations: pod_.annotations } : {}),
      ownerReferences: [owner('Deployment', name, `uid-${name}`)],
    }),
  ];
}
const PROXY = { name: 'istio-proxy', image: `gcr.io/gke-release/istio/proxyv2:${OLD}` };
const APP = { name: 'app', image: 'gcr.io/acme-prod/app:2.3.1' };
const INJECTED = { 'sidecar.istio.io/status': '{"version":"1.4"}' };

describe('sidecar-proxy-version: which workloads are uninjected gateways (redeploy) and which are restarted', () => {
  const kindOf = async (documents: unknown[], notCollected?: Record<string, string>) => {
    const result = await evaluateRule(rule, {
      name: 'gateway?',
      documents: [...running16, ...documents],
      notCollected,
    });
    expect(result.findings).toHaveLength(1);
    const message = result.findings[0]?.message ?? '';
    return message.includes('It is a gateway whose istio-proxy container is part of its own Deployment')
      ? 'gateway'
      : message.includes('Restart it') || message.includes('Delete its pods')
        ? 'restart'
        : message;
  };

  it('a template with istio-proxy and another container, labelled istio: …gateway: a gateway', async () => {
    expect(
      await kindOf(chainOf('edge', { containers: [APP, PROXY], labels: { istio: 'edge-gateway' } })),
    ).toBe('gateway');
  });

  it('a template whose only container is istio-proxy, without a gateway label: a gateway', async () => {
    expect(await kindOf(chainOf('edge', { containers: [PROXY], labels: { app: 'edge' } }))).toBe('gateway');
  });

  it('istio-proxy written into an app template (istioctl kube-inject), no gateway label: restarted', async () => {
    expect(await kindOf(chainOf('cart', { containers: [APP, PROXY], labels: { app: 'cart' } }))).toBe(
      'restart',
    );
  });

  it('the Deployment decides over its pod: no istio-proxy in the template means injected', async () => {
    // The pod alone would look like a gateway (its label, no injector annotation kept).
    const documents = chainOf(
      'edge',
      { containers: [APP], labels: { istio: 'edge-gateway' } },
      { containers: [APP, PROXY] },
    );
    expect(await kindOf(documents)).toBe('restart');
  });

  it('without the Deployment, the pod decides: no injector annotation and a gateway shape', async () => {
    const documents = chainOf('edge', { containers: [PROXY], labels: { istio: 'edge-gateway' } }).slice(1);
    expect(await kindOf(documents, { deployments: 'deployments.apps is forbidden' })).toBe('gateway');
  });

  it('without the Deployment, an injected pod (the injector annotation) is restarted even with a gateway label', async () => {
    const documents = chainOf(
      'edge',
      { containers: [APP, PROXY], labels: { istio: 'edge-gateway' } },
      { annotations: INJECTED },
    ).slice(1);
    expect(await kindOf(documents, { deployments: 'deployments.apps is forbidden' })).toBe('restart');
  });
});

describe('sidecar-proxy-version gateways', () => {
  it('offers no rollout restart for an uninjected gateway (it would bring back the same image)', async () => {
    const result = await evaluateRule(rule, {
      name: 'gateway',
      documents: [...running16, ...gatewayChain(OLD)],
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.fix).toBeUndefined();
    expect(result.findings[0]?.remediation).toBeUndefined();
  });
});

describe('sidecar-proxy-version commands', () => {
  it('quotes hostile names in the restart command and keeps a bare pod a TODO, each command on one line', async () => {
    const input = {
      name: 'hostile',
      documents: [
        ...running16,
        workload('Deployment', 'shop', 'cart;rm -rf ~', { uid: 'uid-evil' }),
        sidecarPod('shop', 'evil-a', OLD, {
          ownerReferences: [owner('Deployment', 'cart;rm -rf ~', 'uid-evil')],
        }),
        sidecarPod('shop', "debug'\n$(reboot)", OLD),
      ],
    };
    const result = await evaluateRule(rule, input);
    const commands = result.findings.flatMap((f) => f.remediation?.commands ?? []);
    for (const command of commands) expect(command).not.toContain('\n');
    expect(commands).toContain("kubectl rollout restart deployment -n shop 'cart;rm -rf ~'");
    const podLines = commands.filter((c) => c.includes('delete pod'));
    expect(podLines).toEqual(["kubectl delete pod -n shop $'debug\\'\\x0a$(reboot)'"]);
    // A bare pod is never deleted by the script: its commands are a TODO's, printed for a person.
    const steps = (await plannedSteps(rule, input)).filter((step) => step.resource.startsWith('Pod '));
    expect(steps).toHaveLength(1);
    expect(steps[0]?.steps.map((s) => s.kind)).toEqual(['comment', 'todo']);
    const script = renderPlanStep(steps[0] as PlanStep);
    expect(script.split('\n').filter((line) => line.includes('delete pod'))).toEqual([
      "  todo_command kubectl delete pod -n shop $'debug\\'\\x0a$(reboot)'",
    ]);
  });
});
