import { describe, expect, it } from 'vitest';
import type { KubeKind } from '../../src/snapshot/model.ts';
import { acceptsRawObject, invalidRawObject, rawObjectProblem } from '../../src/snapshot/raw-schema.ts';

const metadata = { name: 'a', namespace: 'b' };

describe('rawObjectProblem', () => {
  it('words the first problem of an invalid object with its path, as zod words it', () => {
    const cases: [KubeKind, unknown, string][] = [
      [
        'services',
        { metadata, spec: { ports: { web: { port: 80 } } } },
        'spec.ports: Invalid input: expected array, received object',
      ],
      [
        'services',
        { metadata, spec: { ports: [{ port: 65536 }] } },
        'spec.ports[0].port: Too big: expected number to be <=65535',
      ],
      [
        'services',
        { metadata, spec: { ports: [{ port: '123456' }] } },
        'spec.ports[0].port: not a port number',
      ],
      ['services', { metadata, spec: { ports: [{ port: 1.5 }] } }, 'spec.ports[0].port: Invalid input'],
      [
        'services',
        { metadata, spec: { ports: [{ port: Number.POSITIVE_INFINITY }] } },
        'spec.ports[0].port: Invalid input',
      ],
      [
        'services',
        { metadata, spec: { ports: [{ targetPort: -1 }] } },
        'spec.ports[0].targetPort: Too small: expected number to be >=0',
      ],
      ['pods', { metadata: { name: '' } }, 'metadata.name: must not be empty'],
      [
        'pods',
        { metadata: { name: 'x'.repeat(254) } },
        'metadata.name: longer than 253 characters (a Kubernetes name is at most that)',
      ],
      ['pods', { metadata: {} }, 'metadata.name: Invalid input: expected string, received undefined'],
      ['pods', {}, 'metadata: Invalid input: expected object, received undefined'],
      ['pods', [], 'object: Invalid input: expected object, received array'],
      ['pods', null, 'object: Invalid input: expected object, received null'],
      [
        'pods',
        { metadata, spec: { containers: [{ image: 5 }] } },
        'spec.containers[0].image: Invalid input: expected string, received number',
      ],
      [
        'deployments',
        { metadata, spec: { replicas: -1 } },
        'spec.replicas: Too small: expected number to be >=0',
      ],
      [
        'deployments',
        { metadata, spec: { replicas: 2 ** 53 } },
        'spec.replicas: Too big: expected int to be <=9007199254740991',
      ],
      [
        'deployments',
        { metadata, status: { readyReplicas: Number.NaN } },
        'status.readyReplicas: Invalid input: expected number, received NaN',
      ],
      ['istiooperators', { metadata, spec: { tag: Number.NaN } }, 'spec.tag: Invalid input'],
      [
        'istiooperators',
        { metadata, spec: { components: { ingressGateways: [{ enabled: 'yes' }] } } },
        'spec.components.ingressGateways[0].enabled: Invalid input: expected boolean, received string',
      ],
      [
        'nodes',
        { metadata, status: { capacity: { cpu: -2 } } },
        'status.capacity.cpu: Too small: expected number to be >=0',
      ],
      [
        'namespaces',
        { metadata: { name: 'a', labels: { a: { b: 1 } } } },
        'metadata.labels: expected a map of strings (values at most 4096 characters)',
      ],
      [
        'namespaces',
        { metadata: { name: 'a', annotations: ['x'] } },
        'metadata.annotations: expected a map of strings',
      ],
      [
        'namespaces',
        { metadata: { name: 'a', ownerReferences: [{ name: 'x'.repeat(254) }] } },
        'metadata.ownerReferences[0].name: Too big: expected string to have <=253 characters',
      ],
      [
        'clusterroles',
        { metadata: { name: 'a' }, rules: [{ verbs: '*' }] },
        'rules[0].verbs: Invalid input: expected array, received string',
      ],
      ['virtualservices', { metadata, spec: [] }, 'spec: Invalid input: expected object, received array'],
    ];
    for (const [kind, raw, problem] of cases) {
      expect(rawObjectProblem(kind, raw), problem).toBe(problem);
      expect(acceptsRawObject(kind, raw), problem).toBe(false);
    }
  });

  it('accepts what kubectl and hand-written YAML hold: null fields, string ports, numeric labels, long annotations', () => {
    const cases: [KubeKind, unknown][] = [
      [
        'services',
        {
          metadata: { ...metadata, labels: { version: 1, canary: true, gone: null }, annotations: null },
          spec: {
            ports: [
              { name: 'http', port: '8080', targetPort: 'web' },
              { port: 0, targetPort: 65535 },
            ],
          },
          status: { loadBalancer: {} },
        },
      ],
      ['services', { metadata, spec: { ports: [{ port: '007' }] } }],
      ['services', { metadata, spec: null }],
      // Lengths are counted in code points, as zod counts them: 253 emoji are 506 UTF-16 units.
      ['pods', { metadata: { name: '😀'.repeat(253) } }],
      ['pods', { metadata: { name: 'a', annotations: { 'last-applied': 'x'.repeat(100_000) } } }],
      [
        'istiooperators',
        { metadata, spec: { tag: 1.5, revision: null, components: { ingressGateways: [] } } },
      ],
      ['nodes', { metadata, status: { capacity: { cpu: '4' } } }],
      ['nodes', { metadata, status: { capacity: { cpu: 4 } } }],
      // Kinds no rule reads beyond metadata: other fields pass untouched.
      ['configmaps', { metadata, data: 5 }],
    ];
    for (const [kind, raw] of cases) {
      expect(rawObjectProblem(kind, raw), JSON.stringify(raw).slice(0, 120)).toBeUndefined();
      expect(acceptsRawObject(kind, raw)).toBe(true);
    }
  });

  it('names the object in invalidRawObject, and skips objects no rule reads', () => {
    expect(invalidRawObject('services', { kind: 'Service', metadata, spec: { ports: { web: 80 } } })).toBe(
      'Service b/a: spec.ports: Invalid input: expected array, received object',
    );
    // A ClusterRole that is not Istio's is dropped by the snapshot, so its rules are not checked.
    const rules = { verbs: ['*'] };
    expect(
      invalidRawObject('clusterroles', { kind: 'ClusterRole', metadata: { name: 'admin' }, rules }),
    ).toBeUndefined();
    expect(
      invalidRawObject('clusterroles', { kind: 'ClusterRole', metadata: { name: 'istio-reader' }, rules }),
    ).toBe('ClusterRole istio-reader: rules: Invalid input: expected array, received object');
  });
});
