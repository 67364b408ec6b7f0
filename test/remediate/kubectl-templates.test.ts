/**
 * The go-templates and JSONPath expressions remediate.sh hands to kubectl, run through the real
 * kubectl (`kubectl label --local`, which needs no cluster) on objects shaped like the add-on's.
 * This pins what the stand-ins in the other tests answer to what kubectl really prints.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POD_IMAGES_JSONPATH } from '../../src/remediate/actions/enable-operator-gateway/enable-operator-gateway.ts';
import { POD_PROXY_IMAGES_JSONPATH } from '../../src/remediate/planned-steps.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { fullReport } from './reports.ts';

/**
 * The scripts are rendered inside each test, not when the module loads: a test then reaches the
 * code it checks, which is what mutation testing's per-test coverage needs (docs/development.md).
 */
const script = () => renderRemediationScript(fullReport('asm-1.7'));
const istioScript = () => renderRemediationScript(fullReport('istio-1.6'));

/** A `readonly NAME='...'` constant of the generated script. */
function constant(name: string): string {
  const match = new RegExp(`^readonly ${name}='([^']*)'$`, 'm').exec(`${script()}\n${istioScript()}`);
  if (!match) throw new Error(`no constant ${name} in the script`);
  return match[1] as string;
}

/** A `-o jsonpath='...'` expression of the script that contains `marker`. */
function inlineJsonPath(marker: string): string {
  const found = [...script().matchAll(/-o jsonpath='([^']*)'/g)]
    .map((m) => m[1] as string)
    .find((p) => p.includes(marker));
  if (!found) throw new Error(`no jsonpath with ${marker} in the script`);
  return found;
}

const work = mkdtempSync(path.join(tmpdir(), 'meshready-kubectl-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let files = 0;

function kubectl(object: unknown, output: string): string {
  files += 1;
  const file = path.join(work, `object-${files}.json`);
  writeFileSync(file, JSON.stringify(object));
  const run = spawnSync('kubectl', ['label', '--local', '-f', file, 'meshready-test=1', '-o', output], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: path.join(work, 'no-kubeconfig') },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

/** A step's `-o jsonpath=...` argument (src/remediate/actions), without `jsonpath=`. */
function jsonPathOf(argument: string): string {
  expect(argument.startsWith('jsonpath=')).toBe(true);
  return argument.slice('jsonpath='.length);
}

function list(items: unknown[]): unknown {
  return { apiVersion: 'v1', kind: 'List', items };
}

/**
 * `kubectl label --local` prints a List item by item, so `{range .items[*]}X{end}` is checked
 * as X on each item, which is what the range does.
 */
function perItem(expression: string): string {
  const start = '{range .items[*]}';
  expect(expression.startsWith(start) && expression.endsWith('{end}')).toBe(true);
  return `jsonpath=${expression.slice(start.length, -'{end}'.length)}`;
}

const pod = (
  namespace: string,
  name: string,
  app: string | undefined,
  containers: [string, string][],
  labels: Record<string, string> = {},
) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, ...(app ? { labels: { app, ...labels } } : {}) },
  spec: { containers: containers.map(([n, image]) => ({ name: n, image })) },
});

describe('kubectl go-templates in remediate.sh', () => {
  it('lists the galley ClusterRole rule entries with their index, whatever their shape', () => {
    const clusterRole = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'istio-galley-istio-system' },
      rules: [
        {
          apiGroups: ['authentication.istio.io', 'config.istio.io'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          verbs: ['*'],
        },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      ],
    };
    expect(kubectl(clusterRole, `go-template=${constant('CLUSTERROLE_RULES_TEMPLATE')}`)).toBe(
      [
        '0|authentication.istio.io,config.istio.io,|*,|get,list,watch,',
        '1|||get,',
        '2|admissionregistration.k8s.io,|validatingwebhookconfigurations,|*,',
        '3|,|configmaps,|get,',
        '',
      ].join('\n'),
    );
  });

  it("lists a namespace's labels as key=value lines, and nothing without labels", () => {
    const template = `go-template=${constant('LABELS_TEMPLATE')}`;
    const labelled = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { 'istio.io/rev': 'istio-1611' } },
    };
    expect(kubectl(labelled, template)).toBe('istio.io/rev=istio-1611\nmeshready-test=1\n');
  });

  it('turns a workload selector into a label selector, flagging matchExpressions', () => {
    const template = `go-template=${constant('SELECTOR_TEMPLATE')}`;
    const deployment = (selector: unknown) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: { selector, template: { metadata: { labels: {} }, spec: { containers: [] } } },
    });
    expect(kubectl(deployment({ matchLabels: { app: 'cart', version: 'v1' } }), template)).toBe(
      'app=cart,version=v1,',
    );
    expect(
      kubectl(
        deployment({ matchLabels: { app: 'cart' }, matchExpressions: [{ key: 't', operator: 'Exists' }] }),
        template,
      ),
    ).toBe('EXPRESSIONSapp=cart,');
  });

  it('lists the IstioOperator ingress gateways, and nothing when it has no components', () => {
    const template = `go-template=${constant('INGRESS_GATEWAYS_TEMPLATE')}`;
    const operator = (spec: unknown) => ({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'istio-1-6-11-gke-0', namespace: 'istio-system' },
      spec,
    });
    expect(
      kubectl(
        operator({
          components: {
            ingressGateways: [{ name: 'istio-ingressgateway', enabled: false }, { name: 'ilb' }],
          },
        }),
        template,
      ),
    ).toBe('0|istio-ingressgateway|false\n1|ilb|<no value>\n');
    expect(kubectl(operator({ profile: 'default' }), template)).toBe('');
  });
});

describe('kubectl JSONPath expressions in remediate.sh', () => {
  const podItems = [
    pod('shop', 'cart-1', 'cart', [
      ['cart', 'cart:1'],
      ['istio-proxy', 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4'],
    ]),
    pod('istio-system', 'istio-ingressgateway-1', 'istio-ingressgateway', [
      ['istio-proxy', 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4'],
    ]),
    pod('shop', 'plain', undefined, [['c', 'x:1']]),
  ];
  const pods = list(podItems);

  it('lists every pod with its app label, istio.io/rev label and proxy image', () => {
    const withRevision = list([
      ...podItems,
      pod('web', 'api-1', 'api', [['istio-proxy', 'gcr.io/gke-release/istio/proxyv2:1.6.11-gke.0']], {
        'istio.io/rev': 'istio-1611',
      }),
    ]);
    expect(kubectl(withRevision, perItem(constant('POD_PROXIES_JSONPATH')))).toBe(
      [
        'shop/cart-1|cart||gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4 ',
        'istio-system/istio-ingressgateway-1|istio-ingressgateway||gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4 ',
        'shop/plain|||',
        'web/api-1|api|istio-1611|gcr.io/gke-release/istio/proxyv2:1.6.11-gke.0 ',
        '',
      ].join('\n'),
    );
  });

  it('lists pod names with their proxy image, and with all images', () => {
    expect(kubectl(pods, perItem(jsonPathOf(POD_PROXY_IMAGES_JSONPATH)))).toBe(
      'cart-1\tgcr.io/gke-release/istio/proxyv2:1.4.10-gke.4\nistio-ingressgateway-1\tgcr.io/gke-release/istio/proxyv2:1.4.10-gke.4\nplain\t\n',
    );
    expect(kubectl(pods, perItem(jsonPathOf(POD_IMAGES_JSONPATH)))).toBe(
      'cart-1\tcart:1 gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4 \nistio-ingressgateway-1\tgcr.io/gke-release/istio/proxyv2:1.4.10-gke.4 \nplain\tx:1 \n',
    );
  });

  it('reads istiod revisions and readiness, and Deployment replicas', () => {
    const deployment = (name: string, labels: Record<string, string>, replicas: number, ready?: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'istio-system', labels },
      spec: { replicas },
      status: ready === undefined ? {} : { readyReplicas: ready },
    });
    const deployments = list([
      deployment('istiod-istio-1611', { app: 'istiod', 'istio.io/rev': 'istio-1611' }, 1, 1),
      deployment('istiod-asm-173-6', { app: 'istiod', 'istio.io/rev': 'asm-173-6' }, 2),
      deployment('istio-pilot', { app: 'pilot' }, 0),
    ]);
    expect(kubectl(deployments, perItem(inlineJsonPath('istio\\.io/rev')))).toBe(
      'istio-1611|1\nasm-173-6|\n|\n',
    );
    expect(kubectl(deployments, perItem(inlineJsonPath('.status.readyReplicas}{"\\n"}')))).toBe('1\n\n\n');
    expect(kubectl(deployments, perItem(inlineJsonPath('.spec.replicas')))).toBe(
      'istiod-istio-1611=1\nistiod-asm-173-6=2\nistio-pilot=0\n',
    );
  });
});
