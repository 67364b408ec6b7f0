/**
 * A differential test (issue #25): the same generated cluster scanned as one large kubectl JSON
 * List, loaded on the worker path (forced whatever its size, in small runs), and as one YAML List,
 * loaded on the sequential path, gives the same objects and the same reports in every format, once
 * each finding's file:line is taken out; and each file:line points at the object the finding is
 * about, in its own file.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMap, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import { generateCluster, SIZES } from '../../fixtures/generate-cluster.ts';
import { RULES } from '../../rules/index.ts';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import type { Report } from '../../src/engine/report-model.ts';
import { runRules } from '../../src/engine/runner.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { FORMATTERS } from '../../src/report/formats.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import type { ClusterSnapshot } from '../../src/snapshot/model.ts';
import { itemLinesByJsoncParser } from '../helpers/json-oracle.ts';

let jsonFile: string;
let yamlFile: string;
let items: Record<string, unknown>[];

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'meshready-differential-'));
  await generateCluster({ size: SIZES.S, out: dir, seed: 7 });
  items = [];
  for (const name of ['namespaces', 'pods', 'services', 'workloads']) {
    const list = JSON.parse(await readFile(path.join(dir, 'json', `${name}.json`), 'utf8'));
    items.push(...list.items);
  }
  // Objects whose text looks like List structure, and one a rule reads port by port.
  const tricky = '},\n        {\n"items": [ \\" \u2028 \u0085 <&>';
  items.push(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'tricky',
        namespace: 'istio-system',
        uid: 'uid-tricky',
        labels: { app: 'istio-ingressgateway', note: tricky },
        annotations: { items: tricky, '"items": [': '{}' },
      },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'istio-ingressgateway-1',
        namespace: 'istio-system',
        uid: 'uid-gateway',
        labels: { istio: 'ingressgateway', app: 'istio-ingressgateway' },
      },
      spec: { containers: [{ name: 'istio-proxy', image: 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'gateway-in', namespace: 'istio-system', uid: 'uid-np' },
      spec: {
        podSelector: { matchLabels: { istio: 'ingressgateway' } },
        ingress: [{ ports: [{ port: 80 }, { port: 443, endPort: 444 }, { port: 15020 }] }],
        note: { items: [{ kind: tricky }] },
      },
    },
  );
  const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  jsonFile = path.join(dir, 'cluster.json');
  yamlFile = path.join(dir, 'cluster.yaml');
  await writeFile(jsonFile, `${JSON.stringify(list, null, 4)}\n`);
  await writeFile(yamlFile, stringify(list, { lineWidth: 0 }));
}, 120_000);

function withoutOrigins(snapshot: ClusterSnapshot): unknown {
  return Object.fromEntries(
    Object.entries(snapshot.kube).map(([kind, objects]) => [
      kind,
      objects.map(({ origin: _origin, ...object }) => object),
    ]),
  );
}

function report(snapshot: ClusterSnapshot): Report {
  return withRemediation(
    runRules(snapshot, { rules: RULES, target: 'istio-1.6', toolVersion: 'test', now: new Date(0) }),
  );
}

/** The report with each finding's location replaced by one that names no file or line. */
function locationFree(report: Report): Report {
  return {
    ...report,
    source: { ...report.source, inputs: ['cluster'] },
    results: report.results.map((result) => ({
      ...result,
      findings: result.findings.map((finding) =>
        finding.location ? { ...finding, location: { file: 'cluster', line: 1 } } : finding,
      ),
    })),
  };
}

/** The line each item of the YAML List starts on. */
function yamlItemLines(text: string): number[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const seq = isMap(document.contents) ? document.contents.get('items', true) : undefined;
  if (!isSeq(seq)) return [];
  return seq.items.map((node) => lineCounter.linePos((node as { range: [number] }).range[0]).line);
}

describe('one cluster as a JSON List (worker path) and as YAML (sequential path)', () => {
  it('gives the same objects, and reports equal byte for byte but for file:line', async () => {
    const stats = { files: 0, batchesInWorkers: 0, batchesOnMain: 0 };
    const fromJson = await loadSnapshot([jsonFile], {
      parallel: {
        workers: 1,
        minBytes: 0,
        minTotalBytes: 0,
        batchBytes: 64 * 1024,
        windowBytes: 256 * 1024,
        stats,
      },
    });
    expect(stats.files).toBe(1);
    expect(stats.batchesInWorkers).toBeGreaterThan(0);
    const fromYaml = await loadSnapshot([yamlFile], { parallel: { workers: 0 } });
    expect(fromJson.kube.pods.length).toBe(SIZES.S.pods + 1);
    expect(withoutOrigins(fromJson)).toEqual(withoutOrigins(fromYaml));

    const jsonReport = report(fromJson);
    const yamlReport = report(fromYaml);
    const findings = jsonReport.results.flatMap((result) => result.findings);
    expect(findings.length).toBeGreaterThan(100);
    expect(findings.some((finding) => finding.resource.name === 'gateway-in')).toBe(true);
    const json = locationFree(jsonReport);
    const yaml = locationFree(yamlReport);
    const context = { rules: RULE_CATALOGUE, sarifRoot: '/tmp' };
    for (const [format, formatter] of Object.entries(FORMATTERS)) {
      expect(formatter.render(json, context) === formatter.render(yaml, context), format).toBe(true);
    }

    // Each finding's line is where its object starts, in each file.
    const jsonText = await readFile(jsonFile, 'utf8');
    const yamlText = await readFile(yamlFile, 'utf8');
    const named = (lines: number[]) =>
      new Map(lines.map((line, index) => [line, items[index]?.metadata as { name: string }]));
    const jsonObjects = named(itemLinesByJsoncParser(jsonText));
    const yamlObjects = named(yamlItemLines(yamlText));
    const located = (r: Report) => r.results.flatMap((result) => result.findings).filter((f) => f.location);
    expect(located(jsonReport).length).toBeGreaterThan(100);
    for (const [r, objects] of [
      [jsonReport, jsonObjects],
      [yamlReport, yamlObjects],
    ] as const) {
      for (const finding of located(r)) {
        expect(objects.get(finding.location?.line ?? 0)?.name, JSON.stringify(finding.location)).toBe(
          finding.resource.name,
        );
      }
    }
  }, 120_000);
});
