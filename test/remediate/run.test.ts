/**
 * remediate.sh executed for real (bash) against stand-in kubectl and gcloud that record every
 * call: the safety properties of SPEC §9, each one checked by what the tools actually received.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { phasesFor, type Target } from '../../src/engine/vocabulary.ts';
import { fix } from '../../src/remediate/actions/index.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { afterFixes, beforeFixes, relabelEffects } from './cluster-states.ts';
import {
  type Call,
  describeCall,
  type FakeResponse,
  isChanging,
  kubectlWords,
  runScript,
} from './fake-tools.ts';
import { CLUSTER, CONTEXT, fullReport, fullResults, realisticReport, report } from './reports.ts';

const scripts = new Map<string, string>();
function scriptFor(target: Target, cluster = {}): string {
  const key = `${target}${JSON.stringify(cluster)}`;
  if (!scripts.has(key))
    scripts.set(key, renderRemediationScript(fullReport(target, { ...CLUSTER, ...cluster })));
  return scripts.get(key) as string;
}

function changes(calls: readonly Call[]): string[] {
  return calls.filter(isChanging).map(describeCall);
}

function apply(target: Target, responses: readonly FakeResponse[], args: readonly string[] = []) {
  return runScript(scriptFor(target), {
    args: ['--apply', '--yes', ...args],
    responses,
    effects: relabelEffects,
  });
}

/**
 * Every phase of the script, one `--apply --yes --phase ID` after the other (a plain --apply runs
 * only the current one), the effects of each run carried to the next: the calls of all of them.
 */
function applyEveryPhase(target: Target, responses: readonly FakeResponse[]) {
  const calls: Call[] = [];
  const outputs: string[] = [];
  const files: Record<string, string> = {};
  let flags: readonly string[] = [];
  for (const phase of phasesFor(target)) {
    const run = runScript(scriptFor(target), {
      args: ['--apply', '--yes', '--phase', phase],
      responses,
      effects: relabelEffects,
      flags,
    });
    expect(run.status, run.stderr).toBe(0);
    calls.push(...run.calls);
    outputs.push(run.stdout);
    Object.assign(files, run.files);
    flags = run.flags;
  }
  return { status: 0, stderr: '', calls, stdout: outputs.join('\n'), files };
}

const GALLEY_PATCH =
  '[{"op":"test","path":"/rules/3/apiGroups","value":["admissionregistration.k8s.io"]},' +
  '{"op":"test","path":"/rules/3/resources","value":["validatingwebhookconfigurations"]},' +
  '{"op":"replace","path":"/rules/3/verbs","value":["get"]}]';
const GATEWAY_PATCH =
  '[{"op":"test","path":"/spec/components/ingressGateways/0/name","value":"istio-ingressgateway"},' +
  '{"op":"add","path":"/spec/components/ingressGateways/0/enabled","value":true}]';

describe('remediate.sh is valid, shellcheck-clean bash', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'meshready-shellcheck-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(['istio-1.6', 'asm-1.6', 'asm-1.7'] as const)('for target %s', (target) => {
    const file = path.join(work, `${target}.sh`);
    writeFileSync(file, scriptFor(target));
    const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    const lint = spawnSync('shellcheck', ['--severity=style', file], { encoding: 'utf8' });
    expect(lint.stdout).toBe('');
    expect(lint.status).toBe(0);
  });

  it('also with hostile names everywhere', () => {
    const hostile = `a'b"c$(touch x)\`id\`\n;|&*?[x]{a,b}~!#\\ é 名 \u202e`;
    const results = fullResults('asm-1.7');
    for (const result of results) {
      for (const finding of result.findings) {
        if (finding.fix?.action === 'relabel-namespace') {
          finding.fix = fix('relabel-namespace', { namespace: hostile, revision: hostile });
        } else if (finding.fix?.action === 'delete-galley-webhook') {
          finding.fix = fix('delete-galley-webhook', { name: hostile });
        }
      }
    }
    const file = path.join(work, 'hostile.sh');
    const cluster = { name: hostile, project: hostile, location: hostile, context: hostile };
    writeFileSync(file, renderRemediationScript(report('asm-1.7', results, cluster)));
    expect(spawnSync('bash', ['-n', file], { encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync('shellcheck', [file], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('also without any cluster identity or finding', () => {
    const file = path.join(work, 'anonymous.sh');
    writeFileSync(file, renderRemediationScript(fullReport('istio-1.6', {})));
    expect(spawnSync('shellcheck', [file], { encoding: 'utf8' }).stdout).toBe('');
  });
});

describe('modes', () => {
  it('--help explains the modes, the checks and the backups, and contacts nothing', () => {
    const run = runScript(scriptFor('istio-1.6'), { args: ['--help'] });
    expect(run.status).toBe(0);
    for (const text of [
      '--apply',
      '--yes',
      '--phase ID',
      '--context NAME',
      '--backup-dir',
      'Dry run',
      'meshready-backup-',
    ]) {
      expect(run.stdout).toContain(text);
    }
    expect(run.stdout).toMatch(/^ {2}migrate-gateway +todo$/m);
    expect(run.calls).toEqual([]);
  });

  it('a dry run prints every command and makes no call at all', () => {
    const run = runScript(scriptFor('asm-1.7'), { responses: beforeFixes() });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.files).toEqual({});
    expect(run.stdout).toContain(
      'would run: kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found',
    );
    expect(run.stdout).toContain(
      'would run: gcloud compute firewall-rules update gke-demo-1a2b3c4d-master --project acme-prod --allow tcp:443,tcp:10250,tcp:15017',
    );
    expect(run.stdout).toContain('Dry run: nothing was changed and nothing was contacted.');
    // Every step names the rule(s) it fixes and a resource.
    const steps = [...run.stdout.matchAll(/^--- Step (\d+) \[([^\]]+)\] (.+)$/gm)];
    expect(steps.length).toBeGreaterThan(20);
    const ruleIds = new Set(RULES.map((rule) => rule.id));
    for (const [, , rules, resource] of steps) {
      for (const rule of (rules as string).split(', ')) expect(ruleIds.has(rule), rule).toBe(true);
      expect(resource).toMatch(/\S/);
    }
  });

  it('--apply without a terminal refuses unless --yes is given', () => {
    const run = runScript(scriptFor('istio-1.6'), { args: ['--apply'], responses: beforeFixes() });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--apply without a terminal needs --yes');
    expect(run.calls).toEqual([]);
  });

  it('rejects unknown options and phases with exit 2', () => {
    expect(runScript(scriptFor('istio-1.6'), { args: ['--aply'] }).status).toBe(2);
    const run = runScript(scriptFor('asm-1.7'), { args: ['--phase', 'migrate-gateway'] });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no phase migrate-gateway in this script');
  });

  it("phase by phase, --apply --yes makes the expected changes in the guide's order (istio-1.6)", () => {
    const run = applyEveryPhase('istio-1.6', beforeFixes());
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([
      `kubectl patch clusterrole istio-galley-istio-system --type=json -p ${GALLEY_PATCH}`,
      'kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found',
      'kubectl label namespace shop istio-injection- istio.io/rev=istio-1611 --overwrite',
      'kubectl rollout restart deployment -n shop cart',
      'kubectl rollout restart statefulset -n shop db',
      'kubectl label namespace web istio-injection- istio.io/rev=istio-1611 --overwrite',
      `kubectl patch istiooperator -n istio-system istio-1-6-11-gke-0 --type=json -p ${GATEWAY_PATCH}`,
      'kubectl scale deployment -n istio-system --replicas=0 istio-citadel istio-galley istio-pilot',
      'kubectl delete servicerolebindings.rbac.istio.io -n web readers --ignore-not-found',
    ]);
    // Every kubectl call is pinned to the checked context.
    for (const call of run.calls.filter((c) => c.tool === 'kubectl' && c.args[0] !== 'config')) {
      expect(call.args.slice(0, 2)).toEqual(['--context', CONTEXT]);
    }
  });

  it('phase by phase, --apply --yes makes the expected changes in order (asm-1.7), leaving install_asm to you', () => {
    const run = applyEveryPhase('asm-1.7', beforeFixes());
    expect(run.status, run.stderr).toBe(0);
    const scope = '--location europe-west1-b --project acme-prod';
    expect(changes(run.calls)).toEqual([
      `kubectl patch clusterrole istio-galley-istio-system --type=json -p ${GALLEY_PATCH}`,
      'kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found',
      `gcloud container node-pools create asm-pool --cluster demo --machine-type e2-standard-4 --num-nodes 2 ${scope} --quiet`,
      `gcloud container clusters update demo --workload-pool acme-prod.svc.id.goog ${scope} --quiet`,
      `gcloud container node-pools update default-pool --cluster demo ${scope} --workload-metadata GKE_METADATA --quiet`,
      'gcloud compute firewall-rules update gke-demo-1a2b3c4d-master --project acme-prod --allow tcp:443,tcp:10250,tcp:15017',
      'kubectl label namespace shop istio-injection- istio.io/rev=istio-1611 --overwrite',
      'kubectl rollout restart deployment -n shop cart',
      'kubectl rollout restart statefulset -n shop db',
      'kubectl label namespace web istio-injection- istio.io/rev=istio-1611 --overwrite',
      'kubectl scale deployment -n istio-system --replicas=0 istio-citadel istio-galley istio-pilot',
      'kubectl delete servicerolebindings.rbac.istio.io -n web readers --ignore-not-found',
      'kubectl patch istiooperator -n istio-system istio-1-6-11-gke-0 --type=merge -p {"spec":{"profile":"disabled"}}',
    ]);
    expect(run.calls.some((c) => c.args.some((a) => a.includes('install_asm')))).toBe(false);
    expect(run.stdout).toContain('Withheld: no asm-* istiod is ready in istio-system: run install_asm first');
  });

  it('is idempotent: against the fixed cluster a run changes nothing', () => {
    for (const target of ['istio-1.6', 'asm-1.7'] as const) {
      const run = applyEveryPhase(target, afterFixes());
      expect(changes(run.calls), target).toEqual([]);
      expect(run.stdout).toContain('0 change(s) made');
    }
  });

  it('--phase runs only that phase', () => {
    const run = apply('istio-1.6', beforeFixes(), ['--phase', 'migrate-gateway']);
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([
      `kubectl patch istiooperator -n istio-system istio-1-6-11-gke-0 --type=json -p ${GATEWAY_PATCH}`,
    ]);
    expect(run.stdout).not.toContain('=== Phase prepare');
    const reads = run.calls.map((c) => kubectlWords(c).join(' '));
    expect(reads.some((r) => r.includes('clusterrole') || r.includes('namespace'))).toBe(false);
  });
});

describe('the cluster checks', () => {
  it('refuses when kubectl points at another cluster, before any other call', () => {
    const responses = [{ match: 'kubectl config current-context', stdout: 'gke_acme-prod_us-east1_other\n' }];
    const run = apply('istio-1.6', responses);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "kubectl's current context is gke_acme-prod_us-east1_other, but the scan was of",
    );
    expect(run.calls.map(describeCall)).toEqual(['kubectl config current-context']);
  });

  it('refuses when the scan recorded no identity and no --context is given', () => {
    const script = renderRemediationScript(fullReport('istio-1.6', {}));
    const run = runScript(script, { args: ['--apply', '--yes'], responses: beforeFixes() });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the scan recorded no cluster identity');
    expect(changes(run.calls)).toEqual([]);
  });

  it('accepts --context NAME when it is the current context, and pins kubectl to it', () => {
    const script = renderRemediationScript(fullReport('istio-1.6', {}));
    const responses = [{ match: 'kubectl config current-context', stdout: 'prod-admin\n' }, ...beforeFixes()];
    const run = runScript(script, {
      args: ['--apply', '--yes', '--context', 'prod-admin', '--phase', 'prepare'],
      responses,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toHaveLength(2);
    expect(run.calls.find(isChanging)?.args.slice(0, 2)).toEqual(['--context', 'prod-admin']);
  });

  it('refuses --context NAME when the current context is another one', () => {
    const run = apply('istio-1.6', beforeFixes(), ['--context', 'staging']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not staging (--context): refusing');
    expect(changes(run.calls)).toEqual([]);
  });

  it('accepts the context the scan recorded', () => {
    const responses = [{ match: 'kubectl config current-context', stdout: 'prod\n' }, ...beforeFixes()];
    const run = runScript(scriptFor('istio-1.6', { context: 'prod' }), {
      args: ['--apply', '--yes', '--phase', 'migrate-gateway'],
      responses,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toHaveLength(1);
  });

  it('checks the gcloud project before the first gcloud call and refuses another project', () => {
    const responses = [
      { match: 'gcloud config get-value project', stdout: 'someone-elses\n' },
      ...beforeFixes(),
    ];
    const run = apply('asm-1.7', responses, ['--phase', 'prepare']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "gcloud's project is someone-elses, but the scan was of project acme-prod: refusing",
    );
    const gcloud = run.calls.filter((c) => c.tool === 'gcloud').map(describeCall);
    expect(gcloud).toEqual(['gcloud config get-value project']);
    expect(run.stderr).toContain('nothing after this point did');
  });
});

describe('backups and guards', () => {
  it('saves the YAML before deleting, scaling or changing a profile', () => {
    const run = applyEveryPhase('asm-1.7', beforeFixes());
    const described = run.calls.map(describeCall);
    const expectBackupBefore = (change: string, backup: string) => {
      const at = described.findIndex((c) => c.startsWith(change));
      expect(at, change).toBeGreaterThan(0);
      expect(described.slice(0, at)).toContain(backup);
    };
    expectBackupBefore(
      'kubectl delete validatingwebhookconfiguration',
      'kubectl get validatingwebhookconfiguration istio-galley -o yaml',
    );
    expectBackupBefore(
      'kubectl scale deployment',
      'kubectl get deployment -n istio-system istio-citadel istio-galley istio-pilot -o yaml',
    );
    expectBackupBefore(
      'kubectl patch istiooperator',
      'kubectl get istiooperator -n istio-system istio-1-6-11-gke-0 -o yaml',
    );
    const files = Object.keys(run.files);
    expect(files.every((f) => /^meshready-backup-\d{8}T\d{6}Z\//.test(f))).toBe(true);
    expect(files.some((f) => f.endsWith('validatingwebhookconfiguration-istio-galley.yaml'))).toBe(true);
    expect(files.some((f) => f.endsWith('old-control-plane-deployments.yaml'))).toBe(true);
    expect(Object.values(run.files).every((content) => content.startsWith('apiVersion: v1'))).toBe(true);
  });

  it('writes backups to --backup-dir when given', () => {
    const run = apply('istio-1.6', beforeFixes(), ['--backup-dir', 'saved', '--phase', 'prepare']);
    expect(Object.keys(run.files).sort()).toEqual([
      'saved/clusterrole-istio-galley-istio-system.yaml',
      'saved/validatingwebhookconfiguration-istio-galley.yaml',
    ]);
  });

  it('patches the galley ClusterRole entry where it is now, not where the scan saw it', () => {
    const run = apply('istio-1.6', beforeFixes(), ['--phase', 'prepare']);
    expect(run.stdout).toContain('rule entries to restrict: 3 (the scan saw index 2)');
    expect(changes(run.calls)[0]).toContain('"path":"/rules/3/verbs"');
  });

  it('leaves a wildcard galley rule entry to a human', () => {
    const responses = [
      {
        match: 'kubectl *get clusterrole istio-galley-istio-system -o go-template=*',
        stdout: '0|*,|*,|*,\n',
      },
      ...beforeFixes(),
    ];
    const run = apply('istio-1.6', responses, ['--phase', 'prepare']);
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([
      'kubectl delete validatingwebhookconfiguration istio-galley --ignore-not-found',
    ]);
    expect(run.stdout).toContain(
      'rule entries 0 of ClusterRole istio-galley-istio-system grant more than get',
    );
  });

  it('upgrades a 1.16 master only once confirmed, then stops: the rest was planned for the old cluster', () => {
    const run = apply('istio-1.6', beforeFixes({ masterVersion: '1.16.15-gke.4300' }));
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([
      'gcloud container clusters upgrade demo --master --cluster-version 1.17.12-gke.1501 --location europe-west1-b --project acme-prod --quiet',
    ]);
    const described = run.calls.map(describeCall);
    expect(
      described.indexOf('kubectl get gateways.networking.istio.io -n istio-system -o yaml'),
    ).toBeLessThan(described.findIndex((c) => c.startsWith('gcloud container clusters upgrade')));
    expect(run.stdout).toContain('Stopped after this phase: the master was upgraded');
    expect(run.stdout).not.toContain('=== Phase prepare');
  });

  it('stops the namespace phase, exit 1, while a policy meshready could not convert has no checked replacement', () => {
    const responses = [
      {
        match: 'kubectl *get policies.authentication.istio.io -n shop default --ignore-not-found -o name',
        stdout: 'policy.authentication.istio.io/default\n',
      },
      ...beforeFixes(),
    ];
    const run = apply('istio-1.6', responses, ['--phase', 'migrate-namespaces']);
    expect(run.status, run.stderr).toBe(1);
    expect(changes(run.calls)).toEqual([]);
    expect(run.stdout).toContain(
      'not converted by meshready: policies.authentication.istio.io shop/default: rewrite and apply it by hand',
    );
    expect(run.stdout).toContain(
      'Withheld: v1alpha1 policies found by the scan have no v1beta1 replacement in the cluster yet',
    );
    expect(run.stdout).toContain(
      'A check stopped the last phase before its later steps (see Withheld): exit status 1.',
    );
  });

  it('does not restart workloads of a namespace that does not select the new revision yet', () => {
    const responses = [
      {
        match: 'kubectl *get deployment -n istio-system -l app=istiod,istio.io/rev=istio-1611 *',
        stdout: '0\n',
      },
      ...beforeFixes(),
    ];
    const run = apply('istio-1.6', responses, ['--phase', 'migrate-namespaces']);
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([]);
    expect(run.stdout).toContain('no ready istiod runs revision istio-1611');
    expect(run.stdout).toContain('namespace shop still has the istio-injection label');
  });

  it('withholds the scale-down while a pod still runs a 1.4 proxy, even if the scan said otherwise', () => {
    const responses = [
      {
        match: 'kubectl *get pods --all-namespaces *',
        stdout: 'late/joiner-1|joiner||gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4 \n',
      },
      ...beforeFixes(),
    ];
    const run = apply('istio-1.6', responses, ['--phase', 'retire-old-control-plane']);
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([]);
    expect(run.stdout).toContain('still on a 1.4 proxy: late/joiner-1');
  });

  it('sets the profile to empty once an asm-* istiod is ready and nothing runs on the operator revision', () => {
    const responses = [
      {
        match: 'kubectl *get deployment -n istio-system -l app=istiod -o jsonpath=*',
        stdout: 'istio-1611|1\nasm-173-6|1\n',
      },
      {
        match: 'kubectl *get pods --all-namespaces *',
        stdout: 'shop/cart-2|cart|asm-173-6|gcr.io/gke-release/asm/proxyv2:1.7.3-asm.6 \n',
      },
      {
        match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 -o jsonpath={.spec.profile}',
        stdout: 'disabled',
      },
      ...beforeFixes(),
    ];
    const run = apply('asm-1.7', responses, ['--phase', 'asm-cleanup']);
    expect(run.status, run.stderr).toBe(0);
    expect(changes(run.calls)).toEqual([
      'kubectl patch istiooperator -n istio-system istio-1-6-11-gke-0 --type=merge -p {"spec":{"profile":"empty"}}',
    ]);
  });
});

describe('with a terminal', () => {
  it('before a phase the scan reported blocked, says why and asks: "n" skips it', () => {
    const blocked = renderRemediationScript(realisticReport('istio-1.6', fullResults('istio-1.6')));
    const run = runScript(blocked, {
      args: ['--apply', '--phase', 'prepare'],
      responses: beforeFixes(),
      tty: true,
      input: 'n\n',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'Warning: the scan reported this phase blocked: phase cluster-upgrade is not done.',
    );
    expect(run.stdout).toContain('Run phase prepare anyway? [y/N]');
    expect(changes(run.calls)).toEqual([]);
  });

  it('asks before each phase: "n" skips it', () => {
    const run = runScript(scriptFor('istio-1.6'), {
      args: ['--apply', '--phase', 'prepare'],
      responses: beforeFixes(),
      tty: true,
      input: 'n\n',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Apply phase prepare? [y/N]');
    expect(run.stdout).toContain('Skipped phase prepare: not confirmed.');
    expect(changes(run.calls)).toEqual([]);
  });

  it('asks before each phase: "y" runs it', () => {
    const run = runScript(scriptFor('istio-1.6'), {
      args: ['--apply', '--phase', 'prepare'],
      responses: beforeFixes(),
      tty: true,
      input: 'y\n',
    });
    expect(run.status).toBe(0);
    expect(changes(run.calls)).toHaveLength(2);
  });

  it('asks again before a disruptive step, and leaves it out when not confirmed', () => {
    const run = runScript(scriptFor('istio-1.6'), {
      args: ['--apply', '--phase', 'cluster-upgrade'],
      responses: beforeFixes({ masterVersion: '1.16.15-gke.4300' }),
      tty: true,
      input: 'y\nn\n',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Impact: Upgrades the control plane of cluster demo');
    expect(run.stdout).toContain('Run this step? [y/N]');
    expect(changes(run.calls)).toEqual([]);
    expect(run.stdout).toContain('Withheld: not confirmed');
  });
});
