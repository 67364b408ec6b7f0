/**
 * The commands shown beside each finding in the reports, derived from its structured fix.
 * Every value that came from the cluster goes through shq(); nothing here runs anything.
 */

import type { Fix } from '../engine/vocabulary.ts';
import { replacementFor } from '../istio/virtualservice-fields.ts';
import { commandLine } from './shell.ts';
import { commentLine } from './text.ts';

type Params = Fix['params'];
type CommandBuilder = (params: Params) => string[];

function text(params: Params, key: string): string {
  const value = params[key];
  if (value === undefined) throw new Error(`fix parameter ${key} is missing`);
  return Array.isArray(value) ? value.join(',') : String(value);
}
function optional(params: Params, key: string): string | undefined {
  const value = params[key];
  return value === undefined || value === '' ? undefined : String(value);
}
function textList(params: Params, key: string): string[] {
  const value = params[key];
  return Array.isArray(value) ? value : value === undefined ? [] : [String(value)];
}

/** `--project P --location L` when known, for gcloud. */
function gcloudScope(params: Params): string[] {
  const scope: string[] = [];
  const location = optional(params, 'location');
  const project = optional(params, 'project');
  if (location) scope.push('--location', location);
  if (project) scope.push('--project', project);
  return scope;
}

function upgradeMasterCommand(p: Params): string {
  return commandLine([
    'gcloud',
    'container',
    'clusters',
    'upgrade',
    text(p, 'cluster'),
    '--master',
    '--cluster-version',
    text(p, 'version'),
    ...gcloudScope(p),
  ]);
}

const builders: Readonly<Record<string, CommandBuilder>> = {
  'upgrade-master': (p) => [upgradeMasterCommand(p)],
  'backup-istio-system-crs': (p) => {
    const resources = textList(p, 'resources');
    const objects = textList(p, 'objects');
    return [
      ...(objects.length > 0 ? [commentLine(`custom resources in istio-system: ${objects.join(', ')}`)] : []),
      ...(resources.length > 0
        ? [
            `${commandLine(['kubectl', 'get', '-n', 'istio-system', resources.join(','), '-o', 'yaml'])} > istio-system-custom-resources.yaml`,
          ]
        : []),
      '# every namespaced custom resource kind in istio-system, including those the scan did not list (BackendConfig, ManagedCertificate, cert-manager, Gateways, ...):',
      'mkdir -p istio-system-backup && for resource in $(kubectl get customresourcedefinitions -o jsonpath=\'{range .items[?(@.spec.scope=="Namespaced")]}{.metadata.name}{" "}{end}\'); do kubectl get "$resource" -n istio-system -o yaml > "istio-system-backup/$resource.yaml"; done',
      upgradeMasterCommand(p),
    ];
  },
  'gateway-upgrade-outage': (p) => {
    const editors = textList(p, 'editors');
    return [
      `${commandLine(['kubectl', 'get', 'deployment', '-n', text(p, 'namespace'), text(p, 'name'), '-o', 'yaml'])} > ingress-gateway.backup.yaml`,
      '# the master upgrade makes this gateway unavailable for about 5 minutes and resets the Deployment',
      editors.length > 0
        ? commentLine(
            `edited by ${editors.join(', ')}: re-apply those changes after the upgrade, or move them to a gateway you manage yourself`,
          )
        : '# to avoid the outage, serve traffic from a separately installed, user-managed gateway',
    ];
  },
  'inspect-istiod': (p) => {
    const revisions = textList(p, 'revisions');
    return [
      'kubectl -n istio-system get pods -l app=istiod --show-labels',
      ...revisions.map((revision) =>
        commandLine([
          'kubectl',
          '-n',
          'istio-system',
          'describe',
          'pods',
          '-l',
          `app=istiod,istio.io/rev=${revision}`,
        ]),
      ),
      ...(revisions.length === 0
        ? [
            '# no istiod revision runs: upgrade the master to a GKE version with Istio 1.6 first (gke-version-istio16)',
          ]
        : []),
    ];
  },
  'inspect-operator': (p) => [
    commandLine([
      'kubectl',
      'get',
      'istiooperators.install.istio.io',
      '-n',
      text(p, 'namespace'),
      text(p, 'name'),
      '-o',
      'yaml',
    ]),
    'kubectl get pods --all-namespaces -l name=istio-operator',
    commentLine(
      `status is ${optional(p, 'status') ?? 'not set'}: read status.componentStatus and the operator logs to find the failing component`,
    ),
  ],
  'restrict-galley-clusterrole': (p) => [
    `${commandLine(['kubectl', 'get', 'clusterrole', text(p, 'name'), '-o', 'yaml'])} > galley-clusterrole.backup.yaml`,
    commandLine([
      'kubectl',
      'patch',
      'clusterrole',
      text(p, 'name'),
      '--type=json',
      '-p',
      JSON.stringify([
        { op: 'replace', path: `/rules/${Number(text(p, 'ruleIndex'))}/verbs`, value: ['get'] },
      ]),
    ]),
  ],
  'delete-galley-webhook': (p) => [
    `${commandLine(['kubectl', 'get', 'validatingwebhookconfiguration', text(p, 'name'), '-o', 'yaml'])} > galley-webhook.backup.yaml`,
    commandLine(['kubectl', 'delete', 'validatingwebhookconfiguration', text(p, 'name')]),
  ],
  'review-envoyfilter': (p) => [
    commandLine([
      'kubectl',
      'get',
      'envoyfilters.networking.istio.io',
      '-n',
      text(p, 'namespace'),
      text(p, 'name'),
      '-o',
      'yaml',
    ]),
    '# EnvoyFilter patches depend on the proxy version: test this one with Istio 1.6 proxies before moving the workloads it selects',
  ],
  'review-mixer-config': (p) => [
    commandLine(['kubectl', 'get', text(p, 'resource'), ...namespaceArgs(p), text(p, 'name'), '-o', 'yaml']),
    '# Mixer is deprecated in Istio 1.6 and absent from Anthos Service Mesh: replace this (telemetry v2, AuthorizationPolicy), then delete it',
  ],
  'fix-virtualservice-fields': (p) => [
    commandLine([
      'kubectl',
      'edit',
      'virtualservices.networking.istio.io',
      '-n',
      text(p, 'namespace'),
      text(p, 'name'),
    ]),
    ...textList(p, 'fields').map((field) => commentLine(`${field} -> ${replacementFor(field)}`)),
  ],
  'migrate-v1alpha1-policy': (p) => {
    const file = optional(p, 'convertedFile');
    if (file === undefined || textList(p, 'converted').length === 0) {
      return [
        commandLine([
          'kubectl',
          'get',
          text(p, 'resource'),
          ...namespaceArgs(p),
          text(p, 'name'),
          '-o',
          'yaml',
        ]),
        commentLine(
          `Rewrite it as ${text(p, 'replacement')} (security.istio.io/v1beta1), apply that, then delete this object.`,
        ),
        ...(optional(p, 'notConverted') ? [commentLine(text(p, 'notConverted'))] : []),
      ];
    }
    const object = [text(p, 'resource'), ...namespaceArgs(p), text(p, 'name')];
    return [
      commentLine(`Review ${file} (it has ${textList(p, 'converted').join(', ')}), then:`),
      commandLine(['kubectl', 'apply', '--dry-run=server', '-f', file]),
      commandLine(['kubectl', 'apply', '-f', file]),
      commentLine('Check the traffic, then back up and delete the v1alpha1 object:'),
      `${commandLine(['kubectl', 'get', ...object, '-o', 'yaml'])} > ${commandLine([`${text(p, 'name')}.v1alpha1.yaml`])}`,
      commandLine(['kubectl', 'delete', ...object]),
    ];
  },
  'name-service-ports': (p) => [
    commandLine(['kubectl', 'edit', 'service', '-n', text(p, 'namespace'), text(p, 'name')]),
    ...textList(p, 'ports').map((port) =>
      commentLine(
        `port ${port}: name it <protocol>[-<suffix>]${p.appProtocol === true ? ' or set appProtocol' : ''}`,
      ),
    ),
    ...textList(p, 'suggestions').map((suggestion) =>
      commentLine(`suggestion (check it before use): ${suggestion}`),
    ),
  ],
  'replace-node-pool': (p) => {
    const pool = text(p, 'pool');
    const cluster = text(p, 'cluster');
    // Node pool names have at most 40 characters.
    const newPool = `${pool.slice(0, 34).replace(/-+$/, '')}-4vcpu`;
    const selector = `cloud.google.com/gke-nodepool=${pool}`;
    return [
      '# Move the workloads to a pool with at least 4 vCPUs per node (check PodDisruptionBudgets and capacity first):',
      commandLine([
        'gcloud',
        'container',
        'node-pools',
        'create',
        newPool,
        '--cluster',
        cluster,
        '--machine-type',
        text(p, 'suggestedMachineType'),
        ...gcloudScope(p),
      ]),
      commandLine(['kubectl', 'cordon', '--selector', selector]),
      commandLine([
        'kubectl',
        'drain',
        '--selector',
        selector,
        '--ignore-daemonsets',
        // The kubectl that matches a 1.17/1.18 master: --delete-emptydir-data came in 1.20.
        '--delete-local-data',
      ]),
      commandLine([
        'gcloud',
        'container',
        'node-pools',
        'delete',
        pool,
        '--cluster',
        cluster,
        ...gcloudScope(p),
      ]),
    ];
  },
  'resize-node-pool': (p) => {
    const cluster = text(p, 'cluster');
    const pool = text(p, 'pool');
    const nodes = text(p, 'nodes');
    if (p.autoscaling !== true) {
      return [
        commandLine([
          'gcloud',
          'container',
          'clusters',
          'resize',
          cluster,
          '--node-pool',
          pool,
          '--num-nodes',
          nodes,
          ...gcloudScope(p),
        ]),
      ];
    }
    // --enable-autoscaling needs both bounds: keep the pool's current maximum.
    const currentMaximum = commandLine([
      'gcloud',
      'container',
      'node-pools',
      'describe',
      pool,
      '--cluster',
      cluster,
      ...gcloudScope(p),
      '--format=value(autoscaling.maxNodeCount)',
    ]);
    return [
      `# --min-nodes and --max-nodes count nodes per zone; raise --max-nodes too if it is below ${nodes}`,
      `${commandLine([
        'gcloud',
        'container',
        'clusters',
        'update',
        cluster,
        '--node-pool',
        pool,
        '--enable-autoscaling',
        '--min-nodes',
        nodes,
      ])} --max-nodes "$(${currentMaximum})" ${commandLine(gcloudScope(p))}`.trimEnd(),
    ];
  },
  'enable-workload-identity': (p) => {
    const cluster = text(p, 'cluster');
    return [
      '# Bind the Kubernetes service accounts of workloads that call Google APIs first; updating a pool re-creates its nodes',
      ...(p.clusterEnabled === true
        ? []
        : [
            commandLine([
              'gcloud',
              'container',
              'clusters',
              'update',
              cluster,
              '--workload-pool',
              text(p, 'workloadPool'),
              ...gcloudScope(p),
            ]),
          ]),
      ...textList(p, 'pools').map((pool) =>
        commandLine([
          'gcloud',
          'container',
          'node-pools',
          'update',
          pool,
          '--cluster',
          cluster,
          '--workload-metadata=GKE_METADATA',
          ...gcloudScope(p),
        ]),
      ),
    ];
  },
  'open-webhook-port': (p) => {
    const project = optional(p, 'project');
    const projectArgs = project ? ['--project', project] : [];
    const rule = optional(p, 'rule');
    if (rule) {
      const allowed = textList(p, 'allowed');
      const allow = allowed.includes('tcp:15017') ? allowed : [...allowed, 'tcp:15017'];
      return [
        commandLine([
          'gcloud',
          'compute',
          'firewall-rules',
          'update',
          rule,
          '--allow',
          allow.join(','),
          ...projectArgs,
        ]),
      ];
    }
    const tags = textList(p, 'targetTags');
    return [
      ...(tags.length > 0
        ? []
        : [
            "# No node tag is known: add --target-tags with the nodes' network tag (gcloud compute instances describe NODE --format='value(tags.items)')",
          ]),
      commandLine([
        'gcloud',
        'compute',
        'firewall-rules',
        'create',
        text(p, 'newRule'),
        '--network',
        text(p, 'network'),
        '--direction',
        'INGRESS',
        '--source-ranges',
        text(p, 'sourceRange'),
        '--allow',
        'tcp:15017',
        ...(tags.length > 0 ? ['--target-tags', tags.join(',')] : []),
        ...projectArgs,
      ]),
    ];
  },
  'relabel-namespace': (p) => {
    const revision = optional(p, 'revision');
    if (!revision) {
      return [
        '# No istiod revision runs yet: install Istio 1.6 first, then relabel with',
        commentLine(
          `${commandLine(['kubectl', 'label', 'namespace', text(p, 'namespace'), 'istio-injection-'])} istio.io/rev=<revision> --overwrite`,
        ),
      ];
    }
    return [
      commandLine([
        'kubectl',
        'label',
        'namespace',
        text(p, 'namespace'),
        'istio-injection-',
        `istio.io/rev=${revision}`,
        '--overwrite',
      ]),
    ];
  },
  'restart-workload': (p) => {
    const kind = text(p, 'kind');
    const namespace = text(p, 'namespace');
    const name = text(p, 'name');
    if (kind === 'Pod') {
      const deletion = commandLine(['kubectl', 'delete', 'pod', '-n', namespace, name]);
      return [
        '# A pod without a controller: delete it and re-create it from its manifest so it gets the new sidecar',
        commentLine(deletion),
      ];
    }
    return [commandLine(['kubectl', 'rollout', 'restart', kind.toLowerCase(), name, '-n', namespace])];
  },
  'update-gateway-port-refs': (p) => {
    const replacements = textList(p, 'replacements').map((line) => commentLine(`change: ${line}`));
    if (text(p, 'kind') === 'Firewall') {
      const project = optional(p, 'project');
      return [
        ...replacements,
        commandLine([
          'gcloud',
          'compute',
          'firewall-rules',
          'update',
          text(p, 'name'),
          '--allow',
          textList(p, 'allow').join(','),
          ...(project ? ['--project', project] : []),
        ]),
      ];
    }
    const namespace = optional(p, 'namespace');
    return [
      ...replacements,
      '# list the 1.6 port next to the 1.4 one until no 1.4 gateway pod is left, then drop the old one',
      commandLine([
        'kubectl',
        'edit',
        text(p, 'resource'),
        ...(namespace ? ['-n', namespace] : []),
        text(p, 'name'),
      ]),
    ];
  },
  'enable-operator-gateway': (p) => {
    const patch = JSON.stringify([
      {
        op: 'add',
        path: `/spec/components/ingressGateways/${Number(text(p, 'index'))}/enabled`,
        value: true,
      },
    ]);
    return [
      commandLine([
        'kubectl',
        'patch',
        'istiooperator',
        '-n',
        'istio-system',
        text(p, 'operator'),
        '--type=json',
        '-p',
        patch,
      ]),
      `${commandLine(['kubectl', 'get', 'pods', '-n', 'istio-system', '-l', 'app=istio-ingressgateway', '-o', 'yaml'])} | grep image`,
    ];
  },
  'scale-down-old-control-plane': (p) => [
    commandLine([
      'kubectl',
      'scale',
      'deploy',
      '-n',
      'istio-system',
      '--replicas=0',
      ...textList(p, 'deployments'),
    ]),
  ],
  'write-custom-overlay': (p) => [
    commentLine(
      `the customisations of IstioOperator ${text(p, 'operator')}: ${textList(p, 'settings').join(', ')}`,
    ),
    commandLine(['cat', text(p, 'file')]),
    commentLine(
      `review it, then run install_asm with --custom_overlay ${text(p, 'file')} (the install step of remediate.sh does)`,
    ),
  ],
  'set-operator-profile': (p) => {
    const operator = text(p, 'operator');
    const profile = text(p, 'profile');
    return [
      `${commandLine(['kubectl', 'get', 'istiooperator', '-n', 'istio-system', operator, '-o', 'yaml'])} > ${commandLine([`istiooperator-${operator}.backup.yaml`])}`,
      commandLine([
        'kubectl',
        'patch',
        '-n',
        'istio-system',
        'istiooperator',
        operator,
        '-p',
        JSON.stringify({ spec: { profile } }),
        '--type=merge',
      ]),
    ];
  },
};

function namespaceArgs(params: Params): string[] {
  const namespace = optional(params, 'namespace');
  return namespace ? ['-n', namespace] : [];
}

export function commandsFor(fix: Fix): string[] {
  const builder = builders[fix.action];
  if (!builder) throw new Error(`no commands for fix action ${fix.action}`);
  return builder(fix.params);
}
