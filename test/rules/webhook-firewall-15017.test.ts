import { describe, expect, it } from 'vitest';
import rule from '../../rules/webhook-firewall-15017.ts';
import { firewallRule, gkeCluster, istiod, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

type Raw = Record<string, unknown>;
const CIDR = '172.16.0.0/28';
const NODE_TAG = 'gke-demo-3f2a9c1b-node';
const privateCluster = (overrides: Raw = {}) =>
  gkeCluster({
    privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: CIDR },
    nodePools: [
      {
        name: 'default-pool',
        initialNodeCount: 3,
        config: {
          machineType: 'e2-standard-4',
          tags: ['web'],
          serviceAccount: 'nodes@acme-prod.iam.gserviceaccount.com',
        },
      },
    ],
    ...overrides,
  });
/** GKE's generated master rule (tcp:443, tcp:10250), as in every private cluster. */
const masterRule = (overrides: Raw = {}) =>
  firewallRule('gke-demo-3f2a9c1b-master', { targetTags: [NODE_TAG], ...overrides });
const webhookRule = (overrides: Raw = {}) =>
  firewallRule('allow-istio-webhook', { allowed: [{ IPProtocol: 'tcp', ports: ['15017'] }], ...overrides });
const withRules = (...rules: Raw[]) => [privateCluster(), rules];
const deny = (name: string, overrides: Raw = {}) =>
  firewallRule(name, { allowed: undefined, denied: [{ IPProtocol: 'tcp', ports: ['15017'] }], ...overrides });

ruleTester(rule, {
  pass: [
    {
      name: "GKE's master rule extended with tcp:15017 (gcloud firewall list fixture)",
      fixtures: ['pass-master-rule-with-15017'],
    },
    { name: 'a dedicated rule, targetTags empty', documents: withRules(masterRule(), webhookRule()) },
    {
      name: 'targetTags matching a node pool tag',
      documents: withRules(webhookRule({ targetTags: ['web'] })),
    },
    {
      name: "targetTags matching GKE's gke-<cluster>-<hash>-node tag",
      documents: withRules(webhookRule({ targetTags: [NODE_TAG] })),
    },
    {
      name: "targetServiceAccounts matching the pool's service account",
      documents: withRules(
        webhookRule({ targetServiceAccounts: ['nodes@acme-prod.iam.gserviceaccount.com'] }),
      ),
    },
    {
      name: 'targetServiceAccounts: the default compute account for a pool without one',
      documents: [
        privateCluster({ nodePools: [{ name: 'default-pool', config: { machineType: 'e2-standard-4' } }] }),
        [webhookRule({ targetServiceAccounts: ['123456789012-compute@developer.gserviceaccount.com'] })],
      ],
    },
    {
      name: 'a port range covering 15017',
      documents: withRules(webhookRule({ allowed: [{ IPProtocol: 'tcp', ports: ['15000-15100'] }] })),
    },
    { name: 'the `all` protocol', documents: withRules(webhookRule({ allowed: [{ IPProtocol: 'all' }] })) },
    {
      name: 'tcp with empty ports (every port)',
      documents: withRules(webhookRule({ allowed: [{ IPProtocol: 'tcp', ports: [] }] })),
    },
    {
      name: 'a source CIDR containing the control-plane CIDR',
      documents: withRules(webhookRule({ sourceRanges: ['172.16.0.0/12'] })),
    },
    {
      name: 'a DENY with a higher priority number loses',
      documents: withRules(webhookRule({ priority: 900 }), deny('deny-webhook', { priority: 1000 })),
    },
    {
      name: 'a rule on the same network given as a short name',
      documents: withRules(masterRule(), webhookRule({ network: 'default' })),
    },
    {
      name: 'the v1beta1 privateCluster flag counts as private',
      documents: [
        privateCluster({ privateClusterConfig: { masterIpv4CidrBlock: CIDR }, privateCluster: true }),
        [webhookRule()],
      ],
    },
  ],
  fail: [
    {
      name: "GKE's master rule allows only tcp:443 and tcp:10250; a rule on another network does not count (fixture)",
      target: 'asm-1.7',
      fixtures: ['fail-master-rule-443-10250'],
      findings: [
        {
          message:
            /^Private cluster shop-prod: no enabled ingress rule on network default allows TCP 15017 from the control plane \(172\.16\.0\.0\/28\).*Add tcp:15017 to GKE's rule gke-shop-prod-7c3e1f2a-master, keeping tcp:443, tcp:10250\.$/,
          severity: 'error',
          resource: { kind: 'Cluster', name: 'shop-prod' },
          fix: {
            action: 'open-webhook-port',
            params: {
              project: 'acme-shop',
              network: 'default',
              rule: 'gke-shop-prod-7c3e1f2a-master',
              allowed: ['tcp:443', 'tcp:10250'],
              sourceRange: '172.16.0.0/28',
              targetTags: ['gke-shop-prod-7c3e1f2a-node'],
            },
          },
        },
      ],
    },
    {
      name: 'ports that do not cover 15017 (port ranges below and above)',
      documents: withRules(
        masterRule(),
        webhookRule({ allowed: [{ IPProtocol: 'tcp', ports: ['15000-15016', '15018-15021'] }] }),
      ),
      findings: [{ fix: { action: 'open-webhook-port', params: { rule: 'gke-demo-3f2a9c1b-master' } } }],
    },
    {
      name: 'udp only',
      documents: withRules(webhookRule({ allowed: [{ IPProtocol: 'udp', ports: ['15017'] }] })),
      findings: [
        {
          message:
            'Private cluster demo: no enabled ingress rule on network default allows TCP 15017 from the control plane ' +
            "(172.16.0.0/28) to the nodes, so the API server cannot call the 1.6 istiod's injection and validation " +
            'webhooks; the injection webhook fails closed (failurePolicy: Fail), so every pod created in a namespace ' +
            'selecting a 1.6 revision (istio.io/rev) is rejected. Create a rule allowing tcp:15017 from ' +
            '172.16.0.0/28 to the nodes.',
          resource: { kind: 'Cluster', name: 'demo' },
          fix: {
            action: 'open-webhook-port',
            params: { project: 'acme-prod', newRule: 'demo-istio-webhook-15017' },
          },
        },
      ],
    },
    {
      name: 'a DENY with a lower priority number blocks the allow',
      target: 'asm-1.6',
      documents: withRules(
        webhookRule(),
        deny('deny-all-from-master', { priority: 900, denied: [{ IPProtocol: 'all' }] }),
      ),
      findings: [
        {
          message:
            'Private cluster demo: DENY rule deny-all-from-master (priority 900) blocks TCP 15017 from the control ' +
            'plane (172.16.0.0/28) to the nodes, overriding allow rule allow-istio-webhook (priority 1000; a DENY ' +
            "wins a tie), so the API server cannot call the 1.6 istiod's injection webhook, which fails closed. " +
            'Narrow the DENY rule, or allow the port with a priority number below 900.',
          severity: 'error',
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: 'istio-1.6, before any namespace moves: an error (the 1.6 injection webhook fails closed), not urgent yet',
      target: 'istio-1.6',
      documents: [
        ...withRules(masterRule()),
        namespace('shop', { 'istio-injection': 'enabled' }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
      findings: [
        {
          message:
            /the injection webhook fails closed \(failurePolicy: Fail\), so every pod created in a namespace selecting a 1\.6 revision \(istio\.io\/rev\) is rejected\. Add tcp:15017 to GKE's rule gke-demo-3f2a9c1b-master, keeping tcp:443, tcp:10250\.$/,
          severity: 'error',
          urgent: false,
          fix: { action: 'open-webhook-port', params: { rule: 'gke-demo-3f2a9c1b-master' } },
        },
      ],
    },
    {
      name: 'istio-1.6, during the move: a namespace selects the installed revision, so its new pods fail now: urgent',
      target: 'istio-1.6',
      documents: [
        ...withRules(masterRule()),
        namespace('shop', { 'istio.io/rev': 'istio-1611' }),
        namespace('web', { 'istio-injection': 'enabled' }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
      findings: [
        {
          message:
            'Namespace shop already selects revision istio-1611: every pod created there is rejected now.',
          severity: 'error',
          urgent: true,
        },
      ],
    },
    {
      name: 'asm-1.7, an istiod revision not ready yet still has its webhook: urgent, namespaces counted and named in order',
      target: 'asm-1.7',
      documents: [
        ...withRules(masterRule()),
        namespace('g', { 'istio.io/rev': 'istio-1611' }),
        ...['f', 'e', 'd', 'c', 'b', 'a'].map((n) => namespace(n, { 'istio.io/rev': 'asm-173-6' })),
        ...istiod('istio-1611', '1.6.11-gke.0'),
        ...istiod('asm-173-6', '1.7.3-asm.6', { ready: false }),
      ],
      findings: [
        {
          message:
            'Namespaces a, b, c, d, e and 2 more already select revisions asm-173-6, istio-1611: every pod created there is rejected now.',
          urgent: true,
        },
      ],
    },
    {
      name: 'not urgent: the relabelled namespace still has istio-injection (the revision webhook skips it), or names no installed revision',
      target: 'istio-1.6',
      documents: [
        ...withRules(masterRule()),
        namespace('shop', { 'istio.io/rev': 'istio-1611', 'istio-injection': 'enabled' }),
        namespace('web', { 'istio.io/rev': 'istio-999' }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
      findings: [
        {
          severity: 'error',
          urgent: false,
          message: /^Private cluster demo: no enabled ingress rule on network default allows TCP 15017/,
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: 'a winning DENY rule with a namespace on the revision: urgent too',
      documents: [
        ...withRules(webhookRule(), deny('deny-webhook', { priority: 900 })),
        namespace('shop', { 'istio.io/rev': 'asm-173-6' }),
        ...istiod('asm-173-6', '1.7.3-asm.6'),
      ],
      findings: [
        {
          message:
            /^Private cluster demo: DENY rule deny-webhook .* fails closed\. Namespace shop already selects revision asm-173-6/,
          urgent: true,
        },
      ],
    },
    {
      name: 'a DENY wins a priority tie',
      documents: withRules(webhookRule({ priority: 1000 }), deny('deny-webhook', { priority: 1000 })),
      findings: [{ message: 'overriding allow rule allow-istio-webhook (priority 1000; a DENY wins a tie)' }],
    },
    {
      name: 'disabled rules do not count',
      documents: withRules(masterRule(), webhookRule({ disabled: true })),
      findings: [{ fix: { action: 'open-webhook-port', params: { rule: 'gke-demo-3f2a9c1b-master' } } }],
    },
    {
      name: 'another network given as a full URL does not count',
      documents: withRules(
        masterRule(),
        webhookRule({
          network: 'https://www.googleapis.com/compute/v1/projects/acme-prod/global/networks/staging',
        }),
      ),
      findings: [{ message: 'no enabled ingress rule on network default' }],
    },
    {
      name: 'foreign targetTags and foreign targetServiceAccounts do not reach the nodes',
      documents: withRules(
        masterRule(),
        webhookRule({ targetTags: ['bastion'] }),
        webhookRule({ name: 'to-other-sa', targetServiceAccounts: ['ci@acme-prod.iam.gserviceaccount.com'] }),
      ),
      findings: [{ message: 'no enabled ingress rule' }],
    },
    {
      name: 'a narrower source CIDR than the control plane, named in the message',
      documents: withRules(masterRule(), webhookRule({ sourceRanges: ['172.16.0.0/29'] })),
      findings: [
        {
          message:
            'allow-istio-webhook allows it from 172.16.0.0/29, which does not contain the control-plane CIDR',
        },
      ],
    },
    {
      name: "no GKE master rule: a dedicated rule to GKE's node tag found on another GKE rule",
      documents: withRules(
        firewallRule('gke-demo-3f2a9c1b-vms', { sourceRanges: ['10.132.0.0/20'], targetTags: [NODE_TAG] }),
      ),
      findings: [
        {
          fix: {
            action: 'open-webhook-port',
            params: {
              newRule: 'demo-istio-webhook-15017',
              targetTags: [NODE_TAG],
              sourceRange: CIDR,
              allowed: [],
            },
          },
        },
      ],
    },
    {
      name: 'exactly five namespaces on the revision: all named, no "more"',
      documents: [
        ...withRules(masterRule()),
        ...['e', 'd', 'c', 'b', 'a'].map((n) => namespace(n, { 'istio.io/rev': 'istio-1611' })),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
      findings: [
        {
          message:
            'is rejected. Namespaces a, b, c, d, e already select revision istio-1611: every pod created there is ' +
            "rejected now. Add tcp:15017 to GKE's rule gke-demo-3f2a9c1b-master, keeping tcp:443, tcp:10250.",
          resource: { kind: 'Cluster', name: 'demo' },
          urgent: true,
        },
      ],
    },
    {
      name: 'istiod revisions not collected: nothing is claimed to be live (not urgent)',
      documents: [
        ...withRules(masterRule()),
        namespace('shop', { 'istio.io/rev': 'istio-1611' }),
        ...istiod('istio-1611', '1.6.11-gke.0'),
      ],
      notCollected: { pods: 'pods is forbidden', deployments: 'deployments.apps is forbidden' },
      findings: [
        {
          message:
            /is rejected\. Add tcp:15017 to GKE's rule gke-demo-3f2a9c1b-master, keeping tcp:443, tcp:10250\.$/,
          resource: { kind: 'Cluster', name: 'demo' },
          urgent: false,
        },
      ],
    },
    {
      name: 'a DENY rule and no allow rule for the port: the missing allow is the finding',
      documents: withRules(masterRule(), deny('deny-webhook', { priority: 900 })),
      findings: [
        {
          message: /^Private cluster demo: no enabled ingress rule on network default allows TCP 15017/,
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: 'near misses: only allow rules to the nodes for tcp:15017 from a range overlapping the control plane are named',
      documents: withRules(
        masterRule(),
        webhookRule({
          sourceRanges: ['172.16.0.0/29', '10.0.0.0/8'],
          allowed: [
            { IPProtocol: 'udp', ports: ['53'] },
            { IPProtocol: 'tcp', ports: ['15017'] },
          ],
        }),
        webhookRule({ name: 'elsewhere', sourceRanges: ['192.168.0.0/16'] }),
        webhookRule({ name: 'unparsable', sourceRanges: ['not-a-cidr'] }),
        webhookRule({ name: 'to-bastion', sourceRanges: ['172.16.0.8/29'], targetTags: ['bastion'] }),
        webhookRule({
          name: 'udp-only',
          sourceRanges: ['172.16.0.8/29'],
          allowed: [{ IPProtocol: 'udp', ports: ['15017'] }],
        }),
      ),
      findings: [
        {
          message:
            'to the nodes (allow-istio-webhook allows it from 172.16.0.0/29, 10.0.0.0/8, which does not contain the ' +
            "control-plane CIDR), so the API server cannot call the 1.6 istiod's injection and validation webhooks",
          resource: { kind: 'Cluster', name: 'demo' },
        },
      ],
    },
    {
      name: 'a long cluster name: the new rule name is cut to 63 characters, without a dash before the suffix',
      documents: [
        privateCluster({ name: `ab-${'x'.repeat(38)}--tail` }),
        [
          firewallRule('default-allow-ssh', {
            sourceRanges: ['0.0.0.0/0'],
            allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
          }),
        ],
      ],
      findings: [
        {
          message: `Private cluster ab-${'x'.repeat(38)}--tail: no enabled ingress rule`,
          fix: {
            action: 'open-webhook-port',
            params: { newRule: `ab-${'x'.repeat(38)}-istio-webhook-15017` },
          },
        },
      ],
    },
    {
      name: "GKE's master rule on a Shared VPC network: the rule is changed in the host project",
      documents: withRules(
        firewallRule('default-allow-ssh', {
          network: 'default',
          sourceRanges: ['0.0.0.0/0'],
          allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
        }),
        masterRule({ network: 'projects/net-host/global/networks/default' }),
      ),
      findings: [
        {
          message: "Add tcp:15017 to GKE's rule gke-demo-3f2a9c1b-master",
          fix: {
            action: 'open-webhook-port',
            params: { project: 'net-host', rule: 'gke-demo-3f2a9c1b-master' },
          },
        },
      ],
    },
    {
      name: "no GKE rule at all: a dedicated rule to the pools' tags, each once, in order",
      documents: [
        privateCluster({
          nodePools: [
            { name: 'a', config: { machineType: 'e2-standard-4', tags: ['web', 'api'] } },
            { name: 'b', config: { machineType: 'e2-standard-4' } },
            { name: 'c', config: { machineType: 'e2-standard-4', tags: ['api'] } },
          ],
        }),
        [
          firewallRule('default-allow-ssh', {
            sourceRanges: ['0.0.0.0/0'],
            allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
          }),
        ],
      ],
      findings: [
        {
          message: 'Create a rule allowing tcp:15017 from 172.16.0.0/28 to the nodes.',
          fix: { action: 'open-webhook-port', params: { targetTags: ['api', 'web'] } },
        },
      ],
    },
  ],
  notApplicable: [
    {
      name: 'a public cluster, even without firewall data',
      documents: [gkeCluster()],
      reason: 'a public cluster',
    },
    {
      name: 'the Istio add-on is disabled',
      documents: [privateCluster({ addonsConfig: { istioConfig: { disabled: true } } }), [webhookRule()]],
      reason: 'add-on is disabled',
    },
  ],
  unknown: [
    {
      name: 'networkConfig.defaultEnablePrivateNodes counts as private (so missing firewall data is unknown)',
      documents: [
        privateCluster({
          privateClusterConfig: { masterIpv4CidrBlock: CIDR },
          networkConfig: {
            defaultEnablePrivateNodes: true,
            network: 'projects/acme-prod/global/networks/default',
          },
        }),
      ],
      reason: 'no firewall rules in the snapshot',
    },
    {
      name: 'missing firewall data for a private cluster',
      documents: [privateCluster()],
      reason: 'no firewall rules in the snapshot',
    },
    { name: 'no GKE cluster data', documents: [[webhookRule()]], reason: 'no GKE cluster data' },
    {
      name: 'no control-plane CIDR',
      documents: [privateCluster({ privateClusterConfig: { enablePrivateNodes: true } }), [webhookRule()]],
      reason: 'no control-plane CIDR',
    },
    {
      name: 'a malformed control-plane CIDR',
      documents: [
        privateCluster({
          privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: 'fd00::/64' },
        }),
        [webhookRule()],
      ],
      reason: 'is not an IPv4 CIDR',
    },
    {
      name: 'cluster data without a network',
      documents: [privateCluster({ network: undefined }), [webhookRule()]],
      reason: /^the GKE cluster data names no network$/,
    },
    {
      name: "firewall data holding no rule of the cluster's network (Shared VPC host project not listed)",
      documents: withRules(webhookRule({ network: 'projects/acme-prod/global/networks/staging' })),
      reason:
        'the firewall data holds no enabled ingress rule of network default; for a Shared VPC, list the host ' +
        "project's rules (`gcloud compute firewall-rules list --project HOST_PROJECT --format=json`)",
    },
  ],
});

describe('webhook-firewall-15017 commands', () => {
  it('extends the master rule with tcp:15017, keeping what it allows', async () => {
    const result = await evaluateRule(rule, {
      name: 'master',
      target: 'asm-1.7',
      documents: withRules(masterRule()),
    });
    expect(result.findings[0]?.remediation?.commands).toEqual([
      'gcloud compute firewall-rules update gke-demo-3f2a9c1b-master --project acme-prod --allow tcp:443,tcp:10250,tcp:15017',
    ]);
  });

  it("creates a dedicated rule from the control-plane CIDR to GKE's node tag without a master rule", async () => {
    const documents = withRules(
      firewallRule('gke-demo-3f2a9c1b-vms', { sourceRanges: ['10.132.0.0/20'], targetTags: [NODE_TAG] }),
    );
    const result = await evaluateRule(rule, { name: 'dedicated', documents });
    expect(result.findings[0]?.remediation?.commands).toEqual([
      `gcloud compute firewall-rules create demo-istio-webhook-15017 --project acme-prod --network default --direction INGRESS --source-ranges ${CIDR} --target-tags ${NODE_TAG} --allow tcp:15017 --description 'Anthos Service Mesh: sidecar injection webhook from the GKE control plane (meshready)'`,
    ]);
  });

  it('quotes hostile values: a cluster name (in the new rule name) and a pool tag', async () => {
    const hostile = privateCluster({
      name: "demo'$(id)",
      nodePools: [{ name: 'default-pool', config: { machineType: 'e2-standard-4', tags: ['$(id)'] } }],
    });
    const ssh = firewallRule('default-allow-ssh', {
      sourceRanges: ['0.0.0.0/0'],
      allowed: [{ IPProtocol: 'tcp', ports: ['22'] }],
    });
    const result = await evaluateRule(rule, { name: 'hostile', documents: [hostile, [ssh]] });
    const command = result.findings[0]?.remediation?.commands.join('\n') ?? '';
    expect(command).toContain(`create 'demo'\\''$(id)-istio-webhook-15017'`);
    expect(command).toContain("--target-tags '$(id)'");
  });
});
