/**
 * Running remediate.sh --apply with the REAL kubectl against the project's test API server
 * (writable mode): the cluster objects of a migration's states, the findings a scan reports for
 * them, and `applyScript`, which records what the API server received (POST, PATCH, PUT and DELETE
 * requests, their order and bodies). gcloud is a recording stand-in, or a real one pointed at the
 * test Google API server.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { annotationSuppressions } from '../../src/config/suppressions.ts';
import { POLICIES_FILE_NAME, scanPoliciesYaml } from '../../src/convert/findings.ts';
import type { Report, RuleResult } from '../../src/engine/report-model.ts';
import { runRules } from '../../src/engine/runner.ts';
import type { Phase, Target } from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { renderRemediationScript, type ScriptContext } from '../../src/remediate/script.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import type { GoogleApiServer } from '../helpers/google-api-server.ts';
import {
  type Fault,
  type RecordedRequest,
  type ServedResource,
  startKubeApiServer,
} from '../helpers/kube-api-server.ts';
import { gkeCluster } from '../helpers/objects.ts';
import { CLUSTER, CONTEXT, finding, result } from './reports.ts';

export type Raw = Record<string, unknown>;

const work = mkdtempSync(path.join(tmpdir(), 'meshready-kubectl-apply-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

export const OLD_PROXY = 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4';
export const OPERATOR_PROXY = 'gcr.io/gke-release/istio/proxyv2:1.6.11-gke.0';
export const ASM_PROXY = 'gcr.io/gke-release/asm/proxyv2:1.7.3-asm.6';
export const OPERATOR = 'istio-1-6-11-gke-0';
export const OLD_DEPLOYMENTS = ['istio-citadel', 'istio-galley', 'istio-pilot', 'istio-sidecar-injector'];

// ---- cluster objects ----------------------------------------------------------------------------

export function namespace(name: string, labels: Record<string, string> = {}): Raw {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function deployment(
  ns: string,
  name: string,
  options: { labels?: Record<string, string>; replicas?: number; ready?: number } = {},
): Raw {
  const app = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, generation: 1, labels: { ...app, ...options.labels } },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: app },
      template: { metadata: { labels: app }, spec: { containers: [{ name, image: `${name}:1` }] } },
    },
    // A finished rollout, so the script's `kubectl rollout status` check returns at once.
    status: {
      observedGeneration: 1,
      replicas: options.replicas ?? 1,
      updatedReplicas: options.replicas ?? 1,
      readyReplicas: options.ready ?? options.replicas ?? 1,
      availableReplicas: options.ready ?? options.replicas ?? 1,
    },
  };
}

export function istiod(revision: string): Raw {
  return deployment('istio-system', `istiod-${revision}`, {
    labels: { app: 'istiod', 'istio.io/rev': revision },
  });
}

/** A pod of workload `app` with a sidecar; `revision` is the istio.io/rev label its injector set. */
export function pod(ns: string, app: string, image: string, revision?: string): Raw {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-1`,
      namespace: ns,
      labels: { app, ...(revision ? { 'istio.io/rev': revision } : {}) },
    },
    spec: {
      containers: [
        { name: app, image: `${app}:1` },
        { name: 'istio-proxy', image },
      ],
    },
  };
}

export function istioOperator(profile: string, revision = 'istio-1611'): Raw {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: OPERATOR, namespace: 'istio-system' },
    spec: { profile, revision },
    status: { status: 'HEALTHY' },
  };
}

export function oldControlPlane(replicas: number): Raw[] {
  return OLD_DEPLOYMENTS.map((name) => deployment('istio-system', name, { replicas }));
}

export const GALLEY_WEBHOOK: Raw = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'istio-galley' },
  webhooks: [],
};

// ---- report findings (what the scan reports, per SPEC §4) ---------------------------------------

export const namespaceRef = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', name });
export const deploymentRef = (ns: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: ns,
  name,
});
export const operatorRef = {
  apiVersion: 'install.istio.io/v1alpha1',
  kind: 'IstioOperator',
  namespace: 'istio-system',
  name: OPERATOR,
};

export function relabel(namespaces: readonly string[], revision: string, phase?: Phase): RuleResult {
  return result(
    'namespace-injection-labels',
    'migrate-namespaces',
    namespaces.map((ns) =>
      finding({
        severity: 'warning',
        resource: namespaceRef(ns),
        fix: fix('relabel-namespace', { namespace: ns, revision }),
        ...(phase ? { phase } : {}),
      }),
    ),
  );
}

export function restarts(workloads: readonly [string, string][], phase?: Phase): RuleResult {
  return result(
    'sidecar-proxy-version',
    'migrate-namespaces',
    workloads.map(([ns, name]) =>
      finding({
        severity: 'warning',
        resource: deploymentRef(ns, name),
        fix: fix('restart-workload', { kind: 'Deployment', namespace: ns, name, pods: 1 }),
        ...(phase ? { phase } : {}),
      }),
    ),
  );
}

export function operatorProfile(profile: 'disabled' | 'empty', phase?: Phase): RuleResult {
  return result('istio-operator-profile', 'asm-install', [
    finding({
      resource: operatorRef,
      fix: fix('set-operator-profile', { operator: OPERATOR, profile }),
      ...(phase ? { phase } : {}),
    }),
  ]);
}

export function scaleDown(): RuleResult {
  return result(
    'old-control-plane-scaledown',
    'retire-old-control-plane',
    [
      finding({
        severity: 'info',
        resource: deploymentRef('istio-system', 'istio-pilot'),
        fix: fix('scale-down-old-control-plane', { deployments: OLD_DEPLOYMENTS }),
      }),
    ],
    { severity: 'info' },
  );
}

export function galleyWebhookFinding(): RuleResult {
  return result('galley-validating-webhook', 'prepare', [
    finding({
      resource: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        name: 'istio-galley',
      },
      fix: fix('delete-galley-webhook', { name: 'istio-galley' }),
    }),
  ]);
}

// ---- running the script -------------------------------------------------------------------------

export const GCLOUD = `#!/usr/bin/env bash
printf '%s\\n' "gcloud $*" >>"$GCLOUD_LOG"
if [[ "$*" == 'config get-value project' ]]; then echo ${CLUSTER.project}; fi
`;

export interface ApplyRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every request the API server received. */
  readonly requests: readonly RecordedRequest[];
  /** The changes, as `METHOD path body`, in the order the server received them. */
  readonly changes: readonly string[];
}

/** What a run may add: custom resources the server serves, files next to the script. */
export interface ApplyOptions {
  /** Kinds served even with no object of them (their CRD is installed). */
  readonly resources?: readonly ServedResource[];
  /** Files written next to remediate.sh, as `meshready scan` writes v1beta1-policies.yaml. */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * Run the REAL gcloud, pointed at this test Google API server (GKE and Compute) with a token
   * file and the scanned project, instead of the recording stand-in.
   */
  readonly google?: GoogleApiServer;
  /** How the script is rendered (the layout of steps alike). */
  readonly script?: ScriptContext;
}

/** The environment that points the real gcloud at a test Google API server, with its own config. */
function realGcloudEnvironment(dir: string, google: GoogleApiServer): Record<string, string> {
  mkdirSync(path.join(dir, 'gcloud-config'), { recursive: true });
  writeFileSync(path.join(dir, 'gcloud-token'), 'test-token');
  return {
    CLOUDSDK_CONFIG: path.join(dir, 'gcloud-config'),
    CLOUDSDK_CORE_PROJECT: CLUSTER.project,
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: path.join(dir, 'gcloud-token'),
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${google.url}/compute/v1/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: `${google.url}/`,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
  };
}

/**
 * The custom resources every GKE cluster with Istio serves, whether or not the test gives objects
 * of them: the `security.istio.io` kinds (1.4 already installs AuthorizationPolicy) and GKE's
 * BackendConfig. The scripts read them (the v1beta1 and gateway gates).
 */
const GKE_ISTIO_RESOURCES: readonly ServedResource[] = [
  ...(
    [
      ['authorizationpolicies', 'AuthorizationPolicy'],
      ['peerauthentications', 'PeerAuthentication'],
      ['requestauthentications', 'RequestAuthentication'],
    ] as const
  ).map(([resource, kind]) => ({
    group: 'security.istio.io',
    version: 'v1beta1',
    resource,
    kind,
    namespaced: true,
  })),
  {
    group: 'cloud.google.com',
    version: 'v1',
    resource: 'backendconfigs',
    kind: 'BackendConfig',
    namespaced: true,
  },
];

export async function applyScript(
  scanned: Report,
  objects: readonly Raw[],
  args: readonly string[],
  faults: readonly Fault[] = [],
  options: ApplyOptions = {},
): Promise<ApplyRun> {
  runs += 1;
  const dir = path.join(work, String(runs));
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(path.join(dir, name), text);
  const server = await startKubeApiServer({
    objects,
    writable: true,
    faults,
    resources: [...GKE_ISTIO_RESOURCES, ...(options.resources ?? [])],
  });
  try {
    const kubeconfig = await server.writeKubeconfig(path.join(dir, 'kubeconfig'), { context: CONTEXT });
    if (!options.google) {
      writeFileSync(path.join(dir, 'bin', 'gcloud'), GCLOUD);
      chmodSync(path.join(dir, 'bin', 'gcloud'), 0o755);
    }
    const script = path.join(dir, 'remediate.sh');
    writeFileSync(script, renderRemediationScript(scanned, options.script), { mode: 0o755 });
    const child = spawn('bash', [script, ...args], {
      cwd: dir,
      env: {
        PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: dir,
        KUBECONFIG: kubeconfig,
        GCLOUD_LOG: path.join(dir, 'gcloud.log'),
        LANG: 'C.UTF-8',
        ...(options.google ? realGcloudEnvironment(dir, options.google) : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const requests = [...server.requests];
    const changes = requests
      .filter((r) => r.method !== 'GET')
      .map(
        (r) =>
          `${r.method} ${r.path}${r.query.dryRun ? `?dryRun=${r.query.dryRun}` : ''}${r.method === 'PATCH' ? ` ${r.body}` : ''}`,
      );
    return { status, stdout, stderr, requests, changes };
  } finally {
    await server.close();
  }
}

export const NS = '/api/v1/namespaces';
export const DEPLOYMENTS = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;
export const OPERATOR_PATH = `/apis/install.istio.io/v1alpha1/namespaces/istio-system/istiooperators/${OPERATOR}`;
/** kubectl label sends only the difference: istio-injection's removal when it was there. */
export const relabelled = (ns: string, revision: string, hadInjectionLabel = true) =>
  `PATCH ${NS}/${ns} {"metadata":{"labels":{${hadInjectionLabel ? '"istio-injection":null,' : ''}"istio.io/rev":"${revision}"}}}`;
export const restarted = (ns: string, name: string) =>
  expect.stringMatching(
    new RegExp(
      `^PATCH ${DEPLOYMENTS(ns)}/${name} \\{"spec":\\{"template":\\{"metadata":\\{"annotations":\\{"kubectl.kubernetes.io/restartedAt":"[^"]+"\\}\\}\\}\\}\\}$`,
    ),
  );
export const scaledToZero = (name: string) =>
  `PATCH ${DEPLOYMENTS('istio-system')}/${name}/scale {"spec":{"replicas":0}}`;
export const profileSet = (profile: string) => `PATCH ${OPERATOR_PATH} {"spec":{"profile":"${profile}"}}`;

export function touchesOperator(run: ApplyRun): boolean {
  return run.requests.some((r) => r.method !== 'GET' && r.path.startsWith(OPERATOR_PATH));
}

export const TIMEOUT = 120_000;

/** The scanned GKE cluster: a supported master, Workload Identity on (what install_asm wants). */
const CLUSTER_DOCUMENT = gkeCluster({
  workloadIdentityConfig: { workloadPool: `${CLUSTER.project}.svc.id.goog` },
});

/**
 * What `meshready scan` reports for these objects (the real rules, as the CLI runs them), for the
 * cluster of CONTEXT: the same objects then make the API server the script runs against. `extra`:
 * documents only the scan reads (gcloud firewall-rules lists).
 */
export function scanOf(target: Target, objects: readonly Raw[], extra: readonly unknown[] = []): Report {
  return scanWithFiles(target, objects, extra).report;
}

/** The scan and the v1beta1-policies.yaml it writes next to the script (when v1alpha1 objects exist). */
export function scanWithFiles(
  target: Target,
  objects: readonly Raw[],
  extra: readonly unknown[] = [],
): { report: Report; files: Record<string, string> } {
  const snapshot = snapshotFromDocuments({ documents: [...objects, CLUSTER_DOCUMENT, ...extra] });
  const report = withRemediation(
    runRules(snapshot, {
      rules: RULES,
      target,
      toolVersion: '0.1.0',
      now: new Date('2026-11-25T10:00:00Z'),
      // As the CLI does by default: an object's meshready.dev/ignore annotation suppresses findings.
      suppressionFor: annotationSuppressions(snapshot),
    }),
  );
  const policies = scanPoliciesYaml(snapshot);
  return { report, files: policies === undefined ? {} : { [POLICIES_FILE_NAME]: policies } };
}
