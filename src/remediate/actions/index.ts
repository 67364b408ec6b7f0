/**
 * The fix actions: one module per action in this folder, each with its parameters (zod), its place
 * in the guide's order, and its steps. Rules build fixes with `fix(action, params)` (type-checked);
 * the planner (../plan.ts) turns them into steps, which both the reports and remediate.sh render.
 */
import type { z } from 'zod';
import type { Fix } from '../../engine/vocabulary.ts';
import type { FixActionDefinition } from '../step.ts';
import addNodePool from './add-node-pool.ts';
import autoscaleNodePool from './autoscale-node-pool.ts';
import backupIstioSystemCrs from './backup-istio-system-crs.ts';
import consolidateNodePools from './consolidate-node-pools.ts';
import deleteGalleyWebhook from './delete-galley-webhook.ts';
import deleteV1alpha1Policy from './delete-v1alpha1-policy.ts';
import enableOperatorGateway from './enable-operator-gateway.ts';
import enableWorkloadIdentity from './enable-workload-identity.ts';
import fixVirtualServiceFields from './fix-virtualservice-fields.ts';
import gatewayUpgradeOutage from './gateway-upgrade-outage.ts';
import inspectIstiod from './inspect-istiod.ts';
import inspectOperator from './inspect-operator.ts';
import migrateV1alpha1Policy from './migrate-v1alpha1-policy.ts';
import nameServicePorts from './name-service-ports.ts';
import openWebhookPort from './open-webhook-port.ts';
import relabelNamespace from './relabel-namespace.ts';
import replaceNodePool from './replace-node-pool.ts';
import restartWorkload from './restart-workload.ts';
import restoreOldControlPlane from './restore-old-control-plane.ts';
import restrictGalleyClusterRole from './restrict-galley-clusterrole.ts';
import reviewEnvoyFilter from './review-envoyfilter.ts';
import reviewMixerConfig from './review-mixer-config.ts';
import scaleDownOldControlPlane from './scale-down-old-control-plane.ts';
import setOperatorProfile from './set-operator-profile.ts';
import updateGatewayPortRefs from './update-gateway-port-refs.ts';
import upgradeMaster from './upgrade-master.ts';
import writeCustomOverlay from './write-custom-overlay.ts';

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
export type FixParams<A extends FixAction> = z.input<(typeof FIX_ACTIONS)[A]['params']>;

/** A structured fix, with its parameters checked against the action's schema. */
export function fix<A extends FixAction>(action: A, params: FixParams<A>): Fix {
  const parsed = FIX_ACTIONS[action].params.parse(params) as Record<string, unknown>;
  for (const key of Object.keys(parsed)) if (parsed[key] === undefined) delete parsed[key];
  return { action, params: parsed as Fix['params'] };
}

export function isFixAction(action: string): action is FixAction {
  return Object.hasOwn(FIX_ACTIONS, action);
}

/** The definition of an action, untyped for the planner (which parsed the parameters itself). */
export function actionDefinition(action: FixAction): FixActionDefinition {
  return FIX_ACTIONS[action] as unknown as FixActionDefinition;
}
