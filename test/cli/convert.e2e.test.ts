/** `meshready convert` through the real CLI: exit codes 0, 1 and 2, stdout and --output. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { v1beta1ObjectSchema } from '../../src/convert/v1beta1.ts';
import { runMeshready } from '../helpers/cli.ts';

describe('meshready convert (real CLI)', () => {
  it('exit 0: the demo add-on cluster converts completely, YAML on stdout, the count on stderr', () => {
    const run = runMeshready(['convert', '--snapshot', 'fixtures/demo/addon-1.4']);
    expect(run.stderr).toBe('meshready: 6 v1beta1 objects written\n');
    expect(run.code).toBe(0);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expect(docs).toHaveLength(6);
    for (const doc of docs) expect(v1beta1ObjectSchema.safeParse(doc).success).toBe(true);
  });

  it('exit 1: the unconvertible object is named with its reason; the rest is still written to --output', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'meshready-convert-'));
    const out = path.join(dir, 'nested', 'v1beta1.yaml');
    const run = runMeshready(['convert', '--snapshot', 'fixtures/convert/refused.yaml', '--output', out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'meshready: cannot convert ServiceRoleBinding secrets/vault-reader-binding: constraint destination.user:',
    );
    const docs = parseAllDocuments(await readFile(out, 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'AuthorizationPolicy secrets/deny-by-default',
      'PeerAuthentication secrets/default',
    ]);
  });

  it('exit 1 without a ClusterRbacConfig, exit 0 with --allow-no-cluster-rbac-config', () => {
    const refused = runMeshready(['convert', '--snapshot', 'fixtures/convert/no-cluster-rbac-config.yaml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /cannot convert ServiceRoleBinding store\/api-reader-binding: there is no ClusterRbacConfig/,
    );
    expect(parseAllDocuments(refused.stdout)).toHaveLength(0);
    const allowed = runMeshready([
      'convert',
      '--snapshot',
      'fixtures/convert/no-cluster-rbac-config.yaml',
      '--allow-no-cluster-rbac-config',
    ]);
    expect(allowed.code).toBe(0);
    const docs = parseAllDocuments(allowed.stdout).map((d) => d.toJS());
    expect(docs).toEqual([
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'api-reader-binding', namespace: 'store' },
        spec: {
          selector: { matchLabels: { app: 'api' } },
          rules: [
            {
              from: [{ source: { principals: ['cluster.local/ns/web/sa/frontend'] } }],
              to: [{ operation: { methods: ['GET'] } }],
            },
          ],
        },
      },
    ]);
  });

  it('scan writes the same objects as v1beta1-policies.yaml, and the findings name the file and objects', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'meshready-convert-scan-'));
    const scan = runMeshready(['scan', '--snapshot', 'fixtures/demo/addon-1.4', '--output-dir', dir, '-q']);
    expect(scan.code).toBe(1);
    const convert = runMeshready(['convert', '--snapshot', 'fixtures/demo/addon-1.4']);
    const written = await readFile(path.join(dir, 'v1beta1-policies.yaml'), 'utf8');
    const objects = (text: string) => parseAllDocuments(text).map((d) => d.toJS());
    expect(objects(written)).toEqual(objects(convert.stdout));
    const report = JSON.parse(await readFile(path.join(dir, 'meshready-report.json'), 'utf8'));
    const result = report.results.find((r: { ruleId: string }) => r.ruleId === 'v1alpha1-security-policy');
    const binding = result.findings.find(
      (f: { resource: { kind: string } }) => f.resource.kind === 'ServiceRoleBinding',
    );
    expect(binding.message).toContain(
      'meshready wrote AuthorizationPolicy payments/payments-reader-binding to v1beta1-policies.yaml',
    );
    expect(binding.fix.params.converted).toEqual(['AuthorizationPolicy payments/payments-reader-binding']);
    // A cluster without v1alpha1 objects gets no such file.
    const clean = await mkdtemp(path.join(tmpdir(), 'meshready-convert-clean-'));
    runMeshready(['scan', '--snapshot', 'fixtures/demo/asm-candidate', '--output-dir', clean, '-q']);
    await expect(readFile(path.join(clean, 'v1beta1-policies.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('exit 2: a missing snapshot, a bad --root-namespace, no source at all', () => {
    const missing = runMeshready(['convert', '--snapshot', 'fixtures/convert/no-such-file.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-file\.yaml/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badRoot = runMeshready([
      'convert',
      '--snapshot',
      'fixtures/demo/addon-1.4',
      '--root-namespace',
      'Not_A_Namespace',
    ]);
    expect(badRoot.code).toBe(2);
    expect(badRoot.stderr).toMatch(/--root-namespace "Not_A_Namespace"/);
    // No source: the current context of the default kubeconfig, which this HOME does not have.
    const none = runMeshready(['convert'], {
      env: { HOME: path.join(tmpdir(), 'meshready-no-such-home'), KUBECONFIG: '' },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no kubeconfig at .*meshready-no-such-home\/\.kube\/config: give --snapshot PATH/,
    );
  });

  it('--ignore-unknown-fields: refused by default naming the field (exit 1), converted as 1.4 read it with the flag (exit 0); warnings on stderr', () => {
    const refused = runMeshready(['convert', '--snapshot', 'fixtures/convert/unknown-field.yaml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'meshready: cannot convert ServiceRole store/api-reader: spec.rules[0].method is not a field Istio 1.4 knew',
    );
    const read14 = runMeshready([
      'convert',
      '--snapshot',
      'fixtures/convert/unknown-field.yaml',
      '--ignore-unknown-fields',
    ]);
    expect(read14.code).toBe(0);
    expect(read14.stderr).toContain(
      'meshready: warning: ServiceRoleBinding store/api-reader-binding: services entry "api" is not a hostname',
    );
    const docs = parseAllDocuments(read14.stdout).map((d) => d.toJS());
    const binding = docs.find((d) => d.metadata.name === 'api-reader-binding');
    // Every method, as 1.4 read the rule without its misspelt field; the DELETE rule granted nothing.
    expect(binding.spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/web/sa/frontend'] } }] },
    ]);
  });

  it('--help shows examples and the exit codes 0 to 3, and no empty default', () => {
    const help = runMeshready(['convert', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:\n  # The v1beta1 policies of a snapshot');
    expect(help.stdout).toContain('--ignore-unknown-fields');
    for (const code of ['0', '1', '2', '3']) expect(help.stdout).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    expect(help.stdout).not.toContain('(default: [])');
  });
});
