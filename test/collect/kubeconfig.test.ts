/** Choosing the Kubernetes API server: kubeconfig files, contexts, the pod's service account. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadKubeTarget } from '../../src/collect/kubeconfig.ts';
import { InputError, UsageError } from '../../src/errors.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'meshready-kubeconfig-'));
});

async function kubeconfig(name: string, contexts: string[], current?: string): Promise<string> {
  const file = path.join(dir, name);
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of contexts) lines.push(`- name: ${c}`, '  cluster:', `    server: https://${c}.example:443`);
  lines.push('users:');
  for (const c of contexts) lines.push(`- name: ${c}`, '  user:', `    token: token-${c}`);
  lines.push('contexts:');
  for (const c of contexts) lines.push(`- name: ${c}`, '  context:', `    cluster: ${c}`, `    user: ${c}`);
  if (current) lines.push(`current-context: ${current}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('loadKubeTarget', () => {
  it('uses the current context of --kubeconfig, or the one --context names', async () => {
    const file = await kubeconfig('config', ['gke_a_b_c', 'staging'], 'staging');
    expect(loadKubeTarget({ kubeconfig: file }, {})).toMatchObject({
      context: 'staging',
      server: 'https://staging.example:443',
    });
    expect(loadKubeTarget({ kubeconfig: file, context: 'gke_a_b_c' }, {})).toMatchObject({
      context: 'gke_a_b_c',
      server: 'https://gke_a_b_c.example:443',
    });
  });

  it('names the available contexts when --context is not there', async () => {
    const file = await kubeconfig('config', ['one', 'two'], 'one');
    expect(() => loadKubeTarget({ kubeconfig: file, context: 'three' }, {})).toThrow(
      new UsageError(`--context "three" is not in ${file} (contexts: one, two)`),
    );
  });

  it('merges $KUBECONFIG files like kubectl: the first file that names a thing wins', async () => {
    const first = await kubeconfig('first', ['shared'], undefined);
    const second = await kubeconfig('second', ['shared', 'other'], 'other');
    const target = loadKubeTarget(
      {},
      { KUBECONFIG: [path.join(dir, 'missing'), first, second].join(path.delimiter) },
    );
    expect(target).toMatchObject({ context: 'other', server: 'https://other.example:443' });
    expect(
      loadKubeTarget({ context: 'shared' }, { KUBECONFIG: `${first}${path.delimiter}${second}` }),
    ).toMatchObject({
      server: 'https://shared.example:443',
    });
  });

  it('is a usage error without any kubeconfig, and an input error for a missing --kubeconfig', () => {
    expect(() => loadKubeTarget({}, { HOME: dir })).toThrow(UsageError);
    expect(() => loadKubeTarget({}, { HOME: dir })).toThrow(/no kubeconfig at .*\.kube\/config/);
    expect(() => loadKubeTarget({ kubeconfig: path.join(dir, 'nope') }, {})).toThrow(InputError);
  });

  it('needs a context to scan', async () => {
    const file = await kubeconfig('config', ['one'], undefined);
    expect(() => loadKubeTarget({ kubeconfig: file }, {})).toThrow(/no Kubernetes context to scan/);
  });

  it('--in-cluster needs a pod and stands alone', async () => {
    expect(() => loadKubeTarget({ inCluster: true }, {})).toThrow(/not running in a Kubernetes pod/);
    expect(() => loadKubeTarget({ inCluster: true, context: 'x' }, {})).toThrow(
      /do not combine it with --kubeconfig or --context/,
    );
  });
});
