import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import type { Report } from '../../src/engine/report-model.ts';
import type { FormatContext } from '../../src/report/formats.ts';
import {
  buildSarifLog,
  defaultSarifCategory,
  FINGERPRINT_KEY,
  GITHUB_LIMITS,
  pascalCase,
  renderSarif,
  type SarifLimits,
  type SarifLog,
  type SarifResult,
  URGENT_PREFIX,
} from '../../src/report/sarif.ts';
import { verdictLine } from '../../src/report/verdict-line.ts';
import {
  demoReport,
  failing,
  HOSTILE,
  hostileReport,
  largeReport,
  makeFinding,
  REPO_ROOT,
  reportFrom,
  SCAN_TIME,
  scanDocuments,
  scanFiles,
} from './reports.ts';
import { multitoolIssues, schemaErrors, type ValidatorIssue } from './sarif-validation.ts';

const AT_ROOT: FormatContext = {
  rules: RULE_CATALOGUE,
  sarifRoot: REPO_ROOT,
  workingDirectory: process.cwd(),
};

interface Case {
  readonly report: Report;
  readonly context?: FormatContext;
  readonly limits?: SarifLimits;
}

function noFileReport(): Report {
  return reportFrom([
    failing(
      'namespace-injection-labels',
      [makeFinding('namespace-injection-labels', { kind: 'Namespace', name: 'legacy', severity: 'error' })],
      'error',
    ),
  ]);
}

/** A report whose second rule's finding is urgent (harm already live). */
function urgentReport(): Report {
  const live = makeFinding('namespace-injection-labels', {
    kind: 'Namespace',
    name: 'search',
    severity: 'error',
  });
  return reportFrom([
    failing('service-port-naming', [makeFinding('service-port-naming', { namespace: 'shop', name: 'cart' })]),
    failing('namespace-injection-labels', [{ ...live, urgent: true }], 'error'),
  ]);
}

function spacesAndHashReport(): Report {
  return reportFrom([
    failing('service-port-naming', [
      makeFinding('service-port-naming', {
        namespace: 'shop',
        name: 'cart',
        file: 'manifests/my team/app#v2 (copy).yaml',
        line: 12,
      }),
    ]),
  ]);
}

function suppressedReport(): Report {
  return reportFrom([
    failing('service-port-naming', [
      makeFinding('service-port-naming', {
        namespace: 'shop',
        name: 'cart',
        file: 'manifests/shop.yaml',
        line: 3,
        suppressed: {
          reason: 'TCP-only legacy service',
          owner: 'team-shop@example.com',
          expires: '2026-12-31',
          source: 'config',
        },
      }),
      makeFinding('service-port-naming', {
        namespace: 'shop',
        name: 'legacy',
        file: 'manifests/shop.yaml',
        line: 30,
        suppressed: { reason: 'annotated on the object', source: 'annotation' },
      }),
      {
        ...makeFinding('service-port-naming', {
          namespace: 'shop',
          name: 'web',
          file: 'manifests/shop.yaml',
          line: 60,
        }),
        baseline: 'new',
      },
    ]),
  ]);
}

/** Room for the run itself and a little more: not even one result per rule fits. */
function sizeLimits(report: Report): SarifLimits {
  const bare = buildSarifLog(
    { ...report, results: report.results.map((r) => ({ ...r, findings: [] })) },
    AT_ROOT,
  );
  return { ...GITHUB_LIMITS, maxGzippedBytes: gzipSync(JSON.stringify(bare)).length + 200 };
}
const FEW_RESULTS: SarifLimits = { ...GITHUB_LIMITS, maxResults: 2 };
let SIZE_LIMITS: SarifLimits = GITHUB_LIMITS;

function withoutFiles(report: Report): Report {
  return {
    ...report,
    results: report.results.map((r) => ({ ...r, findings: r.findings.map(({ location: _, ...f }) => f) })),
  };
}

const cases: Record<string, Case> = {};
const logs: Record<string, SarifLog> = {};
let issues: ValidatorIssue[] = [];

function uriOf(result: SarifResult | undefined): string {
  const location = result?.locations[0] as
    | { physicalLocation?: { artifactLocation?: { uri?: string } } }
    | undefined;
  return location?.physicalLocation?.artifactLocation?.uri ?? '';
}

function log(name: string): SarifLog {
  const found = logs[name];
  if (!found) throw new Error(`no SARIF log ${name}`);
  return found;
}

beforeAll(async () => {
  Object.assign(cases, {
    demo: { report: await demoReport(), context: { ...AT_ROOT, sarifCategory: 'meshready/shop-prod' } },
    noFile: { report: noFileReport() },
    spacesAndHash: { report: spacesAndHashReport() },
    emptyScan: { report: scanDocuments([]) },
    suppressed: { report: suppressedReport() },
    hostile: { report: hostileReport() },
    hostileNoFiles: { report: withoutFiles(hostileReport()) },
    outsideRoot: {
      report: spacesAndHashReport(),
      context: { rules: RULE_CATALOGUE, sarifRoot: '/nonexistent/root', workingDirectory: REPO_ROOT },
    },
    aggregated: { report: largeReport(10_000) },
    urgent: { report: urgentReport() },
  } satisfies Record<string, Case>);
  const dropped = largeReport(2_000);
  cases.dropped = { report: dropped, limits: FEW_RESULTS };
  SIZE_LIMITS = sizeLimits(dropped);
  cases.droppedBySize = { report: dropped, limits: SIZE_LIMITS };
  for (const [name, c] of Object.entries(cases)) {
    logs[name] = buildSarifLog(c.report, c.context ?? AT_ROOT, c.limits ?? GITHUB_LIMITS);
  }
  issues = await multitoolIssues(logs);
}, 120_000);

describe('SARIF validation', () => {
  const names = [
    'demo',
    'noFile',
    'spacesAndHash',
    'emptyScan',
    'suppressed',
    'hostile',
    'hostileNoFiles',
    'outsideRoot',
    'aggregated',
    'dropped',
    'droppedBySize',
    'urgent',
  ];

  // Nothing is exempted: the driver has its informationUri (SARIF2005), every run its id.
  it.each(names)('Sarif.Multitool with GH1001–GH1007 as errors reports no error or warning: %s', (name) => {
    expect(log(name).runs).toHaveLength(1);
    expect(issues.filter((issue) => issue.file === name)).toEqual([]);
  });

  it('the validator is live: it flags what GitHub rejects', async () => {
    const broken = structuredClone(log('spacesAndHash'));
    const result = broken.runs[0].results[0] as { locations: unknown[] };
    result.locations = Array.from({ length: 12 }, () => ({
      physicalLocation: { artifactLocation: { uri: 'file:///abs/x.yaml' } },
    }));
    const found = await multitoolIssues({ broken });
    const rules = new Set(found.filter((i) => i.level === 'error').map((i) => i.ruleId));
    expect(rules).toContain('GH1004'); // more than 10 locations
    expect(rules).toContain('GH1006'); // absolute file URI, no checkout path
    expect(rules).toContain('GH1003'); // no region
  });

  it.each(names)('matches the SARIF 2.1.0 JSON Schema: %s', async (name) => {
    expect(await schemaErrors(log(name))).toEqual([]);
  });

  it('the schema check is live: a wrong level fails it', async () => {
    const broken = structuredClone(log('noFile'));
    (broken.runs[0].results[0] as { level: string }).level = 'fatal';
    expect((await schemaErrors(broken)).length).toBeGreaterThan(0);
  });
});

describe('SARIF content', () => {
  it('has the 2.1.0 header and exactly one run', () => {
    const sarif = log('demo');
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0].tool.driver).toMatchObject({
      name: 'meshready',
      version: '0.1.0',
      semanticVersion: '0.1.0',
    });
    // Where the tool is documented: package.json#homepage, an absolute URI as SARIF wants.
    const homepage = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).homepage;
    expect(sarif.runs[0].tool.driver.informationUri).toBe(homepage);
    expect(new URL(homepage).protocol).toBe('https:');
  });

  it('states the verdict relative to the phases in the run properties', () => {
    const { report } = cases.demo as Case;
    expect(log('demo').runs[0].properties).toMatchObject({
      verdict: 'not-ready',
      verdictLine: verdictLine(report).text,
    });
    expect(String(log('demo').runs[0].properties.verdictLine)).toMatch(
      /^NOT READY: \d+ errors? blocks? phase /,
    );
    expect(log('emptyScan').runs[0].properties.verdictLine).toMatch(/^(UNKNOWN|READY|DONE)/);
  });

  it('lists urgent findings first, marked in the message and the properties', () => {
    const calm = makeFinding('service-port-naming', { namespace: 'shop', name: 'cart', severity: 'error' });
    const live = {
      ...makeFinding('namespace-injection-labels', {
        kind: 'Namespace',
        name: 'search',
        severity: 'warning',
      }),
      urgent: true as const,
    };
    const report = reportFrom([
      failing('service-port-naming', [calm], 'error'),
      failing('namespace-injection-labels', [live], 'warning'),
    ]);
    const run = buildSarifLog(report, AT_ROOT).runs[0];
    expect(run.results.map((r) => r.ruleId)).toEqual(['namespace-injection-labels', 'service-port-naming']);
    expect(run.results[0]?.message.text.startsWith(URGENT_PREFIX)).toBe(true);
    expect(run.results[0]?.properties).toMatchObject({ urgent: true });
    expect(run.results[1]?.message.text).not.toContain(URGENT_PREFIX);
    expect(run.results[1]?.properties).not.toHaveProperty('urgent');
    expect(run.properties.urgentFindings).toBe(1);
    // The fingerprint is the finding's, whatever the message says.
    expect(run.results[0]?.partialFingerprints[FINGERPRINT_KEY]).toBe(live.fingerprint);
  });

  it('describes every rule that ran, and only those, in the report order', () => {
    const { report } = cases.demo as Case;
    const rules = log('demo').runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(report.results.map((r) => r.ruleId));
    for (const [index, rule] of rules.entries()) {
      const result = report.results[index];
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(rule.name).toBe(pascalCase(rule.id as string));
      expect((rule.shortDescription as { text: string }).text.length).toBeGreaterThan(10);
      expect((rule.fullDescription as { text: string }).text.length).toBeGreaterThan(10);
      const help = rule.help as { text: string; markdown: string };
      expect(help.text).toContain('How to fix');
      expect(help.markdown).toContain('**How to fix.**');
      // No project site exists to link to: the rule's primary source, a real page, is its helpUri.
      expect(rule.helpUri).toBe(RULE_CATALOGUE.get(rule.id as string)?.docs.references[0]?.url);
      expect(rule.helpUri).toMatch(/^https:\/\//);
      expect(rule.defaultConfiguration).toEqual({
        level: result?.severity === 'info' ? 'note' : result?.severity,
      });
      const properties = rule.properties as Record<string, unknown>;
      expect(properties.tags).toEqual(expect.arrayContaining(['meshready', result?.phase]));
      expect(properties['problem.severity']).toBe(
        result?.severity === 'info' ? 'recommendation' : result?.severity,
      );
    }
    expect(pascalCase('v1alpha1-security-policy')).toBe('V1alpha1SecurityPolicy');
  });

  it('never carries security-severity: these are readiness findings', () => {
    for (const sarif of Object.values(logs)) expect(JSON.stringify(sarif)).not.toContain('security-severity');
  });

  it('gives each finding one result with its rule index, level, one location and its fingerprint', () => {
    const { report } = cases.demo as Case;
    const run = log('demo').runs[0];
    const findings = report.results.flatMap((r) => r.findings.map((f) => ({ ruleId: r.ruleId, finding: f })));
    expect(run.results).toHaveLength(findings.length);
    run.results.forEach((result, i) => {
      const { ruleId, finding } = findings[i] as (typeof findings)[number];
      expect(result.ruleId).toBe(ruleId);
      expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(ruleId);
      expect(result.level).toBe(finding.severity === 'info' ? 'note' : finding.severity);
      expect(result.locations).toHaveLength(1);
      expect(result.partialFingerprints).toEqual({ [FINGERPRINT_KEY]: finding.fingerprint });
      const firstSentence = result.message.text.split(/(?<=[.!?])\s/)[0];
      expect(firstSentence).toContain(finding.resource.name);
    });
  });

  it('points at the manifest file and line, relative to --sarif-root and without a scheme', () => {
    for (const result of log('demo').runs[0].results) {
      const physical = (
        result.locations[0] as {
          physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
        }
      ).physicalLocation;
      expect(physical.artifactLocation.uri).toMatch(
        /^fixtures\/demo\/addon-1\.4\/(kubectl|gcloud)\/[a-z-]+\.(yaml|json)$/,
      );
      expect(physical.region.startLine).toBeGreaterThanOrEqual(1);
    }
    const cart = log('demo').runs[0].results.find((r) => r.message.text.startsWith('Service shop/cart'));
    expect(cart?.locations[0]).toMatchObject({
      physicalLocation: { artifactLocation: { uri: 'fixtures/demo/addon-1.4/kubectl/services.yaml' } },
      logicalLocations: [
        { name: 'cart', fullyQualifiedName: 'shop-prod/shop/Service/cart', kind: 'resource' },
      ],
    });
  });

  it('rebases the URIs on another --sarif-root', () => {
    const report = (cases.demo as Case).report;
    const sarif = buildSarifLog(report, {
      rules: RULE_CATALOGUE,
      sarifRoot: path.join(REPO_ROOT, 'fixtures/demo'),
      workingDirectory: process.cwd(),
    });
    const uris = sarif.runs[0].results.map(uriOf);
    expect(uris.every((uri) => uri.startsWith('addon-1.4/'))).toBe(true);
  });

  it('uses a k8s/ pseudo-path with startLine 1 and a logical location when the object has no file', () => {
    const result = log('noFile').runs[0].results[0];
    expect(result?.locations[0]).toEqual({
      physicalLocation: {
        artifactLocation: { uri: 'k8s/demo/_cluster/Namespace/legacy.yaml' },
        region: { startLine: 1 },
      },
      logicalLocations: [
        { name: 'legacy', fullyQualifiedName: 'demo/_cluster/Namespace/legacy', kind: 'resource' },
      ],
    });
  });

  it('percent-encodes spaces and # in file paths', () => {
    const result = log('spacesAndHash').runs[0].results[0];
    expect(result?.locations[0]).toMatchObject({
      physicalLocation: {
        artifactLocation: { uri: 'manifests/my%20team/app%23v2%20(copy).yaml' },
        region: { startLine: 12 },
      },
    });
  });

  it('falls back to the pseudo-path for files outside --sarif-root, never an absolute path', () => {
    const result = log('outsideRoot').runs[0].results[0];
    expect(result?.locations[0]).toMatchObject({
      physicalLocation: {
        artifactLocation: { uri: 'k8s/demo/shop/Service/cart.yaml' },
        region: { startLine: 1 },
      },
    });
  });

  it('keeps hostile names inside their pseudo-path segment', () => {
    const uris = log('hostileNoFiles').runs[0].results.map(uriOf);
    for (const uri of uris) {
      expect(uri).not.toMatch(/^[a-z]+:|^\/|(^|\/)\.\.?(\/|$)|[<>"\s]/);
      expect(uri.split('/')[0]).toBe('k8s');
    }
    expect(uris).toContain(
      `k8s/${encodeURIComponent(HOSTILE.cluster)}/${encodeURIComponent(HOSTILE.namespace)}/Service/${encodeURIComponent(`${HOSTILE.service}.yaml`)}`,
    );
    const dots = buildSarifLog(
      reportFrom([
        failing('service-port-naming', [makeFinding('service-port-naming', { namespace: '..', name: '..' })]),
      ]),
      AT_ROOT,
    );
    expect(uriOf(dots.runs[0].results[0])).toBe('k8s/demo/%2E%2E/Service/...yaml');
  });

  it('writes an empty scan as a valid run with no results, naming the rules it could not evaluate', () => {
    const { report } = cases.emptyScan as Case;
    const run = log('emptyScan').runs[0];
    expect(run.results).toEqual([]);
    expect(run.tool.driver.rules).toHaveLength(report.results.length);
    const notes = run.invocations[0].toolExecutionNotifications ?? [];
    const unknownRules = report.results.filter((r) => r.status === 'unknown');
    expect(unknownRules.length).toBeGreaterThan(0);
    expect(notes).toHaveLength(unknownRules.length);
    expect(notes[0]).toMatchObject({ level: 'note', associatedRule: { id: unknownRules[0]?.ruleId } });
  });

  it('marks suppressed findings with SARIF suppressions and leaves open ones alone', () => {
    const [configured, annotated, open] = log('suppressed').runs[0].results;
    expect(configured?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'TCP-only legacy service',
        properties: { owner: 'team-shop@example.com', expires: '2026-12-31' },
      },
    ]);
    expect(annotated?.suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'annotated on the object', properties: {} },
    ]);
    expect(open?.suppressions).toBeUndefined();
  });

  it('carries the baseline comparison as SARIF baselineState', () => {
    expect(log('suppressed').runs[0].results.map((r) => r.baselineState)).toEqual([
      undefined,
      undefined,
      'new',
    ]);
  });

  it('sets automationDetails.id from --sarif-category, ending in / as upload-sarif does', () => {
    expect(log('demo').runs[0].automationDetails).toEqual({ id: 'meshready/shop-prod/' });
  });

  it('keeps clusters and targets apart by default: meshready/<cluster>/<target>/', () => {
    expect(log('noFile').runs[0].automationDetails).toEqual({ id: 'meshready/demo/istio-1.6/' });
    const asm = reportFrom([], { target: 'asm-1.7', cluster: { name: 'shop-eu' } });
    expect(buildSarifLog(asm, AT_ROOT).runs[0].automationDetails).toEqual({
      id: 'meshready/shop-eu/asm-1.7/',
    });
    // A context name (any text) keeps to the characters of a category, one segment.
    const context = reportFrom([], { cluster: { context: 'arn:aws:eks:eu/prod cluster' } });
    expect(defaultSarifCategory(context)).toBe('meshready/arn-aws-eks-eu-prod-cluster/istio-1.6');
  });

  it('gives two scans of the same objects the same fingerprints, whatever the time, file order or root', async () => {
    const first = log('demo');
    const files = [
      'fixtures/demo/addon-1.4/kubectl/services.yaml',
      'fixtures/demo/addon-1.4/gcloud',
      'fixtures/demo/addon-1.4/kubectl/workloads.json',
      'fixtures/demo/addon-1.4/kubectl/pods.json',
      'fixtures/demo/addon-1.4/kubectl/namespaces.yaml',
      'fixtures/demo/addon-1.4/kubectl/nodes.yaml',
      'fixtures/demo/addon-1.4/kubectl/istio.yaml',
      'fixtures/demo/addon-1.4/kubectl/istio-system-configmaps.yaml',
    ];
    const again = await scanFiles(files);
    expect(again.generatedAt).toBe(SCAN_TIME.toISOString().replace('.000', ''));
    const second = buildSarifLog(
      { ...again, generatedAt: '2027-01-01T00:00:00Z' },
      {
        rules: RULE_CATALOGUE,
        sarifRoot: path.join(REPO_ROOT, 'fixtures'),
        workingDirectory: process.cwd(),
      },
    );
    const fingerprints = (sarif: SarifLog) =>
      sarif.runs[0].results.map((r) => `${r.ruleId} ${r.partialFingerprints[FINGERPRINT_KEY]}`).sort();
    expect(fingerprints(second)).toEqual(fingerprints(first));
    expect(new Set(fingerprints(first)).size).toBe(first.runs[0].results.length);
  });

  it('renders the same log as JSON text', () => {
    const { report, context } = cases.demo as Case;
    expect(JSON.parse(renderSarif(report, context ?? AT_ROOT))).toEqual(log('demo'));
  });
});

describe('SARIF within GitHub limits', () => {
  it('aggregates 10,000 findings into at most 5,000 results and says so', () => {
    const run = log('aggregated').runs[0];
    expect(run.results.length).toBeLessThanOrEqual(GITHUB_LIMITS.maxResults);
    expect(run.results.length).toBeGreaterThan(3);
    expect(gzipSync(JSON.stringify(log('aggregated'))).length).toBeLessThanOrEqual(
      GITHUB_LIMITS.maxGzippedBytes,
    );
    const counted = run.results.reduce(
      (sum, r) => sum + ((r.properties as { findings?: number } | undefined)?.findings ?? 1),
      0,
    );
    expect(counted).toBe(10_000);
    for (const result of run.results) {
      expect(result.locations).toHaveLength(1);
      expect(((result.relatedLocations as unknown[] | undefined) ?? []).length).toBeLessThanOrEqual(10);
      expect(result.message.text).toMatch(
        /^\d+ findings of rule [a-z0-9-]+ \(.*\) (in namespace team-\d+|on cluster-scoped objects)\. For example: /,
      );
    }
    const notes = run.invocations[0].toolExecutionNotifications ?? [];
    expect(notes).toContainEqual(
      expect.objectContaining({
        level: 'note',
        message: { text: expect.stringContaining('10000 findings were aggregated') },
      }),
    );
  });

  it('keeps a result per namespace for the most severe namespaces and aggregates the rest per rule', () => {
    const limits: SarifLimits = { ...GITHUB_LIMITS, maxResults: 30 };
    const run = buildSarifLog(largeReport(2_000, 200), AT_ROOT, limits).runs[0];
    expect(run.results.length).toBeLessThanOrEqual(30);
    const by = (name: string) =>
      run.results.filter((r) => (r.properties as { aggregatedBy?: string }).aggregatedBy === name);
    const rest = by('other namespaces');
    const perNamespace = run.results.filter((r) => !rest.includes(r));
    expect(perNamespace.length).toBeGreaterThan(20);
    expect(rest.length).toBeGreaterThan(0);
    for (const r of rest) expect(r.message.text).toContain('in namespaces not listed in results');
    // The most severe namespace groups keep their own results.
    expect(perNamespace.every((r) => r.level === 'error')).toBe(true);
    const counted = run.results.reduce(
      (sum, r) => sum + ((r.properties as { findings?: number } | undefined)?.findings ?? 1),
      0,
    );
    expect(counted).toBe(2_000);
  });

  it('keeps aggregated fingerprints stable across scans', () => {
    const again = buildSarifLog(largeReport(10_000), AT_ROOT);
    expect(again.runs[0].results.map((r) => r.partialFingerprints)).toEqual(
      log('aggregated').runs[0].results.map((r) => r.partialFingerprints),
    );
  });

  function dropNotice(sarif: SarifLog): string | undefined {
    const notice = (sarif.runs[0].invocations[0].toolExecutionNotifications ?? []).find(
      (n) => (n as { level: string }).level === 'warning',
    ) as { message: { text: string } } | undefined;
    return notice?.message.text;
  }

  it('drops the least important results when even one per rule is too many, and says how many', () => {
    const run = log('dropped').runs[0];
    expect(run.results.map((r) => r.level)).toEqual(['error', 'warning']);
    expect(dropNotice(log('dropped'))).toMatch(/^1 of 3 results were dropped/);
  });

  it('drops results until the file fits the gzipped size limit', () => {
    const sarif = log('droppedBySize');
    expect(gzipSync(JSON.stringify(sarif)).length).toBeLessThanOrEqual(SIZE_LIMITS.maxGzippedBytes);
    expect(sarif.runs[0].results.length).toBeLessThan(3);
    expect(dropNotice(sarif)).toMatch(
      new RegExp(`^${3 - sarif.runs[0].results.length} of 3 results were dropped`),
    );
  });

  it('aggregates per object first when one object has several findings', () => {
    const findings = Array.from({ length: 30 }, (_, i) =>
      makeFinding('service-port-naming', {
        namespace: 'shop',
        name: `svc-${i % 3}`,
        key: `port-${i}`,
        file: 'a.yaml',
        line: i + 1,
      }),
    );
    const sarif = buildSarifLog(reportFrom([failing('service-port-naming', findings)]), AT_ROOT, {
      ...GITHUB_LIMITS,
      maxResults: 5,
    });
    expect(sarif.runs[0].results).toHaveLength(3);
    expect(sarif.runs[0].results[0]?.message.text).toMatch(
      /^Service shop\/svc-0: 10 findings of rule service-port-naming/,
    );
  });
});
