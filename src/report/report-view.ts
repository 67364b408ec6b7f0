/**
 * The report as the HTML and Markdown templates see it: labels, groupings and counts worked out
 * once, so templates only lay things out. Every string here may come from the cluster; the
 * templates escape it (Handlebars' HTML escaping, the Markdown helpers).
 */
import type {
  Finding,
  PhaseStatus,
  Report,
  RuleResult,
  Suppression,
  Verdict,
} from '../engine/report-model.ts';
import {
  type Phase,
  type ResourceRef,
  type Severity,
  type Status,
  severityRank,
} from '../engine/vocabulary.ts';
import type { RuleCatalogue } from './rule-docs.ts';
import { type VerdictLine, verdictLine } from './verdict-line.ts';

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  'cluster-upgrade': 'Upgrade the GKE cluster',
  prepare: 'Prepare the cluster',
  'migrate-namespaces': 'Move namespaces to 1.6',
  'migrate-gateway': 'Move the ingress gateway',
  'retire-old-control-plane': 'Retire the 1.4 control plane',
  'asm-install': 'Install Anthos Service Mesh',
  'asm-migrate-namespaces': 'Move namespaces to Anthos Service Mesh',
  'asm-cleanup': "Retire the operator's control plane",
};

const PHASE_STATUS_LABELS: Readonly<Record<PhaseStatus, string>> = {
  done: 'done',
  todo: 'to do',
  blocked: 'blocked by an earlier phase',
  unknown: 'unknown',
};

const STATUS_LABELS: Readonly<Record<Status, string>> = {
  pass: 'pass',
  fail: 'fail',
  'not-applicable': 'not applicable',
  unknown: 'unknown',
};

const VERDICT_LABELS: Readonly<Record<Verdict, { label: string; explanation: string }>> = {
  ready: { label: 'Ready', explanation: 'No open error-level finding.' },
  'not-ready': { label: 'Not ready', explanation: 'Open error-level findings block the migration.' },
  unknown: {
    label: 'Unknown',
    explanation: 'No open error-level finding, but an error-level rule could not be evaluated.',
  },
};

/** Up to this many open findings, every rule group of the HTML report starts expanded. */
const EXPANDED_FINDINGS_LIMIT = 200;

/**
 * The open findings of a rule that the HTML report puts in its DOM up front. The rest are written
 * inside `<noscript>` elements: read as markup with JavaScript off, kept as unparsed text (and
 * parsed on demand) with it on, so a report with 30,000 findings opens as fast as one with 300.
 */
export const SHOWN_FINDINGS_PER_RULE = 100;

/**
 * Namespace groups with no finding shown up front go into blocks of at least this many findings:
 * one `<noscript>` each, a "show more" step, so a rule over 5,000 namespaces adds some hundred
 * elements to the page rather than 5,000.
 */
export const DEFERRED_BLOCK_FINDINGS = 100;

/** The rows of the HTML report's namespace table in its DOM up front; the rest wait likewise. */
export const SHOWN_NAMESPACE_ROWS = 100;

/** Shown instead of a namespace for cluster-scoped objects and GKE resources. */
export const CLUSTER_SCOPE_LABEL = '(cluster-scoped)';

export interface FindingView {
  /** Unique DOM id. */
  readonly id: string;
  readonly ruleId: string;
  readonly ruleTitle: string;
  readonly severity: Severity;
  readonly message: string;
  /** The message, led by the object's name when the message does not name it. */
  readonly headline: string;
  readonly resource: string;
  readonly namespace: string;
  readonly location?: string | undefined;
  readonly commands: readonly string[];
  readonly commandsText: string;
  readonly fingerprint: string;
  readonly baseline?: string | undefined;
  readonly suppressed?: Suppression | undefined;
  /** Its harm is already live (SPEC §3): listed first and marked. */
  readonly urgent: boolean;
  /** The phase it belongs to. */
  readonly phase?: Phase | undefined;
  /** The anchor of its rule group in the HTML report (open findings only). */
  readonly ruleAnchor?: string | undefined;
  /** Lower-cased text the search filter matches. */
  readonly searchText: string;
  /** A v1alpha1 policy and the v1beta1 objects meshready wrote for it, shown side by side. */
  readonly conversion?: ConversionView | undefined;
}

export interface ConversionView {
  readonly before: string;
  readonly after: string;
  readonly file?: string | undefined;
  readonly notConverted?: string | undefined;
}

/** The pair a v1alpha1-security-policy finding carries in its fix parameters, if any. */
function conversionView(finding: Finding): ConversionView | undefined {
  const params = finding.fix?.action === 'migrate-v1alpha1-policy' ? finding.fix.params : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const before = text(params?.sourceYaml);
  if (before === undefined) return undefined;
  return {
    before,
    after: text(params?.convertedYaml) ?? '',
    file: text(params?.convertedFile),
    notConverted: text(params?.notConverted),
  };
}

export interface NamespaceGroupView {
  readonly namespace: string;
  readonly anchor: string;
  readonly findings: readonly FindingView[];
  /** The first findings, within the rule's SHOWN_FINDINGS_PER_RULE: in the HTML page's DOM up front. */
  readonly shown: readonly FindingView[];
  /** The rest: in the HTML page, markup that a script parses on demand (see SHOWN_FINDINGS_PER_RULE). */
  readonly deferred: readonly FindingView[];
  /** The list position of the first deferred finding (its `<ol start>`). */
  readonly deferredStart: number;
  /** The severities of the deferred findings, highest first (the script filters on them unparsed). */
  readonly deferredSeverities: readonly Severity[];
}

export interface RuleGroupView {
  readonly ruleId: string;
  readonly title: string;
  readonly phase: Phase;
  readonly severity: Severity;
  readonly status: Status;
  readonly anchor: string;
  /** The rule's documentation section in this report; absent for a rule this version does not know. */
  readonly helpUri?: string | undefined;
  readonly summary?: string | undefined;
  readonly fix?: string | undefined;
  readonly findingCount: number;
  /** The highest severity of its open findings (the badge). */
  readonly badgeSeverity: Severity;
  readonly severities: readonly Severity[];
  readonly namespaces: readonly NamespaceGroupView[];
  /** The namespace groups with findings shown up front… */
  readonly shownNamespaces: readonly NamespaceGroupView[];
  /** …and those whose findings are all deferred, in blocks of DEFERRED_BLOCK_FINDINGS or more. */
  readonly deferredBlocks: readonly DeferredBlockView[];
  /** How many of the rule's open findings are deferred. */
  readonly deferredCount: number;
}

/** Consecutive namespace groups of a rule whose findings are all deferred. */
export interface DeferredBlockView {
  readonly namespaces: readonly NamespaceGroupView[];
  readonly findingCount: number;
  /** Highest first. */
  readonly severities: readonly Severity[];
}

function deferredBlocks(groups: readonly NamespaceGroupView[]): DeferredBlockView[] {
  const blocks: DeferredBlockView[] = [];
  let current: NamespaceGroupView[] = [];
  let count = 0;
  const close = () => {
    if (current.length === 0) return;
    blocks.push({
      namespaces: current,
      findingCount: count,
      severities: severitiesOf(current.flatMap((group) => group.deferred)),
    });
    current = [];
    count = 0;
  };
  for (const group of groups) {
    current.push(group);
    count += group.deferred.length;
    if (count >= DEFERRED_BLOCK_FINDINGS) close();
  }
  close();
  return blocks;
}

export interface RuleRowView {
  readonly ruleId: string;
  readonly title: string;
  readonly phase: Phase;
  readonly severity: Severity;
  readonly status: Status;
  readonly statusLabel: string;
  /**
   * The status shown: `fail` only for an open finding at warning or above, or of a rule whose
   * findings are steps; `note` for a rule with only open info findings; `suppressed` when every
   * finding is suppressed. The JSON status (and the filters) keep `status`.
   */
  readonly shownStatus: string;
  /** The badge: the highest open severity of a failing rule, else the rule's default severity… */
  readonly badgeSeverity: Severity;
  /** …shown muted, when the rule has no open finding (a default, not a problem). */
  readonly severityMuted: boolean;
  readonly reason?: string | undefined;
  readonly open: number;
  readonly suppressed: number;
  /** The rule's documentation section in this report; absent for a rule this version does not know. */
  readonly helpUri?: string | undefined;
  /** The anchor of its findings, when it has open ones. */
  readonly findingsAnchor?: string | undefined;
}

/** A rule's documentation inside the report, so its links need nothing outside the file. */
export interface RuleDocView {
  readonly ruleId: string;
  readonly title: string;
  readonly anchor: string;
  readonly summary: string;
  readonly checks: string;
  readonly why: string;
  readonly fix: string;
  readonly references: readonly { readonly title: string; readonly url: string }[];
}

export interface PhaseView {
  readonly id: Phase;
  readonly label: string;
  readonly status: PhaseStatus;
  readonly statusLabel: string;
  readonly current: boolean;
  readonly position: number;
  readonly open: number;
  readonly rules: readonly string[];
}

export interface NamespaceRowView {
  readonly namespace: string;
  readonly error: number;
  readonly warning: number;
  readonly info: number;
  readonly total: number;
  readonly rules: readonly { readonly ruleId: string; readonly anchor: string; readonly findings: number }[];
}

export interface ReportView {
  readonly report: Report;
  readonly clusterLabel: string;
  readonly verdictLabel: string;
  readonly verdictExplanation: string;
  /** The verdict relative to the phases: `READY for phase prepare (4 phases to go)`. */
  readonly verdictLine: VerdictLine;
  /** Open findings whose harm is already live, most severe first: every report lists them first. */
  readonly urgentFindings: readonly FindingView[];
  readonly phases: readonly PhaseView[];
  readonly currentPhase?: PhaseView | undefined;
  readonly rules: readonly RuleRowView[];
  readonly ruleDocs: readonly RuleDocView[];
  readonly ruleGroups: readonly RuleGroupView[];
  readonly namespaceRows: readonly NamespaceRowView[];
  /** The first SHOWN_NAMESPACE_ROWS namespace rows, and the rest. */
  readonly shownNamespaceRows: readonly NamespaceRowView[];
  readonly deferredNamespaceRows: readonly NamespaceRowView[];
  readonly namespaces: readonly string[];
  readonly suppressed: readonly FindingView[];
  readonly unknownRules: readonly RuleRowView[];
  readonly notApplicableRules: readonly RuleRowView[];
  readonly openFindings: number;
  readonly totalFindings: number;
  /** With --baseline: open findings the baseline did not have, and the baseline's findings now gone. */
  readonly baseline?: { readonly newFindings: number; readonly resolved: readonly FindingView[] } | undefined;
  /** Whether rule groups start expanded: only when there are few findings. */
  readonly expandGroups: boolean;
}

export function describeResource(resource: ResourceRef): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
}

export function withPeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** White space other than single spaces. */
const UNEVEN_SPACE = /\s\s|[^\S ]/;
const SENTENCE_END = /[.!?]\s/;

/**
 * The finding's message with a first sentence that stands on its own (GitHub lists alerts by
 * it): when the rule's first sentence does not name the object, the object is put in front.
 */
export function standaloneMessage(finding: Finding): string {
  let text = finding.message.trim();
  // Runs of white space become one space; most messages have none (a quarter of the cost at scale).
  if (UNEVEN_SPACE.test(text)) text = text.replace(/\s+/g, ' ');
  // The first sentence ends at the first `.`, `!` or `?` followed by a space.
  const end = text.search(SENTENCE_END);
  const firstSentence = end < 0 ? text : text.slice(0, end + 1);
  const named = firstSentence.includes(finding.resource.name);
  return withPeriod(named ? text : `${describeResource(finding.resource)}: ${text}`);
}

/** An id/anchor fragment from arbitrary text: safe characters only, and unique via the index. */
function anchorPart(text: string): string {
  return text.replace(/[^A-Za-z0-9-]+/g, '_').slice(0, 60);
}

export function clusterLabel(report: Report): string {
  return report.cluster.name ?? report.cluster.context ?? 'unnamed cluster';
}

function findingView(
  result: Pick<RuleResult, 'ruleId' | 'title'> & { phase?: Phase; anchor?: string },
  finding: Finding,
  id: string,
): FindingView {
  const resource = describeResource(finding.resource);
  const namespace = finding.resource.namespace ?? CLUSTER_SCOPE_LABEL;
  const commands = finding.remediation?.commands ?? [];
  const location = finding.location ? `${finding.location.file}:${finding.location.line}` : undefined;
  return {
    id,
    ruleId: result.ruleId,
    ruleTitle: result.title,
    severity: finding.severity,
    message: finding.message,
    headline: standaloneMessage(finding),
    resource,
    namespace,
    location,
    commands,
    commandsText: commands.join('\n'),
    fingerprint: finding.fingerprint,
    baseline: finding.baseline,
    suppressed: finding.suppressed,
    urgent: finding.urgent === true,
    phase: finding.phase ?? result.phase,
    ruleAnchor: result.anchor,
    searchText: [result.ruleId, result.title, resource, finding.message, location ?? '']
      .join(' ')
      .toLowerCase(),
    conversion: conversionView(finding),
  };
}

function severitiesOf(findings: readonly { severity: Severity }[]): Severity[] {
  return [...new Set(findings.map((f) => f.severity))].sort((a, b) => severityRank(b) - severityRank(a));
}

/** The rule's findings by namespace, the first `shownLimit` of them (in this order) shown up front. */
function groupByNamespace(
  ruleAnchor: string,
  findings: readonly FindingView[],
  shownLimit: number,
): NamespaceGroupView[] {
  let budget = shownLimit;
  return [...Map.groupBy(findings, (finding) => finding.namespace)].map(([namespace, inNamespace], index) => {
    const shownHere = Math.min(budget, inNamespace.length);
    budget -= shownHere;
    const deferred = inNamespace.slice(shownHere);
    return {
      namespace,
      anchor: `${ruleAnchor}--ns${index}-${anchorPart(namespace)}`,
      findings: inNamespace,
      shown: inNamespace.slice(0, shownHere),
      deferred,
      deferredStart: shownHere + 1,
      deferredSeverities: severitiesOf(deferred),
    };
  });
}

/** The id of a rule's documentation section in the HTML report. */
export function ruleDocAnchor(ruleId: string): string {
  return `doc-${anchorPart(ruleId)}`;
}

function ruleHelpAnchor(ruleId: string, rules: RuleCatalogue): string | undefined {
  return rules.has(ruleId) ? `#${ruleDocAnchor(ruleId)}` : undefined;
}

function ruleDocView(result: RuleResult, rules: RuleCatalogue): RuleDocView | undefined {
  const rule = rules.get(result.ruleId);
  if (!rule) return undefined;
  return { ruleId: rule.id, title: rule.title, anchor: ruleDocAnchor(rule.id), ...rule.docs };
}

/** The highest severity among findings, or undefined when there are none. */
export function highestSeverity(findings: readonly { severity: Severity }[]): Severity | undefined {
  const ranked = findings.map((f) => f.severity).sort((a, b) => severityRank(b) - severityRank(a));
  return ranked[0];
}

function shownStatusOf(
  result: RuleResult,
  rules: RuleCatalogue,
): { shownStatus: string; statusLabel: string } {
  if (result.status !== 'fail')
    return { shownStatus: result.status, statusLabel: STATUS_LABELS[result.status] };
  const open = result.findings.filter((f) => !f.suppressed);
  if (open.length === 0) return { shownStatus: 'suppressed', statusLabel: 'suppressed' };
  const isStep = rules.get(result.ruleId)?.isStep === true;
  if (!isStep && open.every((f) => f.severity === 'info'))
    return { shownStatus: 'note', statusLabel: 'note' };
  return { shownStatus: 'fail', statusLabel: STATUS_LABELS.fail };
}

function ruleRow(
  result: RuleResult,
  findingsAnchor: string | undefined,
  catalogue: RuleCatalogue,
): RuleRowView {
  const openSeverity = highestSeverity(result.findings.filter((f) => !f.suppressed));
  return {
    ruleId: result.ruleId,
    title: result.title,
    phase: result.phase,
    severity: result.severity,
    status: result.status,
    ...shownStatusOf(result, catalogue),
    badgeSeverity: openSeverity ?? result.severity,
    severityMuted: openSeverity === undefined,
    reason: result.reason,
    open: result.findings.filter((f) => !f.suppressed).length,
    suppressed: result.findings.filter((f) => f.suppressed).length,
    helpUri: ruleHelpAnchor(result.ruleId, catalogue),
    findingsAnchor,
  };
}

/**
 * Views already built, per report and catalogue: the HTML and the Markdown read the same view,
 * which takes about half a second to build at 150,000 pods. A report is not changed once it is
 * rendered.
 */
const VIEWS = new WeakMap<Report, { readonly catalogue: RuleCatalogue; readonly view: ReportView }>();

/** The view of `report`; `catalogue` is the rules' metadata (titles, docs) by id. */
export function buildReportView(report: Report, catalogue: RuleCatalogue): ReportView {
  const built = VIEWS.get(report);
  if (built?.catalogue === catalogue) return built.view;
  const view = buildView(report, catalogue);
  VIEWS.set(report, { catalogue, view });
  return view;
}

function buildView(report: Report, catalogue: RuleCatalogue): ReportView {
  const ruleGroups: RuleGroupView[] = [];
  const rules: RuleRowView[] = [];
  const suppressed: FindingView[] = [];
  const urgentFindings: FindingView[] = [];
  const namespaceRows = new Map<string, NamespaceRowView & { rules: NamespaceRowView['rules'][number][] }>();
  let openFindings = 0;
  let totalFindings = 0;

  report.results.forEach((result, ruleIndex) => {
    const anchor = `rule-${anchorPart(result.ruleId)}-${ruleIndex}`;
    const views = result.findings.map((finding, i) =>
      findingView({ ...result, anchor }, finding, `f-${ruleIndex}-${i}`),
    );
    totalFindings += views.length;
    const open = views.filter((v) => !v.suppressed);
    suppressed.push(...views.filter((v) => v.suppressed));
    openFindings += open.length;
    rules.push(ruleRow(result, open.length > 0 ? anchor : undefined, catalogue));
    if (open.length === 0) return;
    const rule = catalogue.get(result.ruleId);
    // Urgent findings first within the rule too (stable: catalogue order otherwise).
    const ordered = [...open.filter((f) => f.urgent), ...open.filter((f) => !f.urgent)];
    urgentFindings.push(...open.filter((f) => f.urgent));
    const namespaces = groupByNamespace(anchor, ordered, SHOWN_FINDINGS_PER_RULE);
    ruleGroups.push({
      ruleId: result.ruleId,
      title: result.title,
      phase: result.phase,
      severity: result.severity,
      status: result.status,
      anchor,
      helpUri: ruleHelpAnchor(result.ruleId, catalogue),
      summary: rule?.docs.summary,
      fix: rule?.docs.fix,
      findingCount: open.length,
      badgeSeverity: highestSeverity(open) ?? result.severity,
      severities: [...new Set(open.map((f) => f.severity))],
      namespaces,
      shownNamespaces: namespaces.filter((group) => group.shown.length > 0),
      deferredBlocks: deferredBlocks(namespaces.filter((group) => group.shown.length === 0)),
      deferredCount: namespaces.reduce((sum, group) => sum + group.deferred.length, 0),
    });
    for (const group of namespaces) {
      const row = namespaceRows.get(group.namespace) ?? {
        namespace: group.namespace,
        error: 0,
        warning: 0,
        info: 0,
        total: 0,
        rules: [],
      };
      const counts = { ...row, rules: row.rules };
      for (const finding of group.findings) counts[finding.severity]++;
      counts.total += group.findings.length;
      counts.rules.push({ ruleId: result.ruleId, anchor: group.anchor, findings: group.findings.length });
      namespaceRows.set(group.namespace, counts);
    }
  });

  const current = report.currentPhase;
  const phases: PhaseView[] = report.phases.map((phase, index) => ({
    id: phase.id,
    label: PHASE_LABELS[phase.id],
    status: phase.status,
    statusLabel: PHASE_STATUS_LABELS[phase.status],
    current: phase.id === current,
    position: index + 1,
    open: report.results
      .filter((r) => r.phase === phase.id)
      .reduce((sum, r) => sum + r.findings.filter((f) => !f.suppressed).length, 0),
    rules: phase.rules,
  }));
  const sortedNamespaces = [...namespaceRows.values()].sort(
    (a, b) => b.error - a.error || b.total - a.total || a.namespace.localeCompare(b.namespace),
  );
  const verdict = VERDICT_LABELS[report.verdict];
  const compared =
    report.resolved !== undefined || report.results.some((r) => r.findings.some((f) => f.baseline));
  const baseline = compared
    ? {
        newFindings: report.results.reduce(
          (sum, r) => sum + r.findings.filter((f) => !f.suppressed && f.baseline === 'new').length,
          0,
        ),
        resolved: (report.resolved ?? []).map((finding, i) =>
          findingView(
            { ruleId: finding.ruleId, title: catalogue.get(finding.ruleId)?.title ?? finding.ruleId },
            finding,
            `resolved-${i}`,
          ),
        ),
      }
    : undefined;
  return {
    report,
    clusterLabel: clusterLabel(report),
    verdictLabel: verdict.label,
    verdictExplanation: verdict.explanation,
    verdictLine: verdictLine(report),
    urgentFindings: urgentFindings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity)),
    phases,
    currentPhase: phases.find((p) => p.current),
    rules,
    ruleDocs: report.results.flatMap((result) => ruleDocView(result, catalogue) ?? []),
    ruleGroups,
    namespaceRows: sortedNamespaces,
    shownNamespaceRows: sortedNamespaces.slice(0, SHOWN_NAMESPACE_ROWS),
    deferredNamespaceRows: sortedNamespaces.slice(SHOWN_NAMESPACE_ROWS),
    namespaces: [...namespaceRows.keys()].sort((a, b) => a.localeCompare(b)),
    suppressed,
    unknownRules: rules.filter((r) => r.status === 'unknown'),
    notApplicableRules: rules.filter((r) => r.status === 'not-applicable'),
    openFindings,
    totalFindings,
    baseline,
    expandGroups: openFindings <= EXPANDED_FINDINGS_LIMIT,
  };
}
