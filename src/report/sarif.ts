/**
 * SARIF 2.1.0 for GitHub code scanning (SPEC §10): one run, a rule descriptor for every rule that
 * ran, one result per finding with exactly one physical location and stable partialFingerprints.
 *
 * GitHub shows at most 5,000 results of a run and rejects files over 10 MB gzipped, so a huge
 * cluster's findings are aggregated (per object, then per namespace, then per rule) until they
 * fit; whatever still has to be dropped is named in the run's toolExecutionNotifications.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Finding, Report, RuleResult, Suppression } from '../engine/report-model.ts';
import { phaseText, type RuleMetadata } from '../engine/rule.ts';
import { type Severity, severityRank } from '../engine/vocabulary.ts';
import { TOOL_HOMEPAGE } from '../package-root.ts';
import { ruleDocsMarkdown } from './catalogue.ts';
import type { FormatContext } from './formats.ts';
import { describeResource, standaloneMessage, withPeriod } from './report-view.ts';
import type { RuleCatalogue } from './rule-docs.ts';
import { artifactPlace, type PlaceContext, qualifiedName } from './sarif-location.ts';
import { verdictLine } from './verdict-line.ts';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The partialFingerprints key; bump the version if the fingerprint's meaning ever changes. */
export const FINGERPRINT_KEY = 'meshready/v1';

export interface SarifLimits {
  /** Results per run GitHub displays (it accepts 25,000 but keeps only the top 5,000). */
  readonly maxResults: number;
  /** GitHub rejects uploads larger than this, gzipped. */
  readonly maxGzippedBytes: number;
  /** relatedLocations kept on an aggregated result. */
  readonly maxRelatedLocations: number;
}

export const GITHUB_LIMITS: SarifLimits = {
  maxResults: 5_000,
  maxGzippedBytes: 10 * 1000 * 1000,
  maxRelatedLocations: 10,
};

type Level = 'error' | 'warning' | 'note';
type Json = Record<string, unknown>;

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [SarifRun];
}
export interface SarifRun {
  tool: { driver: Json & { rules: Json[] } };
  automationDetails: { id: string };
  invocations: [{ executionSuccessful: boolean; endTimeUtc: string; toolExecutionNotifications?: Json[] }];
  results: SarifResult[];
  properties: Json;
}
export interface SarifResult extends Json {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  message: { text: string };
  locations: Json[];
  partialFingerprints: Record<string, string>;
  suppressions?: Json[];
}

export function sarifLevel(severity: Severity): Level {
  return severity === 'info' ? 'note' : severity;
}

/** GitHub's problem.severity vocabulary. */
function problemSeverity(severity: Severity): string {
  return severity === 'info' ? 'recommendation' : severity;
}

/** `service-port-naming` -> `ServicePortNaming`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');
}

function helpMarkdown(rule: RuleMetadata): string {
  return [`**${rule.title}** (phase \`${phaseText(rule)}\`)`, '', ...ruleDocsMarkdown(rule)].join('\n');
}

function helpText(rule: RuleMetadata): string {
  return [
    `${rule.title} (phase ${phaseText(rule)})`,
    '',
    rule.docs.summary,
    '',
    `What it checks: ${rule.docs.checks}`,
    '',
    `Why: ${rule.docs.why}`,
    '',
    `How to fix: ${rule.docs.fix}`,
    '',
    'References:',
    ...rule.docs.references.map((ref) => `- ${ref.title}: ${ref.url}`),
  ].join('\n');
}

function ruleDescriptor(result: RuleResult, rules: RuleCatalogue): Json {
  const rule = rules.get(result.ruleId);
  const level = sarifLevel(result.severity);
  const fallback = `${result.title}.`;
  return {
    id: result.ruleId,
    name: pascalCase(result.ruleId),
    shortDescription: { text: rule?.docs.summary ?? fallback },
    fullDescription: { text: rule?.docs.checks ?? fallback },
    help: rule
      ? { text: helpText(rule), markdown: helpMarkdown(rule) }
      : { text: fallback, markdown: fallback },
    // SARIF wants an absolute URI; meshready has no site of its own, so the rule's primary source
    // (the upgrade guide or the Istio page it is built from), which exists, is the documentation.
    ...(rule?.docs.references[0] ? { helpUri: rule.docs.references[0].url } : {}),
    defaultConfiguration: { level },
    properties: {
      tags: ['meshready', 'istio-migration', result.phase],
      'problem.severity': problemSeverity(result.severity),
      precision: 'high',
    },
  };
}

interface Entry {
  readonly result: RuleResult;
  readonly ruleIndex: number;
  readonly finding: Finding;
}

function suppressionKey(suppression: Suppression | undefined): string {
  return suppression ? JSON.stringify(suppression) : '';
}

/** How findings are grouped into results, from none to one result per rule and severity. */
interface Grouping {
  readonly name: 'finding' | 'object' | 'namespace' | 'rule' | 'other namespaces';
  readonly key: (entry: Entry) => string;
}

const GROUPINGS: readonly Grouping[] = [
  { name: 'finding', key: (e) => `${e.result.ruleId}\u0000${e.finding.fingerprint}` },
  {
    name: 'object',
    key: (e) =>
      [
        e.result.ruleId,
        e.finding.severity,
        suppressionKey(e.finding.suppressed),
        e.finding.resource.apiVersion,
        e.finding.resource.kind,
        e.finding.resource.namespace ?? '',
        e.finding.resource.name,
      ].join('\u0000'),
  },
  {
    name: 'namespace',
    key: (e) =>
      [
        e.result.ruleId,
        e.finding.severity,
        suppressionKey(e.finding.suppressed),
        e.finding.resource.namespace ?? '',
      ].join('\u0000'),
  },
  {
    name: 'rule',
    key: (e) => [e.result.ruleId, e.finding.severity, suppressionKey(e.finding.suppressed)].join('\u0000'),
  },
];

const RULE_GROUPING = GROUPINGS.find((g) => g.name === 'rule') as Grouping;
/** The findings left over when the namespaces with most findings get a result each. */
const OTHER_NAMESPACES: Grouping = { name: 'other namespaces', key: RULE_GROUPING.key };

interface Group {
  readonly grouping: Grouping;
  readonly key: string;
  readonly entries: Entry[];
}

function severityOf(group: Group): number {
  return severityRank((group.entries[0] as Entry).finding.severity);
}

/**
 * More namespace groups than results allowed: the most severe and largest namespace groups keep a
 * result each, and what is left is aggregated per rule, so a cluster with thousands of namespaces
 * still shows where its findings are instead of one result per rule.
 */
function namespacesWithRemainder(groups: readonly Group[], maxResults: number): Group[] {
  const ruleKeys = new Set(groups.flatMap((group) => group.entries.map(RULE_GROUPING.key)));
  const kept = Math.max(0, maxResults - ruleKeys.size);
  const ordered = [...groups].sort(
    (a, b) =>
      severityOf(b) - severityOf(a) || b.entries.length - a.entries.length || a.key.localeCompare(b.key),
  );
  const rest = [
    ...groupEntries(
      ordered.slice(kept).flatMap((group) => group.entries),
      OTHER_NAMESPACES,
    ),
  ];
  return [
    ...ordered.slice(0, kept),
    ...rest.map(([key, entries]) => ({ grouping: OTHER_NAMESPACES, key, entries })),
  ];
}

function groupEntries(entries: readonly Entry[], grouping: Grouping): Map<string, Entry[]> {
  return Map.groupBy(entries, grouping.key);
}

function sarifSuppressions(suppressed: Suppression): Json[] {
  return [
    {
      kind: suppressed.source === 'annotation' ? 'inSource' : 'external',
      status: 'accepted',
      justification: suppressed.reason,
      properties: {
        ...(suppressed.owner ? { owner: suppressed.owner } : {}),
        ...(suppressed.expires ? { expires: suppressed.expires } : {}),
      },
    },
  ];
}

function location(finding: Finding, places: PlaceContext): Json {
  const place = artifactPlace(finding, places);
  return {
    physicalLocation: {
      artifactLocation: { uri: place.uri },
      region: { startLine: place.startLine },
    },
    logicalLocations: [
      {
        name: finding.resource.name,
        fullyQualifiedName: qualifiedName(places.clusterName, finding.resource),
        kind: 'resource',
      },
    ],
  };
}

const MAX_AGGREGATED_MESSAGE = 2_000;
/** Marks an urgent finding where code scanning shows it (the alert's title is the message's first line). */
export const URGENT_PREFIX = 'Urgent, harm already live: ';

function aggregatedMessage(grouping: Grouping['name'], group: readonly Entry[]): string {
  const first = group[0] as Entry;
  const { resource } = first.finding;
  const rule = `rule ${first.result.ruleId} (${first.result.title})`;
  const count = `${group.length} findings of ${rule}`;
  const lead =
    grouping === 'object'
      ? `${describeResource(resource)}: ${count}.`
      : grouping === 'namespace'
        ? resource.namespace
          ? `${count} in namespace ${resource.namespace}.`
          : `${count} on cluster-scoped objects.`
        : grouping === 'other namespaces'
          ? `${count} in namespaces not listed in results of their own.`
          : `${count} across the cluster.`;
  const example = ` For example: ${standaloneMessage(first.finding)}`;
  const text = `${lead}${example}`;
  return text.length > MAX_AGGREGATED_MESSAGE ? `${text.slice(0, MAX_AGGREGATED_MESSAGE - 1)}…` : text;
}

function aggregateFingerprint(grouping: Grouping['name'], key: string): string {
  return createHash('sha256').update(`${grouping}\u0000${key}`).digest('hex').slice(0, 32);
}

function sarifResult(
  grouping: Grouping,
  key: string,
  group: readonly Entry[],
  places: PlaceContext,
  limits: SarifLimits,
): SarifResult {
  const first = group[0] as Entry;
  const { finding } = first;
  const single = group.length === 1;
  const result: SarifResult = {
    ruleId: first.result.ruleId,
    ruleIndex: first.ruleIndex,
    level: sarifLevel(finding.severity),
    message: {
      text: single
        ? `${finding.urgent ? URGENT_PREFIX : ''}${standaloneMessage(finding)}`
        : aggregatedMessage(grouping.name, group),
    },
    locations: [location(finding, places)],
    partialFingerprints: {
      [FINGERPRINT_KEY]: single ? finding.fingerprint : aggregateFingerprint(grouping.name, key),
    },
  };
  if (!single) {
    result.relatedLocations = group.slice(1, limits.maxRelatedLocations + 1).map((entry, index) => ({
      id: index + 1,
      ...location(entry.finding, places),
      message: { text: describeResource(entry.finding.resource) },
    }));
  }
  if (finding.suppressed) result.suppressions = sarifSuppressions(finding.suppressed);
  if (single && finding.baseline) result.baselineState = finding.baseline;
  result.properties = single
    ? {
        phase: first.result.phase,
        ...(finding.urgent ? { urgent: true } : {}),
        resource: finding.resource,
        ...(finding.remediation ? { remediation: finding.remediation.commands } : {}),
      }
    : { phase: first.result.phase, aggregatedBy: grouping.name, findings: group.length };
  return result;
}

/** Which results to drop first when even one result per rule is too big: suppressed, then least severe. */
function dropPriority(result: SarifResult): number {
  const severity = result.level === 'error' ? 3 : result.level === 'warning' ? 2 : 1;
  return result.suppressions ? severity : severity + 10;
}

/**
 * Whether the log, gzipped, is at most `limit` bytes. A log whose plain text is already well under
 * the limit is not gzipped (gzip adds at most about 0.1% and a small header to text): at 150,000
 * pods the gzip took a quarter of the SARIF's time.
 */
function fitsGzipped(log: SarifLog, limit: number): boolean {
  const text = JSON.stringify(log);
  if (Buffer.byteLength(text) * 1.001 + 1024 <= limit) return true;
  return gzipSync(text).length <= limit;
}

function notification(level: Level, text: string, extra: Json = {}): Json {
  return { level, message: { text }, ...extra };
}

function clusterNameOf(report: Report): string {
  return report.cluster.name ?? report.cluster.context ?? 'cluster';
}

/**
 * The run's category when --sarif-category is not given: `meshready/<cluster>/<target>`, so that
 * uploads of different clusters and targets to one repository do not replace each other. A
 * context name may hold any character; the category keeps to letters, digits, `.`, `_` and `-`.
 */
export function defaultSarifCategory(report: Report): string {
  const cluster = clusterNameOf(report).replace(/[^A-Za-z0-9._-]+/g, '-');
  return `meshready/${cluster}/${report.target}`;
}

/**
 * automationDetails.id of a category. GitHub reads the part of the id before its last slash as
 * the category, so the id ends with one, as github/codeql-action's upload step writes it
 * (src/upload-lib.ts getAutomationID); that step keeps an id the file already has and ignores
 * its own `category` input then (populateRunAutomationDetails).
 */
export function automationId(category: string): string {
  return category.endsWith('/') ? category : `${category}/`;
}

/** Urgent findings (harm already live) come first in the results, whatever their rule. */
function urgentFirst(entries: readonly Entry[]): Entry[] {
  return [...entries.filter((e) => e.finding.urgent), ...entries.filter((e) => !e.finding.urgent)];
}

export function buildSarifLog(
  report: Report,
  context: FormatContext,
  limits: SarifLimits = GITHUB_LIMITS,
): SarifLog {
  const places: PlaceContext = {
    sarifRoot: context.sarifRoot,
    workingDirectory: context.workingDirectory ?? context.sarifRoot,
    clusterName: clusterNameOf(report),
  };
  const entries: Entry[] = urgentFirst(
    report.results.flatMap((result, ruleIndex) =>
      result.findings.map((finding) => ({ result, ruleIndex, finding })),
    ),
  );
  const notifications: Json[] = report.results.flatMap((result, ruleIndex) =>
    result.status === 'unknown'
      ? [
          notification(
            'note',
            `Rule ${result.ruleId} could not be evaluated: ${withPeriod(result.reason ?? '')}`,
            {
              associatedRule: { id: result.ruleId, index: ruleIndex },
            },
          ),
        ]
      : [],
  );

  const log: SarifLog = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meshready',
            informationUri: TOOL_HOMEPAGE,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: report.results.map((result) => ruleDescriptor(result, context.rules)),
          },
        },
        automationDetails: { id: automationId(context.sarifCategory ?? defaultSarifCategory(report)) },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        results: [],
        properties: {
          target: report.target,
          verdict: report.verdict,
          // What the verdict is about, relative to the phases (SPEC §1).
          verdictLine: verdictLine(report).text,
          urgentFindings: entries.filter((e) => e.finding.urgent && !e.finding.suppressed).length,
          ...(report.currentPhase ? { currentPhase: report.currentPhase } : {}),
          ...(report.nextStep ? { nextStep: report.nextStep } : {}),
        },
      },
    ],
  };
  const run = log.runs[0];

  for (const [index, grouping] of GROUPINGS.entries()) {
    let groups: Group[] = [...groupEntries(entries, grouping)].map(([key, group]) => ({
      grouping,
      key,
      entries: group,
    }));
    const last = index === GROUPINGS.length - 1;
    if (groups.length > limits.maxResults && grouping.name === 'namespace') {
      groups = namespacesWithRemainder(groups, limits.maxResults);
    } else if (groups.length > limits.maxResults && !last) continue;
    const results = groups.map((group) =>
      sarifResult(group.grouping, group.key, group.entries, places, limits),
    );
    run.results = results;
    const aggregated =
      grouping.name === 'finding'
        ? []
        : [
            notification(
              'note',
              `${entries.length} findings were aggregated into ${results.length} results (one per ${grouping.name}${groups.some((g) => g.grouping === OTHER_NAMESPACES) ? ', the rest per rule' : ''}) to stay within GitHub code scanning's limits (${limits.maxResults} results per run, ${limits.maxGzippedBytes} bytes gzipped). The HTML and JSON reports list every finding.`,
            ),
          ];
    run.invocations[0].toolExecutionNotifications = [...notifications, ...aggregated];
    if (results.length <= limits.maxResults && fitsGzipped(log, limits.maxGzippedBytes)) return log;
    if (last) break;
  }
  dropLeastImportant(log, limits);
  return log;
}

/** Even one result per rule and severity is too much: keep the most important results that fit. */
function dropLeastImportant(log: SarifLog, limits: SarifLimits): void {
  const run = log.runs[0];
  const total = run.results.length;
  const ranked = run.results
    .map((result, order) => ({ result, order }))
    .sort((a, b) => dropPriority(b.result) - dropPriority(a.result) || a.order - b.order);
  const notice = notification('warning', '');
  run.invocations[0].toolExecutionNotifications = [
    ...(run.invocations[0].toolExecutionNotifications ?? []),
    notice,
  ];
  let keep = Math.min(total, limits.maxResults);
  for (;;) {
    run.results = ranked
      .slice(0, keep)
      .sort((a, b) => a.order - b.order)
      .map((entry) => entry.result);
    notice.message = {
      text: `${total - keep} of ${total} results were dropped to stay within GitHub code scanning's limits (${limits.maxResults} results per run, ${limits.maxGzippedBytes} bytes gzipped); suppressed and less severe results went first. The HTML and JSON reports list every finding.`,
    };
    if (keep === 0 || fitsGzipped(log, limits.maxGzippedBytes)) return;
    keep = Math.floor(keep * 0.9);
  }
}

export function renderSarif(report: Report, context: FormatContext): string {
  return `${JSON.stringify(buildSarifLog(report, context), null, 2)}\n`;
}
