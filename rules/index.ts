/**
 * The catalogue, in order (SPEC §4). Explicit, never a folder scan: test/rules/registry.test.ts
 * checks that every file in rules/ is registered here under its own id.
 */
import type { Rule } from '../src/engine/rule.ts';
import clusterVcpuCapacity from './cluster-vcpu-capacity.ts';
import envoyfilterUsage from './envoyfilter-usage.ts';
import galleyValidatingWebhook from './galley-validating-webhook.ts';
import galleyWebhookClusterrole from './galley-webhook-clusterrole.ts';
import gatewayPortChanges from './gateway-port-changes.ts';
import gkeUpgradeCrDeletion from './gke-upgrade-cr-deletion.ts';
import gkeVersionIstio16 from './gke-version-istio16.ts';
import ingressGatewayRevision from './ingress-gateway-revision.ts';
import ingressGatewayUpgradeDisruption from './ingress-gateway-upgrade-disruption.ts';
import installAsmPreconditions from './install-asm-preconditions.ts';
import istioOperatorHealth from './istio-operator-health.ts';
import istioOperatorProfile from './istio-operator-profile.ts';
import istiodRevisionReady from './istiod-revision-ready.ts';
import mixerCustomConfig from './mixer-custom-config.ts';
import namespaceInjectionLabels from './namespace-injection-labels.ts';
import nodeMachineVcpu from './node-machine-vcpu.ts';
import oldControlPlaneScaledown from './old-control-plane-scaledown.ts';
import servicePortNaming from './service-port-naming.ts';
import sidecarProxyVersion from './sidecar-proxy-version.ts';
import v1alpha1SecurityPolicy from './v1alpha1-security-policy.ts';
import virtualserviceRemovedFields from './virtualservice-removed-fields.ts';
import vpcScMeshCa from './vpc-sc-mesh-ca.ts';
import webhookFirewall15017 from './webhook-firewall-15017.ts';
import workloadIdentity from './workload-identity.ts';

export const RULES: readonly Rule[] = Object.freeze([
  gkeVersionIstio16,
  gkeUpgradeCrDeletion,
  ingressGatewayUpgradeDisruption,
  istiodRevisionReady,
  istioOperatorHealth,
  v1alpha1SecurityPolicy,
  galleyWebhookClusterrole,
  galleyValidatingWebhook,
  envoyfilterUsage,
  mixerCustomConfig,
  virtualserviceRemovedFields,
  servicePortNaming,
  nodeMachineVcpu,
  clusterVcpuCapacity,
  workloadIdentity,
  webhookFirewall15017,
  vpcScMeshCa,
  namespaceInjectionLabels,
  sidecarProxyVersion,
  ingressGatewayRevision,
  oldControlPlaneScaledown,
  istioOperatorProfile,
  gatewayPortChanges,
  installAsmPreconditions,
]);
