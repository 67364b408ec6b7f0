/**
 * The Istio 1.4 bookinfo RBAC tutorial (samples/bookinfo/platform/kube/rbac at istio 1.4.10):
 * all four bindings convert, and the converted policies decide the tutorial's requests as 1.4 did.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderPoliciesYaml } from '../../src/convert/yaml.ts';
import { convertText, documents } from './convert-cases.ts';
import { decide14 } from './reference/istio14.ts';
import { decide16 } from './reference/istio16.ts';
import type { KubeDoc, Request, World } from './reference/world.ts';

const FIXTURE = 'fixtures/convert/bookinfo-rbac-1.4.yaml';
const APPS = ['productpage', 'details', 'reviews', 'ratings'];

describe('the Istio 1.4 bookinfo RBAC tutorial', async () => {
  const text = await readFile(FIXTURE, 'utf8');
  const result = convertText(text);

  it('converts every binding (4 of 4), one AuthorizationPolicy per workload selector', () => {
    expect(result.problems).toEqual([]);
    const byBinding = new Map<string, string[]>();
    for (const o of result.objects.filter((x) => x.sources[0]?.kind === 'ServiceRoleBinding')) {
      const name = o.sources[0]?.name ?? '';
      const selector = (o.object.spec as { selector?: { matchLabels: { app: string } } }).selector;
      byBinding.set(name, [...(byBinding.get(name) ?? []), selector?.matchLabels.app ?? '*']);
    }
    expect(Object.fromEntries(byBinding)).toEqual({
      'bind-details-reviews': ['details', 'reviews'],
      'bind-productpage-viewer': ['productpage'],
      'bind-ratings': ['ratings'],
      'bind-service-viewer': APPS,
    });
  });

  it('the converted policies allow exactly what 1.4 allowed, for the tutorial callers', () => {
    const docs = documents(text) as KubeDoc[];
    const world: World = {
      rootNamespace: 'istio-system',
      services: APPS.map((app) => ({
        name: app,
        namespace: 'default',
        selector: { app },
        ports: [{ name: 'http', port: 9080, targetPort: 9080 }],
      })),
      workloads: APPS.map((app) => ({
        name: app,
        namespace: 'default',
        labels: { app, version: 'v1' },
        serviceAccount: `bookinfo-${app}`,
      })),
      policies: docs.filter((d) => d.apiVersion.endsWith('/v1alpha1')),
    };
    const output = parseAllDocuments(renderPoliciesYaml(result.objects)).map((d) => d.toJS() as KubeDoc);
    const callers = [
      'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
      'cluster.local/ns/default/sa/bookinfo-productpage',
      'cluster.local/ns/default/sa/bookinfo-reviews',
      'cluster.local/ns/other/sa/client',
    ];
    let allowed = 0;
    for (const app of APPS) {
      for (const peer of callers) {
        for (const method of ['GET', 'POST']) {
          const request: Request = {
            service: app,
            namespace: 'default',
            port: 9080,
            workload: app,
            peer,
            sourceIp: '10.1.2.3',
            method,
            path: '/',
            host: app,
            headers: {},
          };
          const in14 = decide14(world, request);
          if (in14 === 'allow') allowed++;
          expect({ app, peer, method, decision: decide16(world, output, request) }).toEqual({
            app,
            peer,
            method,
            decision: in14,
          });
        }
      }
    }
    // The tutorial's point: GETs from the mesh namespaces (and anyone to productpage) pass, POSTs do not.
    expect(allowed).toBe(13);
  });
});
