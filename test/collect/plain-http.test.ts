/**
 * A kubeconfig whose server is plain http:// and whose user has a token and a password (issue
 * #25): kubectl sends no credentials over plain HTTP, to a loopback address or any other, and
 * neither does meshready. Recorded at the test API server, for real kubectl and for meshready,
 * on 127.0.0.1 and on this machine's non-loopback address (a remote server as far as the client
 * can tell). Over https:// the token is sent, as before.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLiveSnapshot } from '../../src/collect/live.ts';
import { CollectError } from '../../src/errors.ts';
import { type KubeApiServer, startKubeApiServer } from '../helpers/kube-api-server.ts';

const TOKEN = 'secret-token-never-in-clear';
const FAST = { retry: { retries: 0, baseDelayMs: 5, maxDelayMs: 20 }, requestTimeoutMs: 5_000 };

/** An address of this machine that is not loopback, if it has one. */
const REMOTE = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && !address.internal && address.family === 'IPv4')?.address;

let server: KubeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function kubeconfigFor(url: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'meshready-plain-http-'));
  const file = path.join(dir, 'kubeconfig.yaml');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: remote',
      '  cluster:',
      `    server: ${url}`,
      'users:',
      '- name: remote',
      '  user:',
      `    token: ${TOKEN}`,
      'contexts:',
      '- name: remote',
      '  context:',
      '    cluster: remote',
      '    user: remote',
      'current-context: remote',
      '',
    ].join('\n'),
  );
  return file;
}

function kubectl(kubeconfig: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, 'get', 'namespaces', '-o', 'name'], (error) =>
      resolve(error ? Number(error.code ?? 1) : 0),
    );
  });
}

function collect(kubeconfig: string): Promise<unknown> {
  return collectLiveSnapshot({ kubeconfig }, { env: {}, tuning: FAST }).catch((error: unknown) => error);
}

const HOSTS: [string, string | undefined][] = [
  ['a loopback address', '127.0.0.1'],
  ["this machine's non-loopback address (a remote server)", REMOTE],
];

describe('credentials and plain http://', () => {
  for (const [where, host] of HOSTS) {
    it.skipIf(host === undefined)(`sends no token to ${where}, as kubectl does not`, async () => {
      server = await startKubeApiServer({ token: TOKEN, host: host as string });
      expect(server.url).toMatch(/^http:\/\//);
      const kubeconfig = await kubeconfigFor(server.url);

      expect(await kubectl(kubeconfig)).not.toBe(0);
      const fromKubectl = server.requests.splice(0);
      expect(fromKubectl.length).toBeGreaterThan(0);
      expect(fromKubectl.map((r) => r.authorization)).toEqual(fromKubectl.map(() => undefined));

      const error = await collect(kubeconfig);
      expect(error).toBeInstanceOf(CollectError);
      expect((error as Error).message).toContain(
        'asks for credentials (HTTP 401 Unauthorized), and like kubectl, meshready sends none over plain http://',
      );
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.map((r) => r.authorization)).toEqual(server.requests.map(() => undefined));
      expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
    });
  }

  it('reads a plain http:// server that needs no credentials (kubectl proxy), sending none', async () => {
    server = await startKubeApiServer({
      objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'u-shop' } }],
    });
    const snapshot = await collect(await kubeconfigFor(server.url));
    expect((snapshot as { kube: { namespaces: { metadata: { name: string } }[] } }).kube.namespaces).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'shop' }) }),
    ]);
    expect(server.requests.map((r) => r.authorization)).toEqual(server.requests.map(() => undefined));
  });

  it('sends the token over https://, as kubectl does', async () => {
    server = await startKubeApiServer({ token: TOKEN, tls: true });
    const kubeconfig = await server.writeKubeconfig(
      path.join(await mkdtemp(path.join(tmpdir(), 'mr-')), 'k.yaml'),
    );
    expect(await kubectl(kubeconfig)).toBe(0);
    const snapshot = await collect(kubeconfig);
    expect(snapshot).not.toBeInstanceOf(Error);
    expect(new Set(server.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });
});
