/**
 * The CronJob's pod passes the Pod Security Standards' "restricted" profile at every Kubernetes
 * version `--kube-version` can name (test/helpers/pod-security.ts implements the profile from
 * kubernetes/pod-security-admission), and the check is live: taking away any one of the fields
 * the pod relies on fails it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { pullPolicyFor } from '../../src/manifests/in-cluster.ts';
import { runInProcess } from '../config/fake-io.ts';
import { restrictedViolations } from '../helpers/pod-security.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked freely
type Json = any;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'meshready-pss-'));
  await writeFile(path.join(work, 'meshready.yaml'), 'target: asm-1.7\n');
});

async function podTemplate(args: readonly string[]): Promise<Json> {
  const run = await runInProcess(['manifests', ...args], work);
  expect(run.code, run.stderr).toBe(0);
  const cronJob = parseAllDocuments(run.stdout)
    .map((document) => document.toJS())
    .find((object) => object.kind === 'CronJob');
  return cronJob.spec.jobTemplate.spec.template;
}

const MINORS = Array.from({ length: 20 }, (_, i) => 16 + i);

describe('the CronJob pod and the restricted Pod Security Standard', () => {
  it.each(MINORS)('passes it at Kubernetes 1.%i, with the config and a reports volume too', async (minor) => {
    for (const extra of [[], ['--config', 'meshready.yaml', '--output-claim', 'meshready-reports']]) {
      const template = await podTemplate(['--kube-version', `1.${minor}`, ...extra]);
      expect(restrictedViolations(template, minor)).toEqual([]);
      // Past 1.18 the profile asks for the field; before it, the annotation is what is read.
      const container = template.spec.containers[0];
      if (minor >= 19) {
        expect(template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        expect(container.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      } else {
        expect(template.metadata.annotations['seccomp.security.alpha.kubernetes.io/pod']).toBe(
          'runtime/default',
        );
      }
      expect(container.imagePullPolicy).toBe('IfNotPresent');
    }
  });

  it.each([
    [
      'seccompProfile_restricted',
      29,
      (t: Json) => {
        delete t.spec.securityContext.seccompProfile;
        delete t.spec.containers[0].securityContext.seccompProfile;
      },
    ],
    [
      'seccompProfile_restricted',
      29,
      (t: Json) => {
        t.spec.containers[0].securityContext.seccompProfile = { type: 'Unconfined' };
      },
    ],
    [
      'seccompProfile_baseline',
      16,
      (t: Json) => {
        t.metadata.annotations['seccomp.security.alpha.kubernetes.io/pod'] = 'unconfined';
      },
    ],
    [
      'allowPrivilegeEscalation',
      29,
      (t: Json) => {
        delete t.spec.containers[0].securityContext.allowPrivilegeEscalation;
      },
    ],
    [
      'capabilities_restricted',
      29,
      (t: Json) => {
        t.spec.containers[0].securityContext.capabilities = { add: ['NET_RAW'] };
      },
    ],
    [
      'capabilities_baseline',
      16,
      (t: Json) => {
        t.spec.containers[0].securityContext.capabilities = { add: ['SYS_ADMIN'] };
      },
    ],
    [
      'runAsNonRoot',
      29,
      (t: Json) => {
        delete t.spec.securityContext.runAsNonRoot;
        delete t.spec.containers[0].securityContext.runAsNonRoot;
      },
    ],
    [
      'runAsUser',
      29,
      (t: Json) => {
        t.spec.securityContext.runAsUser = 0;
      },
    ],
    [
      'restrictedVolumes',
      29,
      (t: Json) => {
        t.spec.volumes.push({ name: 'host', hostPath: { path: '/' } });
      },
    ],
    [
      'privileged',
      29,
      (t: Json) => {
        t.spec.containers[0].securityContext.privileged = true;
      },
    ],
    [
      'hostNamespaces',
      29,
      (t: Json) => {
        t.spec.hostNetwork = true;
      },
    ],
  ] as const)('fails %s at 1.%i once a field it relies on is taken away', async (check, minor, mutate) => {
    const template = await podTemplate(['--kube-version', `1.${minor}`]);
    mutate(template);
    expect(restrictedViolations(template, minor).map((v) => v.check)).toContain(check);
  });

  it('says in its header comment exactly the verbs the roles grant: list, never watch', async () => {
    const run = await runInProcess(['manifests'], work);
    const header = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .join('\n');
    expect(header).toContain('grant only list on what the scanner reads, no wildcard, never Secrets');
    expect(header).not.toMatch(/\bwatch\b|get\/list/);
    const verbs = new Set(
      parseAllDocuments(run.stdout)
        .map((document) => document.toJS())
        .filter((object) => object.kind === 'ClusterRole' || object.kind === 'Role')
        .flatMap((role) => role.rules.flatMap((rule: { verbs: string[] }) => rule.verbs)),
    );
    expect([...verbs]).toEqual(['list']);
  });

  it('pulls a version-pinned image only when missing, a moving tag always', () => {
    expect(pullPolicyFor('ghcr.io/acme/meshready:0.1.0')).toBe('IfNotPresent');
    expect(pullPolicyFor(`registry:5000/meshready@sha256:${'a'.repeat(64)}`)).toBe('IfNotPresent');
    expect(pullPolicyFor('registry:5000/meshready:latest')).toBe('Always');
    expect(pullPolicyFor('registry:5000/meshready')).toBe('Always');
  });
});
