/**
 * What renderRemediationScript writes: the steps, their order, what is automated and what is
 * only an instruction, and the template guard that keeps unquoted values out of the script.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/report-model.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { planRemediation } from '../../src/remediate/plan.ts';
import { withRemediation } from '../../src/remediate/report-commands.ts';
import { checkTemplate, renderRemediationScript } from '../../src/remediate/script.ts';
import type { Step } from '../../src/remediate/step.ts';
import { printable } from '../../src/text/printable.ts';
import { CLUSTER, CONTEXT, finding, fullReport, fullResults, report, result } from './reports.ts';

/** The step headers of a script, as `rules|partial-ish description` lines in order. */
function stepLines(script: string): string[] {
  return script.split('\n').filter((line) => /^ {2}step /.test(line));
}

function phaseOrder(script: string): string[] {
  return [...script.matchAll(/^# Phase ([a-z-]+):/gm)].map((m) => m[1] as string);
}

function indexOf(script: string, needle: string): number {
  const at = script.indexOf(needle);
  expect(at, `script should contain ${needle}`).toBeGreaterThanOrEqual(0);
  return at;
}

describe('renderRemediationScript', () => {
  // Rendered for each test, not when the describe block is collected, so that each test reaches
  // the code it checks (mutation testing's per-test coverage, docs/development.md).
  let istio: string;
  let asm: string;
  beforeEach(() => {
    istio = renderRemediationScript(fullReport('istio-1.6'));
    asm = renderRemediationScript(fullReport('asm-1.7'));
  });

  it('is a bash script with strict mode, generated from the report', () => {
    expect(istio.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(istio).toMatch(/^set -euo pipefail$/m);
    expect(istio).toContain('#   target:   istio-1.6');
    expect(istio).toContain('#   scanned:  2026-11-25T10:00:00Z by meshready 0.1.0');
  });

  it('names the report it came from when told', () => {
    const named = renderRemediationScript(fullReport(), { reportFile: 'meshready-report.json' });
    expect(named).toContain('#   report:   meshready-report.json');
    expect(istio).not.toContain('#   report:');
  });

  it('has the phases of the target in catalogue order', () => {
    expect(phaseOrder(istio)).toEqual([
      'cluster-upgrade',
      'prepare',
      'migrate-namespaces',
      'migrate-gateway',
      'retire-old-control-plane',
    ]);
    expect(phaseOrder(asm)).toEqual([
      'cluster-upgrade',
      'prepare',
      'migrate-namespaces',
      'retire-old-control-plane',
      'asm-install',
      'asm-migrate-namespaces',
      'asm-cleanup',
    ]);
  });

  it('follows the guide within the prepare phase: istiod, galley ClusterRole, the webhook, then policies (SPEC §9)', () => {
    const order = [
      "step istiod-revision-ready 'Namespace istio-system'",
      "step galley-webhook-clusterrole 'ClusterRole istio-galley-istio-system'",
      "step galley-validating-webhook 'ValidatingWebhookConfiguration istio-galley'",
      "step v1alpha1-security-policy 'Policy shop/default'",
    ].map((needle) => indexOf(istio, needle));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('backs up the custom resources before the single upgrade step, which names both rules', () => {
    const steps = stepLines(istio);
    expect(steps[0]).toContain('gke-upgrade-cr-deletion');
    expect(steps[1]).toContain('ingress-gateway-upgrade-disruption');
    expect(steps[2]).toMatch(/^ {2}step 'gke-version-istio16, gke-upgrade-cr-deletion' 'Cluster demo'/);
    expect(istio.match(/run gcloud container clusters upgrade/g)).toHaveLength(1);
    expect(istio).toContain(
      'run gcloud container clusters upgrade demo --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-prod --quiet',
    );
    expect(istio).toContain(
      'backup istio-system-gateways.networking.istio.io.yaml kubectl get gateways.networking.istio.io -n istio-system -o yaml',
    );
  });

  it('upgrades to the highest version proposed when the rules disagree', () => {
    const results = fullResults('istio-1.6');
    const upgrade = results[0]?.findings[0];
    if (upgrade?.fix) upgrade.fix = fix('upgrade-master', { cluster: 'demo', version: '1.17.9-gke.6300' });
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script).toContain('--cluster-version 1.17.12-gke.1501');
    expect(script).not.toContain('--cluster-version 1.17.9-gke.6300');
  });

  it('relabels each namespace before restarting its workloads, then verifies it, namespace by namespace', () => {
    const calls = istio.slice(indexOf(istio, 'phase_migrate_namespaces() {'));
    const order = /^ {2}(step_\d+)$/gm;
    const steps = [...calls.slice(0, indexOf(calls, '\n}')).matchAll(order)].map((m) => m[1] as string);
    const bodies = steps.map(
      (step) => istio.slice(indexOf(istio, `${step}() {`)).split('\n}\n')[0] as string,
    );
    const at = (needle: string) => bodies.findIndex((text) => text.includes(needle));
    const shop = [
      "step namespace-injection-labels 'Namespace shop'",
      'restart_workloads deployment shop cart',
      'restart_workloads statefulset shop db',
      'wait_for_rollouts shop',
      "step namespace-injection-labels 'Namespace web'",
    ].map(at);
    expect(shop.every((index) => index >= 0)).toBe(true);
    expect(shop).toEqual([...shop].sort((a, b) => a - b));
    expect(istio).toContain('relabel_namespace shop istio-1611');
    // The v1beta1 gate opens the phase: a policy meshready could not convert holds it.
    expect(at('v1beta1_replacements_exist by-hand policies.authentication.istio.io shop default')).toBe(0);
  });

  it('gives a bare pod an instruction, never a command that deletes it', () => {
    expect(istio).toContain("step sidecar-proxy-version 'Pod web/debug'");
    expect(istio).toContain('todo_command kubectl delete pod -n web debug');
    expect(istio).not.toMatch(/^\s*run kubectl delete pod/m);
  });

  it('leaves decisions to a human: v1alpha1 policies and port names are instructions, never run', () => {
    expect(istio).toMatch(/# Human decision: rewrite this object as PeerAuthentication/);
    expect(istio).toContain(
      'todo_command kubectl get policies.authentication.istio.io -n shop default -o yaml',
    );
    expect(istio).toContain(
      `todo_command kubectl patch service -n shop cart --type=json -p '[{"op":"add","path":"/spec/ports/0/name","value":"http"}]'`,
    );
    expect(istio).toMatch(/#\s+suggestion, on strong evidence but still to check: port 80: "http"/);
    expect(istio).not.toMatch(/^\s*run kubectl (patch|edit) service/m);
    expect(istio).not.toMatch(/^\s*run kubectl (delete|apply) .*polic/m);
  });

  it('only prints install_asm, with the scanned project, cluster and location', () => {
    expect(asm).toContain(
      'todo_command ./install_asm --project_id acme-prod --cluster_name demo --cluster_location europe-west1-b --mode migrate --ca citadel --enable_apis',
    );
    expect(asm).toContain('https://storage.googleapis.com/csm-artifacts/asm/install_asm_1.7');
    expect(renderRemediationScript(fullReport('asm-1.6'))).toContain('csm-artifacts/asm/install_asm_1.6');
    expect(asm).not.toMatch(/^\s*run .*install_asm/m);
  });

  it('disables the operator, then (after install_asm) sets the profile to empty', () => {
    const order = [
      'set_operator_profile istio-1-6-11-gke-0 disabled',
      'todo_command ./install_asm',
      'set_operator_profile istio-1-6-11-gke-0 empty',
    ].map((needle) => indexOf(asm, needle));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('uses placeholders for install_asm when the scan had no cluster identity', () => {
    const script = renderRemediationScript(report('asm-1.7', fullResults('asm-1.7'), {}));
    expect(script).toContain(
      '--project_id PROJECT_ID --cluster_name CLUSTER_NAME --cluster_location CLUSTER_LOCATION',
    );
    expect(script).toContain('replace the placeholders below');
  });

  it("withholds the scale-down with the scan's reason while proxies still use 1.4", () => {
    const results = fullResults('istio-1.6').filter((r) => r.ruleId !== 'old-control-plane-scaledown');
    results.push(
      result('old-control-plane-scaledown', 'retire-old-control-plane', [], {
        status: 'not-applicable',
        reason: 'proxies still use the 1.4 control plane (12 workload pods)',
      }),
    );
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script).toContain(
      "withhold 'the scan says: proxies still use the 1.4 control plane (12 workload pods)'",
    );
    expect(script).not.toMatch(/^ {2}scale_down_old_control_plane /m);
  });

  it('merges the per-Deployment scale-down findings into one step', () => {
    const results = fullResults('istio-1.6').filter((r) => r.ruleId !== 'old-control-plane-scaledown');
    results.push(
      result(
        'old-control-plane-scaledown',
        'retire-old-control-plane',
        ['istio-citadel', 'istio-pilot', 'promsd'].map((name) =>
          finding({
            severity: 'info',
            resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'istio-system', name },
            fix: fix('scale-down-old-control-plane', { deployments: [name] }),
          }),
        ),
      ),
    );
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script.match(/scale_down_old_control_plane \S+ istio-citadel istio-pilot promsd$/gm)).toHaveLength(
      1,
    );
  });

  it('skips suppressed findings and says so', () => {
    const results = fullResults('istio-1.6');
    const webhook = results.find((r) => r.ruleId === 'galley-validating-webhook')?.findings[0];
    if (webhook)
      webhook.suppressed = { reason: 'handled by the platform team', owner: 'platform@example.com' };
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script).not.toContain('kubectl delete validatingwebhookconfiguration');
    expect(script).toContain(
      "note 'Suppressed, so not handled here: galley-validating-webhook ValidatingWebhookConfiguration istio-galley (handled by the platform team).'",
    );
  });

  it('turns a fix it does not know (e.g. from a newer report) into a note, not a crash', () => {
    const results = fullResults('istio-1.6');
    results.push(
      result('future-rule', 'prepare', [
        finding({
          resource: { apiVersion: 'v1', kind: 'Service', namespace: 'x', name: 'y' },
          fix: { action: 'teleport', params: { to: 'mars' } },
        }),
        finding({
          resource: { apiVersion: 'v1', kind: 'Namespace', name: 'z' },
          fix: { action: 'relabel-namespace', params: { namespace: 'z' } },
        }),
      ]),
    );
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script).toContain(
      'No script step for future-rule Service x/y (fix "teleport" is unknown or malformed',
    );
    expect(script).toContain(
      'No script step for future-rule Namespace z (fix "relabel-namespace" is unknown or malformed',
    );
  });

  it('lists rules the scan could not check at the start of their phase', () => {
    const results = fullResults('asm-1.7');
    results.push(
      result('vpc-sc-mesh-ca', 'prepare', [], { status: 'unknown', reason: 'manual check: VPC-SC' }),
    );
    const script = renderRemediationScript(report('asm-1.7', results));
    expect(script).toContain("note 'Not checked by the scan: vpc-sc-mesh-ca (manual check: VPC-SC).'");
  });

  it("accepts the recorded context and gcloud's default context name, and none without identity", () => {
    expect(istio).toContain(`readonly SCAN_CONTEXTS=(${CONTEXT} )`);
    const recorded = renderRemediationScript(fullReport('istio-1.6', { ...CLUSTER, context: 'prod' }));
    expect(recorded).toContain(`readonly SCAN_CONTEXTS=(prod ${CONTEXT} )`);
    const anonymous = renderRemediationScript(fullReport('istio-1.6', {}));
    expect(anonymous).toContain('readonly SCAN_CONTEXTS=()');
  });

  it('renders a report with nothing to fix as a script that says so in every phase', () => {
    const script = renderRemediationScript(report('istio-1.6', []));
    expect(
      script.match(/Nothing to do: the scan found nothing this script can fix in this phase/g),
    ).toHaveLength(5);
    expect(stepLines(script)).toEqual([]);
  });

  it('takes every value through shell quoting, including hostile ones', () => {
    const hostile = "x'; touch /tmp/pwned; echo '";
    const results = fullResults('istio-1.6');
    const relabel = results.find((r) => r.ruleId === 'namespace-injection-labels')?.findings[0];
    if (relabel) relabel.fix = fix('relabel-namespace', { namespace: hostile, revision: 'istio-1611' });
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script).toContain(`relabel_namespace 'x'\\''; touch /tmp/pwned; echo '\\''' istio-1611`);
  });

  it('keeps a newline in a value from ending a comment line', () => {
    const results = fullResults('istio-1.6');
    const ports = results.find((r) => r.ruleId === 'service-port-naming')?.findings[0];
    if (ports?.fix) {
      ports.fix = fix('name-service-ports', {
        namespace: 'shop',
        name: 'cart',
        ports: ['80/TCP (name "a\ntouch /tmp/pwned")'],
        suggestions: [],
        patches: [],
      });
    }
    const script = renderRemediationScript(report('istio-1.6', results));
    expect(script).toContain('#   shop/cart: 80/TCP (name "a\\u{a}touch /tmp/pwned")');
    expect(script).not.toMatch(/^touch /m);
  });
});

describe('printable', () => {
  it('makes control, line-separator and bidirectional characters visible', () => {
    expect(printable('a\nb\rc\u001b[31m\u2028\u202ed\u2066')).toBe(
      'a\\u{a}b\\u{d}c\\u{1b}[31m\\u{2028}\\u{202e}d\\u{2066}',
    );
    expect(printable('ünïcode ✓ 名前')).toBe('ünïcode ✓ 名前');
  });
});

describe('checkTemplate (the guard against unquoted values)', () => {
  it('accepts values printed through shq, comment and ident, and the allowed blocks', () => {
    expect(() =>
      checkTemplate(
        '{{#each xs}}run {{shq this}} # {{comment (join ys ", ")}}\n{{/each}}{{ident fn}}() { :; }\n{{#if a}}{{else}}{{/if}}{{{{raw}}}}{{x}}{{{{/raw}}}}',
        't',
      ),
    ).not.toThrow();
  });

  it.each([
    ['a bare value', 'run {{name}}', /\{\{name\}\} prints a value unquoted/],
    ['a triple-stash', 'run {{{shq name}}}', /triple-stash/],
    ['a helper with no value', 'run {{shq}}', /prints a value unquoted/],
    ['another block helper', '{{#with x}}{{shq y}}{{/with}}', /block helper \{\{#with\}\}/],
    ['a value nested in a block', '{{#if a}}\n\nrun {{b.c}}{{/if}}', /t:3: \{\{b.c\}\}/],
  ])('rejects %s', (_what, source, message) => {
    expect(() => checkTemplate(source, 't')).toThrow(message);
  });
});

/** The backup files a step's commands write, whether it runs them itself or through a library call. */
function backupFiles(steps: readonly Step<string>[]): string[] {
  return steps.flatMap((step) =>
    step.kind === 'backup'
      ? [step.file]
      : step.kind === 'call'
        ? step.shows.flatMap((shown) => (shown.kind === 'backup' ? [shown.file] : []))
        : [],
  );
}

describe('planRemediation', () => {
  it('gives backups unique file names made of safe characters', () => {
    const plan = planRemediation(fullReport('asm-1.7'));
    const files = plan.phases.flatMap((phase) => phase.steps.flatMap((step) => backupFiles(step.steps)));
    expect(files.length).toBeGreaterThan(5);
    expect(new Set(files).size).toBe(files.length);
    for (const file of files) expect(file).toMatch(/^[a-z][A-Za-z0-9._-]*\.yaml$/);
  });

  it('gives a finding the same commands whatever other findings the report holds (backup names included)', () => {
    const byFingerprint = (from: Report) =>
      new Map(
        from.results.flatMap((r) =>
          r.findings.map((f) => [JSON.stringify([r.ruleId, f.resource, f.fix]), f.remediation?.commands]),
        ),
      );
    const full = byFingerprint(withRemediation(fullReport('istio-1.6')));
    // A live scan lists fewer custom resources in istio-system: the backup step differs, nothing else.
    const fewer = fullResults('istio-1.6').filter((r) => r.ruleId !== 'gke-upgrade-cr-deletion');
    const partial = byFingerprint(withRemediation(report('istio-1.6', fewer)));
    expect(partial.size).toBeGreaterThan(10);
    for (const [fingerprint, commands] of partial)
      expect(commands, fingerprint).toEqual(full.get(fingerprint));
  });

  it('sanitises hostile names in backup file names', () => {
    const results = fullResults('istio-1.6');
    const webhook = results.find((r) => r.ruleId === 'galley-validating-webhook')?.findings[0];
    if (webhook) webhook.fix = fix('delete-galley-webhook', { name: '../../etc/$(id)\n' });
    const plan = planRemediation(report('istio-1.6', results));
    const step = plan.phases[1]?.steps.find((s) => s.action === 'delete-galley-webhook');
    expect(backupFiles(step?.steps ?? [])).toEqual(['validatingwebhookconfiguration-__.._etc_id_.yaml']);
  });
});
