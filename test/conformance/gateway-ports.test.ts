/**
 * The gateway port cases (./gateway-ports.json) through both languages: the rule
 * gateway-port-changes (TypeScript, at scan time) and the gate of remediate.sh (bash, at run time,
 * with the real kubectl against the test API server and the real gcloud against the test Compute
 * API). Each must flag exactly the cases marked open. Every case is an object of istio-system (or
 * a firewall rule) with a name of its own; the gateway pods both look at carry the table's labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fix } from '../../src/remediate/actions/index.ts';
import { type GoogleApiServer, startGoogleApiServer } from '../helpers/google-api-server.ts';
import { gkeCluster } from '../helpers/objects.ts';
import { applyScript, OLD_PROXY, OPERATOR, pod, type Raw, scanOf, TIMEOUT } from '../remediate/apply-run.ts';
import { CLUSTER, finding, realisticReport, result } from '../remediate/reports.ts';
import { GATEWAY_PORTS } from './tables.ts';

const GATEWAY_PORT_CASES = GATEWAY_PORTS.cases;

const gatewayPod: Raw = {
  ...pod('istio-system', 'istio-ingressgateway', OLD_PROXY),
  metadata: {
    name: 'istio-ingressgateway-1',
    namespace: 'istio-system',
    labels: GATEWAY_PORTS.gatewayPodLabels,
  },
};
const objects: Raw[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
  gatewayPod,
  ...GATEWAY_PORT_CASES.flatMap((c) => c.objects ?? []),
];
const firewalls = GATEWAY_PORT_CASES.flatMap((c) => (c.firewall ? [c.firewall] : []));
const expectedOpen = GATEWAY_PORT_CASES.filter((c) => c.open)
  .map((c) => `${c.kind} ${c.name}`)
  .sort();

describe(`gateway port cases: ${GATEWAY_PORTS.typescript} / ${GATEWAY_PORTS.bash}`, () => {
  it('the table has open and closed cases of every kind, with unique names', () => {
    const names = GATEWAY_PORT_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const kind of ['NetworkPolicy', 'AuthorizationPolicy', 'BackendConfig', 'Firewall']) {
      const cases = GATEWAY_PORT_CASES.filter((c) => c.kind === kind);
      expect(cases.some((c) => c.open)).toBe(true);
      expect(cases.some((c) => !c.open)).toBe(true);
    }
  });

  it('TypeScript: gateway-port-changes flags exactly the open cases', () => {
    const report = scanOf('istio-1.6', objects, [firewalls]);
    // Open: a finding the scan does not suppress (an acknowledged BackendConfig is suppressed).
    const flagged = (report.results.find((r) => r.ruleId === 'gateway-port-changes')?.findings ?? [])
      .filter((f) => f.suppressed === undefined)
      .map((f) => `${f.resource.kind} ${f.resource.name}`)
      .sort();
    expect(flagged).toEqual(expectedOpen);
  });

  describe('bash: the gate before the 1.6 gateway is enabled', () => {
    let google: GoogleApiServer;
    beforeAll(async () => {
      google = await startGoogleApiServer({
        clusters: [
          {
            project: CLUSTER.project,
            location: CLUSTER.location,
            cluster: gkeCluster({
              networkConfig: { network: `projects/${CLUSTER.project}/global/networks/default` },
            }),
          },
        ],
        firewalls: { [CLUSTER.project]: firewalls },
      });
    });
    afterAll(async () => {
      await google.close();
    });

    it(
      'names exactly the open cases, and stops the phase',
      async () => {
        const scanned = realisticReport('istio-1.6', [
          result('ingress-gateway-revision', 'migrate-gateway', [
            finding({
              severity: 'warning',
              resource: {
                apiVersion: 'install.istio.io/v1alpha1',
                kind: 'IstioOperator',
                namespace: 'istio-system',
                name: OPERATOR,
              },
              fix: fix('enable-operator-gateway', { operator: OPERATOR, index: 0 }),
            }),
          ]),
        ]);
        const run = await applyScript(scanned, objects, ['--apply', '--yes'], [], { google });
        expect(run.status).toBe(1);
        const named = [
          ...run.stdout.matchAll(
            /^ {4}open: (?:(NetworkPolicy|AuthorizationPolicy|BackendConfig) istio-system\/(\S+)|firewall rule (\S+))/gm,
          ),
        ]
          .map((m) => (m[3] ? `Firewall ${m[3]}` : `${m[1]} ${m[2]}`))
          .sort();
        expect(named).toEqual(expectedOpen);
      },
      TIMEOUT,
    );
  });
});
