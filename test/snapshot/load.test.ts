import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { snapshotToBundle } from '../../src/snapshot/bundle.ts';
import { loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { gkeCluster, list, namespace, pod, service } from '../helpers/objects.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'meshready-load-'));
});

async function file(name: string, text: string | Buffer): Promise<string> {
  const full = path.join(dir, name);
  await writeFile(full, text);
  return full;
}

async function inputErrorOf(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('offline loader', () => {
  it('reads a kubectl List in YAML and remembers each item line', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata:',
      '    name: shop',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata:',
      '    name: payments',
      '    labels: {istio-injection: enabled}',
      '',
    ].join('\n');
    const snapshot = await loadSnapshot([await file('ns.yaml', yaml)]);
    expect(snapshot.kube.namespaces.map((ns) => [ns.metadata.name, ns.origin?.line])).toEqual([
      ['shop', 4],
      ['payments', 8],
    ]);
    expect(snapshot.kube.namespaces[1]?.metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  it('reads multi-document YAML with the line of each document', async () => {
    const yaml = [
      '# services',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: cart, namespace: shop}',
      'spec: {ports: [{port: 8080}]}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web, namespace: shop}',
      'spec: {ports: [{port: 80, name: http}]}',
      '---',
      '',
    ].join('\n');
    const snapshot = await loadSnapshot([await file('svc.yml', yaml)]);
    expect(snapshot.kube.services.map((s) => [s.metadata.name, s.origin?.line])).toEqual([
      ['cart', 2],
      ['web', 7],
    ]);
  });

  it('reads a kubectl List in JSON and finds the line of each item', async () => {
    const json = JSON.stringify(list([namespace('a'), namespace('b', { x: 'y' }), namespace('c')]), null, 4);
    const snapshot = await loadSnapshot([await file('ns.json', json)]);
    const lines = json.split('\n');
    for (const ns of snapshot.kube.namespaces) {
      const line = ns.origin?.line ?? 0;
      // The item's object starts on its line and its name follows within a few lines.
      expect(lines[line - 1]?.trim()).toBe('{');
      expect(lines.slice(line - 1, line + 8).join('\n')).toContain(`"name": "${ns.metadata.name}"`);
    }
  });

  it('reads typed lists (PodList) whose items omit apiVersion and kind', async () => {
    const podList = {
      apiVersion: 'v1',
      kind: 'PodList',
      items: [
        {
          metadata: { name: 'p1', namespace: 'shop' },
          spec: { containers: [{ name: 'app', image: 'app:1' }] },
        },
      ],
    };
    const snapshot = await loadSnapshot([await file('pods.json', JSON.stringify(podList))]);
    expect(snapshot.kube.pods.map((p) => p.metadata.name)).toEqual(['p1']);
    expect(snapshot.kube.pods[0]?.kind).toBe('Pod');
  });

  it('recognises gcloud cluster JSON, firewall rules and machine types', async () => {
    await file(
      'cluster.json',
      JSON.stringify(
        gkeCluster({
          privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: '172.16.0.0/28' },
        }),
      ),
    );
    await file(
      'fw.json',
      JSON.stringify([
        {
          kind: 'compute#firewall',
          name: 'gke-demo-1-master',
          direction: 'INGRESS',
          allowed: [{ IPProtocol: 'tcp', ports: ['443'] }],
        },
      ]),
    );
    await file(
      'mt.json',
      JSON.stringify([
        {
          kind: 'compute#machineType',
          name: 'e2-standard-4',
          guestCpus: 4,
          zone: 'https://x/zones/europe-west1-b',
        },
      ]),
    );
    const snapshot = await loadSnapshot([dir]);
    expect(snapshot.gkeCluster).toMatchObject({
      name: 'demo',
      project: 'acme-prod',
      privateNodes: true,
      controlPlaneCidr: '172.16.0.0/28',
      istioAddon: { enabled: true },
    });
    expect(snapshot.identity).toEqual({ name: 'demo', project: 'acme-prod', location: 'europe-west1-b' });
    expect(snapshot.firewalls.map((f) => f.name)).toEqual(['gke-demo-1-master']);
    expect(snapshot.machineTypes).toMatchObject([
      { name: 'e2-standard-4', guestCpus: 4, zone: 'europe-west1-b' },
    ]);
    expect(snapshot.coverage.gkeCluster).toEqual({ collected: true });
    expect(snapshot.coverage.firewalls).toEqual({ collected: true });
    expect(snapshot.coverage.machineTypes).toEqual({ collected: true });
  });

  it('tells "no objects of this kind" from "not collected"', async () => {
    const onlyNamespaces = await loadSnapshot([
      await file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n'),
    ]);
    expect(onlyNamespaces.coverage.pods).toEqual({ collected: true });
    expect(onlyNamespaces.kube.pods).toEqual([]);
    expect(onlyNamespaces.coverage.gkeCluster.collected).toBe(false);
    expect(onlyNamespaces.coverage.firewalls).toMatchObject({
      collected: false,
      reason: expect.stringContaining('firewall'),
    });

    const onlyCluster = await loadSnapshot([await file('cluster.json', JSON.stringify(gkeCluster()))]);
    expect(onlyCluster.coverage.pods).toEqual({
      collected: false,
      reason: 'no Kubernetes objects in the snapshot',
    });
  });

  it('lists unrecognised documents as skipped and never keeps Secrets', async () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: db, namespace: shop}',
      'data: {password: c2VjcmV0}',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      'metadata: {name: web, namespace: shop}',
      '---',
      'hello: world',
      '---',
      'just a string',
      '',
    ].join('\n');
    const snapshot = await loadSnapshot([await file('mixed.yaml', yaml)]);
    const reasons = snapshot.skipped.map((s) => s.reason);
    expect(reasons).toEqual([
      'Secrets are never read',
      'kind Ingress is not read by any rule',
      'not a Kubernetes object, GKE cluster, firewall rule or machine type (2 documents)',
    ]);
    expect(JSON.stringify(snapshot)).not.toContain('c2VjcmV0');
  });

  it('keeps ConfigMaps of istio-system only and the Istio ClusterRoles only', () => {
    const snapshot = snapshotFromDocuments({
      documents: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'shop' } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'istio-galley-istio-system' },
          rules: [],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'view' },
          rules: [],
        },
      ],
    });
    expect(snapshot.kube.configmaps.map((c) => c.metadata.name)).toEqual(['istio']);
    expect(snapshot.kube.clusterroles.map((c) => c.metadata.name)).toEqual(['istio-galley-istio-system']);
  });

  it('keeps the first copy of an object given twice', async () => {
    await file('a.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
    await file('b.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {x: y}}\n');
    const snapshot = await loadSnapshot([dir]);
    expect(snapshot.kube.namespaces).toHaveLength(1);
    expect(snapshot.kube.namespaces[0]?.origin?.file).toBe(path.join(dir, 'a.yaml'));
  });

  it('reads gzipped files and ignores other extensions inside directories', async () => {
    await file('ns.yaml.gz', gzipSync('apiVersion: v1\nkind: Namespace\nmetadata: {name: zipped}\n'));
    await file('notes.txt', 'not a snapshot');
    const snapshot = await loadSnapshot([dir]);
    expect(snapshot.kube.namespaces.map((n) => n.metadata.name)).toEqual(['zipped']);
    expect(snapshot.skipped).toEqual([]);
  });

  it('round-trips a bundle, whose coverage record wins', async () => {
    const original = snapshotFromDocuments({
      documents: [
        namespace('shop'),
        service('shop', 'cart', [{ port: 80 }]),
        pod('shop', 'cart-1', [{ name: 'app', image: 'a:1' }]),
      ],
      notCollected: { pods: 'forbidden: list pods' },
    });
    const bundle = snapshotToBundle(original, new Date('2026-11-25T10:00:00Z'), '0.1.0');
    const loaded = await loadSnapshot([await file('bundle.json', JSON.stringify(bundle))]);
    expect(loaded.kube.services).toEqual(original.kube.services);
    expect(loaded.coverage.pods).toEqual({ collected: false, reason: 'forbidden: list pods' });
    expect(loaded.coverage.services).toEqual({ collected: true });
  });

  it('rejects a bundle with a number JSON cannot carry, as any other input (issue #25)', async () => {
    const original = snapshotFromDocuments({
      documents: [
        {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'VirtualService',
          metadata: { name: 'vs', namespace: 'shop' },
          spec: { weight: 'INF' },
        },
      ],
    });
    const text = JSON.stringify(snapshotToBundle(original, new Date('2026-11-25T10:00:00Z'), '0.1.0'));
    expect(text).toContain('"INF"');
    const error = await inputErrorOf(
      loadSnapshot([await file('bundle.json', text.replace('"INF"', '1e999'))]),
    );
    expect(error.message).toMatch(
      /bundle\.json:1: invalid meshready snapshot bundle at kube\.virtualservices: shop\/vs: spec\.weight: a number JSON cannot carry/,
    );
  });

  it('rejects an invalid bundle naming the file and the field', async () => {
    const bad = {
      apiVersion: 'meshready.dev/v1alpha1',
      kind: 'ClusterSnapshot',
      metadata: {},
      coverage: {},
      kube: {},
    };
    const error = await inputErrorOf(loadSnapshot([await file('bundle.json', JSON.stringify(bad))]));
    expect(error.message).toMatch(
      /bundle\.json:1: invalid meshready snapshot bundle at metadata\.collectedAt/,
    );
  });

  it('names the file and line of malformed YAML', async () => {
    const yaml = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [unclosed\n  labels: {}\n';
    const error = await inputErrorOf(loadSnapshot([await file('broken.yaml', yaml)]));
    expect(error.file).toBe(path.join(dir, 'broken.yaml'));
    expect(error.line).toBeGreaterThanOrEqual(4);
    expect(error.message).toMatch(/broken\.yaml:\d+: malformed YAML/);
  });

  it('names the line of a malformed item inside a big kubectl List', async () => {
    const items = Array.from(
      { length: 50 },
      (_, i) => `- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: ns-${i}\n`,
    );
    items[30] = '- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: [broken\n';
    const yaml = `apiVersion: v1\nitems:\n${items.join('')}kind: List\nmetadata: {}\n`;
    const error = await inputErrorOf(loadSnapshot([await file('list.yaml', yaml)]));
    expect(error.line).toBeGreaterThanOrEqual(3 + 30 * 4 + 3);
    expect(error.line).toBeLessThanOrEqual(3 + 31 * 4 + 1);
  });

  it('reads a List whose items share YAML anchors', async () => {
    const yaml = [
      'apiVersion: v1',
      'items:',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata: &meta',
      '    name: a',
      '    labels: {team: x}',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata:',
      '    <<: *meta',
      '    name: b',
      'kind: List',
      '',
    ].join('\n');
    const snapshot = await loadSnapshot([await file('anchors.yaml', yaml)]);
    expect(snapshot.kube.namespaces.map((n) => n.metadata.name)).toEqual(['a', 'b']);
  });

  it('names the file and line of malformed JSON', async () => {
    const json = '{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "metadata": {"name": "a",}\n}\n';
    const error = await inputErrorOf(loadSnapshot([await file('broken.json', json)]));
    expect([error.line, error.column]).toEqual([4, 28]);
    expect(error.message).toMatch(/broken\.json:4:28: malformed JSON: Expected double-quoted property name$/);
  });

  it('names the line of a truncated JSON file', async () => {
    const error = await inputErrorOf(
      loadSnapshot([await file('cut.json', '{\n  "items": [\n    {"a": 1},\n')]),
    );
    expect(error.line).toBe(4);
  });

  it('names line and column of an error inside a List item, in the file, wherever V8 gives no place', async () => {
    // A pretty-printed List is loaded item by item: the error is found in the item, placed in the file.
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: ['a', 'b', 'c'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    };
    const text = JSON.stringify(list, null, 2).replace('"name": "b"', '"name": tru');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('tru')) + 1;
    const error = await inputErrorOf(loadSnapshot([await file('token.json', text)]));
    expect(error.message).toBe(
      `${path.join(dir, 'token.json')}:${line}:20: malformed JSON: Unexpected token '\\n'`,
    );
  });

  it('reports a missing path', async () => {
    const error = await inputErrorOf(loadSnapshot([path.join(dir, 'nope')]));
    expect(error.message).toContain('no such file or directory');
  });

  it('refuses two different GKE clusters', async () => {
    await file('a.json', JSON.stringify(gkeCluster({ name: 'one' })));
    await file('b.json', JSON.stringify(gkeCluster({ name: 'two' })));
    const error = await inputErrorOf(loadSnapshot([dir]));
    expect(error.message).toContain('scan one cluster at a time');
  });

  it('strips objects to the fields rules read', async () => {
    const raw = {
      ...pod('shop', 'cart-1', [{ name: 'istio-proxy', image: 'proxyv2:1.4.10-gke.4' }], {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-1234', uid: 'u1', controller: true },
        ],
        managedFields: [
          { manager: 'kubectl-edit' },
          { manager: 'kubectl-edit' },
          { manager: 'kube-controller-manager' },
        ],
      }),
      spec: {
        containers: [
          { name: 'istio-proxy', image: 'proxyv2:1.4.10-gke.4', env: [{ name: 'TOKEN', value: 'x' }] },
        ],
        volumes: [],
      },
    };
    const snapshot = snapshotFromDocuments({ documents: [raw] });
    expect(snapshot.kube.pods[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'cart-1',
        namespace: 'shop',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-1234', uid: 'u1', controller: true },
        ],
        managers: ['kube-controller-manager', 'kubectl-edit'],
      },
      origin: { file: 'inline.yaml', line: 1 },
      containers: [{ name: 'istio-proxy', image: 'proxyv2:1.4.10-gke.4' }],
      phase: 'Running',
      ready: true,
    });
  });
});

describe('hostile snapshots', () => {
  const role = (rules: unknown) =>
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'istio-galley-istio-system' },
      rules,
    });

  it('refuses objects that break the Kubernetes schema instead of reading them as empty', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'role.json',
        role({ a: { apiGroups: ['*'], resources: ['*'], verbs: ['*'] } }),
        /ClusterRole istio-galley-istio-system: rules: .*expected array/,
      ],
      [
        'ports.yaml',
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: shop\nspec:\n  ports:\n    web: {port: 80}\n',
        /Service shop\/cart: spec\.ports: .*expected array/,
      ],
      [
        'labels.yaml',
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: [istio-injection, enabled]\n',
        /Namespace shop: metadata\.labels: expected a map of strings/,
      ],
      [
        'port.json',
        '{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","namespace":"b"},"spec":{"ports":[{"port":1e400}]}}',
        /Service b\/a: spec\.ports\[0\]\.port/,
      ],
      [
        'list.json',
        '{"apiVersion":"v1","kind":"ServiceList","items":"hello"}',
        /ServiceList: items must be a list/,
      ],
      [
        'noname.yaml',
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  labels: {a: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n',
        /Namespace \(no name\): metadata\.name/,
      ],
      [
        'name.json',
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a'.repeat(5_000_000) } }),
        /metadata\.name: longer than 253 characters/,
      ],
      [
        'cluster.json',
        JSON.stringify({ name: 'c'.repeat(1_000_000), currentMasterVersion: '1.16.15-gke.4300' }),
        /GKE cluster name longer than 253 characters/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const error = await inputErrorOf(loadSnapshot([await file(name, text)]));
      expect(error.message, name).toMatch(message);
      expect(error.file, name).toContain(name);
      expect(error.line, name).toBe(1);
      expect(error.message.length, name).toBeLessThan(400);
    }
  });

  it('names the line of the invalid item inside a List', async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata: {name: good}',
      '- apiVersion: v1',
      '  kind: Service',
      '  metadata: {name: bad, namespace: good}',
      '  spec: {ports: {web: 80}}',
      '',
    ].join('\n');
    const error = await inputErrorOf(loadSnapshot([await file('list.yaml', text)]));
    expect(error.line).toBe(7);
  });

  it('still reads what kubectl writes: null fields, numeric label values, string ports', async () => {
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: cart',
      '  namespace: shop',
      '  labels: {version: 1, canary: true}',
      '  annotations:',
      'spec:',
      '  ports:',
      '  - {name: http, port: "8080", targetPort: web}',
      '',
    ].join('\n');
    const snapshot = await loadSnapshot([await file('svc.yaml', text)]);
    expect(snapshot.kube.services[0]?.ports[0]).toMatchObject({ port: 8080, targetPort: 'web' });
    expect(snapshot.kube.services[0]?.metadata.labels).toEqual({ version: '1', canary: 'true' });
  });

  it('accepts JSON and YAML with a UTF-8 byte order mark', async () => {
    const json = await file('bom.json', `\ufeff${JSON.stringify(namespace('from-json'))}`);
    const yaml = await file(
      'bom.yaml',
      '\ufeffapiVersion: v1\nkind: Namespace\nmetadata:\n  name: from-yaml\n',
    );
    const snapshot = await loadSnapshot([json, yaml]);
    expect(snapshot.kube.namespaces.map((n) => n.metadata.name).sort()).toEqual(['from-json', 'from-yaml']);
  });

  it('stops a gzip bomb at the size limit with a clear error, quickly and without the memory', async () => {
    // 600 MiB of zeros compress to about 600 KB.
    const bomb = gzipSync(Buffer.alloc(600 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const error = await inputErrorOf(loadSnapshot([await file('bomb.json.gz', bomb)]));
    expect(error.message).toMatch(/decompresses to more than 511 MiB/);
    expect(process.memoryUsage().rss - before).toBeLessThan(1100 * 1024 * 1024);
  });

  it('refuses a FIFO given as the snapshot, and lists one inside a directory as skipped, without blocking', async () => {
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const error = await inputErrorOf(loadSnapshot([fifo]));
    expect(error.message).toMatch(/named pipe \(FIFO\)/);
    await file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
    const snapshot = await loadSnapshot([dir]);
    expect(snapshot.kube.namespaces.map((n) => n.metadata.name)).toEqual(['shop']);
    expect(snapshot.skipped).toEqual([{ file: fifo, reason: 'not read: a named pipe (FIFO)' }]);
  });

  it('follows symbolic links to files and directories, and lists loops and dangling links as skipped', async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'meshready-elsewhere-'));
    await writeFile(
      path.join(elsewhere, 'linked.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: linked\n',
    );
    await mkdir(path.join(elsewhere, 'more'));
    await writeFile(
      path.join(elsewhere, 'more', 'ns.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: via-dir\n',
    );
    await symlink(path.join(elsewhere, 'linked.yaml'), path.join(dir, 'link.yaml'));
    await symlink(path.join(elsewhere, 'more'), path.join(dir, 'more'));
    await symlink(path.join(dir, 'missing.yaml'), path.join(dir, 'dangling.yaml'));
    await symlink(dir, path.join(dir, 'self'));
    const snapshot = await loadSnapshot([dir]);
    expect(snapshot.kube.namespaces.map((n) => n.metadata.name).sort()).toEqual(['linked', 'via-dir']);
    expect(snapshot.skipped.map((s) => [path.basename(s.file), s.reason]).sort()).toEqual([
      ['dangling.yaml', 'symbolic link not followed: its target does not exist'],
      ['self', 'symbolic link not followed: it leads back into a directory being read (a loop)'],
    ]);
  });
});
