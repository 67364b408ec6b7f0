/**
 * The fix actions: one folder per action (`<action>/<action>.ts`: its parameters (zod), its place
 * in the guide's order, its steps and what they show; `<action>/<action>.sh.hbs`: the bash
 * functions those steps call, when they call any). Rules build fixes with `fix(action, params)`
 * (type-checked); the planner (../plan.ts) checks a report's fixes with `checkFix` and turns them
 * into steps, which both the reports and remediate.sh render.
 */
import type { z } from 'zod';
import type { Fix } from '../../engine/vocabulary.ts';
import type { FixActionModel } from '../step.ts';
import addNodePool from './add-node-pool/add-node-pool.ts';
import autoscaleNodePool from './autoscale-node-pool/autoscale-node-pool.ts';
import backupIstioSystemCrs from './backup-istio-system-crs/backup-istio-system-crs.ts';
import consolidateNodePools from './consolidate-node-pools/consolidate-node-pools.ts';
import deleteGalleyWebhook from './delete-galley-webhook/delete-galley-webhook.ts';
import deleteV1alpha1Policy from './delete-v1alpha1-policy/delete-v1alpha1-policy.ts';
import enableOperatorGateway from './enable-operator-gateway/enable-operator-gateway.ts';
import enableWorkloadIdentity from './enable-workload-identity/enable-workload-identity.ts';
import fixVirtualServiceFields from './fix-virtualservice-fields/fix-virtualservice-fields.ts';
import gatewayUpgradeOutage from './gateway-upgrade-outage/gateway-upgrade-outage.ts';
import inspectIstiod from './inspect-istiod/inspect-istiod.ts';
import inspectOperator from './inspect-operator/inspect-operator.ts';
import migrateV1alpha1Policy from './migrate-v1alpha1-policy/migrate-v1alpha1-policy.ts';
import nameServicePorts from './name-service-ports/name-service-ports.ts';
import openWebhookPort from './open-webhook-port/open-webhook-port.ts';
import relabelNamespace from './relabel-namespace/relabel-namespace.ts';
import replaceNodePool from './replace-node-pool/replace-node-pool.ts';
import restartWorkload from './restart-workload/restart-workload.ts';
import restoreOldControlPlane from './restore-old-control-plane/restore-old-control-plane.ts';
import restrictGalleyClusterRole from './restrict-galley-clusterrole/restrict-galley-clusterrole.ts';
import reviewEnvoyFilter from './review-envoyfilter/review-envoyfilter.ts';
import reviewMixerConfig from './review-mixer-config/review-mixer-config.ts';
import scaleDownOldControlPlane from './scale-down-old-control-plane/scale-down-old-control-plane.ts';
import setOperatorProfile from './set-operator-profile/set-operator-profile.ts';
import updateGatewayPortRefs from './update-gateway-port-refs/update-gateway-port-refs.ts';
import upgradeMaster from './upgrade-master/upgrade-master.ts';
import writeCustomOverlay from './write-custom-overlay/write-custom-overlay.ts';

export const FIX_ACTIONS = {
  'upgrade-master': upgradeMaster,
  'backup-istio-system-crs': backupIstioSystemCrs,
  'gateway-upgrade-outage': gatewayUpgradeOutage,
  'restore-old-control-plane': restoreOldControlPlane,
  'inspect-istiod': inspectIstiod,
  'inspect-operator': inspectOperator,
  'restrict-galley-clusterrole': restrictGalleyClusterRole,
  'delete-galley-webhook': deleteGalleyWebhook,
  'migrate-v1alpha1-policy': migrateV1alpha1Policy,
  'review-envoyfilter': reviewEnvoyFilter,
  'review-mixer-config': reviewMixerConfig,
  'fix-virtualservice-fields': fixVirtualServiceFields,
  'name-service-ports': nameServicePorts,
  'replace-node-pool': replaceNodePool,
  'consolidate-node-pools': consolidateNodePools,
  'add-node-pool': addNodePool,
  'autoscale-node-pool': autoscaleNodePool,
  'enable-workload-identity': enableWorkloadIdentity,
  'open-webhook-port': openWebhookPort,
  'relabel-namespace': relabelNamespace,
  'restart-workload': restartWorkload,
  'enable-operator-gateway': enableOperatorGateway,
  'update-gateway-port-refs': updateGatewayPortRefs,
  'scale-down-old-control-plane': scaleDownOldControlPlane,
  'delete-v1alpha1-policy': deleteV1alpha1Policy,
  'write-custom-overlay': writeCustomOverlay,
  'set-operator-profile': setOperatorProfile,
} as const;

export type FixAction = keyof typeof FIX_ACTIONS;
/** An action's parameters as a rule gives them (its schema's input). */
export type FixParams<A extends FixAction> = z.input<(typeof FIX_ACTIONS)[A]['params']>;
/** An action's parameters once its schema checked them (its schema's output). */
export type CheckedParams<A extends FixAction> = z.output<(typeof FIX_ACTIONS)[A]['params']>;
/** The bash functions fix actions define, each in its own action's folder. */
export type BashFunction = (typeof FIX_ACTIONS)[FixAction]['functions'][number];

/** A fix checked against its action's schema: a union discriminated by `action`. */
export type CheckedFix = {
  [A in FixAction]: { readonly action: A; readonly params: CheckedParams<A> };
}[FixAction];

/**
 * The registry as the planner reads it: for each action, a model whose parameters are that
 * action's. Indexed by a type parameter `A`, it gives `FixActionModel<CheckedParams<A>>`, so a
 * generic function handles every action with its own parameter type (no casts, no string keys).
 */
export type FixActionRegistry = {
  readonly [A in FixAction]: FixActionModel<CheckedParams<A>, BashFunction>;
};
export const FIX_ACTION_REGISTRY: FixActionRegistry = FIX_ACTIONS;

/** A structured fix, with its parameters checked against the action's schema. */
export function fix<A extends FixAction>(action: A, params: FixParams<A>): Fix {
  const parsed = FIX_ACTIONS[action].params.parse(params) as Record<string, unknown>;
  for (const key of Object.keys(parsed)) if (parsed[key] === undefined) delete parsed[key];
  return { action, params: parsed as Fix['params'] };
}

export function isFixAction(action: string): action is FixAction {
  return Object.hasOwn(FIX_ACTIONS, action);
}

/** A report's fix checked against its action's schema; undefined for an unknown action or bad parameters. */
export function checkFix(fix: Fix): CheckedFix | undefined {
  return isFixAction(fix.action) ? checkParams(fix.action, fix.params) : undefined;
}

function checkParams<A extends FixAction>(action: A, params: unknown): CheckedFix | undefined {
  const parsed = FIX_ACTIONS[action].params.safeParse(params);
  return parsed.success ? ({ action, params: parsed.data } as CheckedFix) : undefined;
}
