/**
 * `meshready manifests`: the printed YAML is valid Kubernetes (kubernetes-models' schema
 * validators, plus a round trip through @kubernetes/client-node's typed models to catch unknown
 * or misspelt fields, which the schemas allow), read-only, and hardened.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// The generated models' serializer: it knows every field of every built-in kind.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { CronJob as CronJobV1 } from 'kubernetes-models/batch/v1/CronJob';
import { CronJob as CronJobV1beta1 } from 'kubernetes-models/batch/v1beta1/CronJob';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { COLLECTED_RESOURCES } from '../../src/collect/resources.ts';
import { InputError, UsageError } from '../../src/errors.ts';
import { MIXER_RESOURCES_14 } from '../../src/snapshot/kinds.ts';
import { runInProcess } from '../config/fake-io.ts';

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked freely in assertions
  any
>;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'batch/v1/CronJob': CronJobV1,
  'batch/v1beta1/CronJob': CronJobV1beta1,
};

/** client-node has no batch/v1beta1 models; the v1beta1 CronJob fields used here are all in v1. */
const SERIALIZER_TYPES: Record<string, string> = {
  Namespace: 'V1Namespace',
  ServiceAccount: 'V1ServiceAccount',
  ConfigMap: 'V1ConfigMap',
  ClusterRole: 'V1ClusterRole',
  ClusterRoleBinding: 'V1ClusterRoleBinding',
  Role: 'V1Role',
  RoleBinding: 'V1RoleBinding',
  CronJob: 'V1CronJob',
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-manifests-'));
});

async function manifests(args: readonly string[] = []): Promise<{ yaml: string; objects: Manifest[] }> {
  const run = await runInProcess(['manifests', ...args], work);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  const documents = parseAllDocuments(run.stdout);
  if (!Array.isArray(documents)) throw new Error('no documents');
  for (const document of documents) expect(document.errors).toEqual([]);
  return { yaml: run.stdout, objects: documents.map((d) => d.toJS() as Manifest) };
}

function byKind(objects: readonly Manifest[], kind: string): Manifest {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found;
}

function expectValidKubernetes(objects: readonly Manifest[]): void {
  for (const object of objects) {
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    expect(Model, `${object.apiVersion} ${object.kind} has a schema`).toBeDefined();
    const { apiVersion: _a, kind: _k, ...data } = object;
    expect(() => new (Model as NonNullable<typeof Model>)(data as never).validate()).not.toThrow();
    const type = SERIALIZER_TYPES[object.kind] as string;
    const asV1 = { ...object, apiVersion: object.apiVersion.replace('batch/v1beta1', 'batch/v1') };
    const roundTrip = ObjectSerializer.serialize(ObjectSerializer.deserialize(asV1, type, ''), type, '');
    // Anything the typed model does not know is dropped by the round trip.
    expect(roundTrip, `${object.kind} has only known fields`).toEqual(asV1);
  }
}

describe('meshready manifests', () => {
  it('prints valid Kubernetes objects in apply order, without YAML anchors', async () => {
    const { yaml, objects } = await manifests();
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'CronJob',
    ]);
    expectValidKubernetes(objects);
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(yaml.startsWith('# meshready ')).toBe(true);
  });

  it('the roles only list, with no wildcard, cover what the collector lists, and never Secrets', async () => {
    const { objects } = await manifests();
    const role = byKind(objects, 'ClusterRole');
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
    const rules = role.rules as Rule[];
    const configMapRole = byKind(objects, 'Role');
    expect(configMapRole.metadata.namespace).toBe('istio-system');
    const namespaced = configMapRole.rules as Rule[];
    expect(namespaced).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }]);
    for (const rule of [...rules, ...namespaced]) {
      // kubescape C-0187 and kube-linter flag wildcards; the collector never watches or gets by name.
      expect(rule.verbs).toEqual(['list']);
      expect(rule.resources).not.toContain('secrets');
      expect(rule).not.toHaveProperty('nonResourceURLs');
      expect(rule.resources).not.toContain('*');
      expect(rule.apiGroups).not.toContain('*');
    }
    expect(rules.flatMap((rule) => rule.resources)).not.toContain('configmaps');
    // The Mixer kinds are named one by one.
    expect(rules.find((rule) => rule.apiGroups.includes('config.istio.io'))?.resources).toEqual([
      ...MIXER_RESOURCES_14,
    ]);
    for (const { group, resource, namespace } of COLLECTED_RESOURCES) {
      if (resource === '*') continue;
      expect(
        (namespace ? namespaced : rules).some(
          (rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource),
        ),
        `${group}/${resource}`,
      ).toBe(true);
    }
    const roleBinding = byKind(objects, 'RoleBinding');
    expect(roleBinding.metadata.namespace).toBe('istio-system');
    expect(roleBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'meshready-reader',
    });
    expect(roleBinding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'meshready', namespace: 'meshready' },
    ]);
    const binding = byKind(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'meshready', namespace: 'meshready' }]);
  });

  it('runs `meshready scan --in-cluster --json` in a hardened, sidecar-free pod with requests and limits', async () => {
    const { objects } = await manifests([
      '--schedule',
      '30 1 * * 1-5',
      '--target',
      'asm-1.7',
      '--fail-on',
      'warning',
    ]);
    const cronJob = byKind(objects, 'CronJob');
    expect(cronJob.spec.schedule).toBe('30 1 * * 1-5');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(0);
    const pod = job.template;
    expect(pod.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    expect(pod.spec.serviceAccountName).toBe('meshready');
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const [container, ...others] = pod.spec.containers;
    expect(others).toEqual([]);
    expect(container.command).toEqual(['meshready']);
    expect(container.args).toEqual([
      'scan',
      '--in-cluster',
      '--json',
      '--quiet',
      '--target',
      'asm-1.7',
      '--fail-on',
      'warning',
    ]);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '256Mi' });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    // The root filesystem is read-only: /tmp is an emptyDir.
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    const namespace = byKind(objects, 'Namespace');
    expect(namespace.metadata.labels?.['istio-injection']).toBe('disabled');
  });

  it('picks the CronJob API and the seccomp form from --kube-version', async () => {
    const cases = [
      ['1.16', 'batch/v1beta1', false],
      ['1.19', 'batch/v1beta1', true],
      ['v1.21.3', 'batch/v1', true],
      ['1.29', 'batch/v1', true],
    ] as const;
    for (const [version, apiVersion, field] of cases) {
      const { objects } = await manifests(['--kube-version', version]);
      expectValidKubernetes(objects);
      const cronJob = byKind(objects, 'CronJob');
      expect(cronJob.apiVersion, version).toBe(apiVersion);
      const pod = cronJob.spec.jobTemplate.spec.template;
      const container = pod.spec.containers[0];
      if (field) {
        expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        expect(container.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        expect(pod.metadata.annotations).not.toHaveProperty('seccomp.security.alpha.kubernetes.io/pod');
      } else {
        expect(pod.metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']).toBe('runtime/default');
        expect(pod.spec.securityContext).not.toHaveProperty('seccompProfile');
      }
    }
  });

  it('annotates the ServiceAccount for Workload Identity when given, and documents it either way', async () => {
    const plain = await manifests();
    expect(byKind(plain.objects, 'ServiceAccount').metadata).not.toHaveProperty('annotations');
    expect(plain.yaml).toContain('# Annotate the ServiceAccount with iam.gke.io/gcp-service-account:');
    const gsa = 'meshready@acme-shop.iam.gserviceaccount.com';
    const wi = await manifests([
      '--gcp-service-account',
      gsa,
      '--project',
      'acme-shop',
      '--cluster',
      'shop-prod',
    ]);
    expect(byKind(wi.objects, 'ServiceAccount').metadata.annotations).toEqual({
      'iam.gke.io/gcp-service-account': gsa,
    });
    expect(wi.yaml).toContain(
      '--role roles/iam.workloadIdentityUser --member "serviceAccount:acme-shop.svc.id.goog[meshready/meshready]"',
    );
    const args = byKind(wi.objects, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--project', 'acme-shop', '--cluster', 'shop-prod']));
  });

  it('writes the reports to a PersistentVolumeClaim when one is given', async () => {
    const { objects } = await manifests(['--output-claim', 'meshready-reports']);
    expectValidKubernetes(objects);
    const pod = byKind(objects, 'CronJob').spec.jobTemplate.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'reports',
      persistentVolumeClaim: { claimName: 'meshready-reports' },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'reports', mountPath: '/reports' });
    expect(pod.securityContext.fsGroup).toBe(1000);
    const args: string[] = pod.containers[0].args;
    expect(args.slice(args.indexOf('--output-dir'), args.indexOf('--output-dir') + 2)).toEqual([
      '--output-dir',
      '/reports',
    ]);
    // Still one JSON line on stdout as well.
    expect(args).toContain('--json');
  });

  it('ships a validated meshready.yaml in a ConfigMap', async () => {
    const config =
      'excludeNamespaces: ["sandbox-*"]\nsuppressions:\n  - rule: service-port-naming\n    reason: ok\n';
    await writeFile(path.join(work, 'meshready.yaml'), config);
    const { objects } = await manifests([
      '--config',
      'meshready.yaml',
      '--namespace',
      'audit',
      '--no-create-namespace',
    ]);
    expectValidKubernetes(objects);
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'CronJob',
    ]);
    const configMap = byKind(objects, 'ConfigMap');
    expect(configMap.metadata.namespace).toBe('audit');
    expect(configMap.data['meshready.yaml']).toBe(config);
    const pod = byKind(objects, 'CronJob').spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].args).toEqual(
      expect.arrayContaining(['--config', '/etc/meshready/meshready.yaml']),
    );
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'config',
      mountPath: '/etc/meshready',
      readOnly: true,
    });

    await writeFile(path.join(work, 'bad.yaml'), 'suppressions:\n  - rule: service-port-naming\n');
    await expect(runInProcess(['manifests', '--config', 'bad.yaml'], work)).rejects.toThrow(
      /bad\.yaml:2: suppressions\[0\]\.reason is required/,
    );
    await expect(runInProcess(['manifests', '--config', 'missing.yaml'], work)).rejects.toThrow(InputError);
  });

  it('refuses values that are not what they claim to be, naming each flag', async () => {
    const error = await runInProcess(
      [
        'manifests',
        '--namespace',
        'Bad_NS',
        '--image',
        'meshready:latest; rm -rf /',
        '--schedule',
        'every night',
        '--gcp-service-account',
        'someone@gmail.com',
        '--kube-version',
        '1.21',
      ],
      work,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    for (const flag of ['--namespace', '--image', '--schedule', '--gcp-service-account']) {
      expect(message).toContain(flag);
    }
    await expect(runInProcess(['manifests', '--kube-version', 'latest'], work)).rejects.toThrow(
      /--kube-version/,
    );
    for (const schedule of ['@daily', '*/15 * * * *', '0 2 * * MON-FRI']) {
      const run = await runInProcess(['manifests', '--schedule', schedule], work);
      expect(run.code, schedule).toBe(0);
    }
  });
});
