/**
 * The catalogue, in order (SPEC §4). Explicit, never a folder scan: test/rules/registry.test.ts
 * checks that every file in rules/ is registered here under its own id.
 */
import type { Rule } from '../src/engine/rule.ts';
import gkeUpgradeCrDeletion from './gke-upgrade-cr-deletion.ts';
import gkeVersionIstio16 from './gke-version-istio16.ts';
import namespaceInjectionLabels from './namespace-injection-labels.ts';
import servicePortNaming from './service-port-naming.ts';
import v1alpha1SecurityPolicy from './v1alpha1-security-policy.ts';

export const RULES: readonly Rule[] = Object.freeze([
  gkeVersionIstio16,
  gkeUpgradeCrDeletion,
  v1alpha1SecurityPolicy,
  servicePortNaming,
  namespaceInjectionLabels,
]);
