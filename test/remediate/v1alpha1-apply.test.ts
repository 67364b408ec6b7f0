/**
 * remediate.sh with a v1alpha1 policy meshready converted: run for real (bash) against stand-in
 * kubectl. Dry run first, then apply, then the new objects checked, and only then the old object
 * backed up and deleted; a failed step stops everything after it.
 */
import { describe, expect, it } from 'vitest';
import { fix } from '../../src/remediate/actions/index.ts';
import { renderRemediationScript } from '../../src/remediate/script.ts';
import { beforeFixes } from './cluster-states.ts';
import { describeCall, type FakeResponse, runScript } from './fake-tools.ts';
import { finding, report, result } from './reports.ts';

const POLICIES = 'apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\n';

const script = renderRemediationScript(
  report('istio-1.6', [
    result('v1alpha1-security-policy', 'prepare', [
      finding({
        resource: {
          apiVersion: 'rbac.istio.io/v1alpha1',
          kind: 'ServiceRoleBinding',
          namespace: 'shop',
          name: 'readers',
        },
        fix: fix('migrate-v1alpha1-policy', {
          kind: 'ServiceRoleBinding',
          resource: 'servicerolebindings.rbac.istio.io',
          replacement: 'AuthorizationPolicy',
          name: 'readers',
          namespace: 'shop',
          converted: ['AuthorizationPolicy shop/readers'],
          convertedFile: 'v1beta1-policies.yaml',
        }),
      }),
    ]),
  ]),
);

const EXISTS: FakeResponse = {
  match: 'kubectl *get servicerolebindings.rbac.istio.io -n shop readers --ignore-not-found -o name',
  stdout: 'servicerolebinding.rbac.istio.io/readers\n',
};

/** The kubectl calls after the context check, without the pinned `--context NAME`. */
function kubectlCalls(run: ReturnType<typeof runScript>): string[] {
  return run.calls
    .map(describeCall)
    .filter((call) => call.startsWith('kubectl') && !call.includes('config current-context'));
}

describe('remediate.sh applies the converted v1beta1 policies before it removes a v1alpha1 one', () => {
  it('dry run, apply, check, back up, delete: in that order', () => {
    const run = runScript(script, {
      args: ['--apply', '--yes', '--phase', 'prepare'],
      responses: [EXISTS, ...beforeFixes()],
      besideScript: { 'v1beta1-policies.yaml': POLICIES },
    });
    expect(run.status, run.stderr).toBe(0);
    const calls = kubectlCalls(run);
    expect(calls[0]).toMatch(/^kubectl apply --dry-run=server -f \S*\/v1beta1-policies\.yaml$/);
    expect(calls[1]).toMatch(/^kubectl apply -f \S*\/v1beta1-policies\.yaml$/);
    expect(calls.slice(2)).toEqual([
      'kubectl get authorizationpolicies.security.istio.io -n shop readers',
      'kubectl get servicerolebindings.rbac.istio.io -n shop readers --ignore-not-found -o name',
      'kubectl get servicerolebindings.rbac.istio.io -n shop readers -o yaml',
      'kubectl delete servicerolebindings.rbac.istio.io -n shop readers --ignore-not-found',
    ]);
    const backups = Object.keys(run.files).filter((f) => f.endsWith('servicerolebinding-shop-readers.yaml'));
    expect(backups).toHaveLength(1);
  });

  it('a failed server-side dry run stops the script: nothing applied, nothing deleted', () => {
    const run = runScript(script, {
      args: ['--apply', '--yes', '--phase', 'prepare'],
      responses: [{ match: 'kubectl *apply --dry-run=server *', exit: 1 }, EXISTS, ...beforeFixes()],
      besideScript: { 'v1beta1-policies.yaml': POLICIES },
    });
    expect(run.status).not.toBe(0);
    const calls = kubectlCalls(run);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('apply --dry-run=server');
  });

  it('a v1beta1 object missing after the apply stops the script before the delete', () => {
    const run = runScript(script, {
      args: ['--apply', '--yes', '--phase', 'prepare'],
      responses: [
        { match: 'kubectl *get authorizationpolicies.security.istio.io -n shop readers', exit: 1 },
        EXISTS,
        ...beforeFixes(),
      ],
      besideScript: { 'v1beta1-policies.yaml': POLICIES },
    });
    expect(run.status).not.toBe(0);
    expect(kubectlCalls(run).some((call) => call.includes(' delete '))).toBe(false);
  });

  it('without v1beta1-policies.yaml next to it, --apply refuses and changes nothing; a dry run only prints', () => {
    const missing = runScript(script, {
      args: ['--apply', '--yes', '--phase', 'prepare'],
      responses: [EXISTS, ...beforeFixes()],
    });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/v1beta1-policies\.yaml is missing: rerun meshready scan/);
    expect(kubectlCalls(missing)).toEqual([]);
    const dry = runScript(script, { args: ['--phase', 'prepare'] });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    expect(dry.stdout).toMatch(/would run: kubectl apply --dry-run=server -f \S*v1beta1-policies\.yaml/);
  });
});
