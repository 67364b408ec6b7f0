/**
 * The GKE version gates of the migration ("Upgrading to Istio 1.6 with the operator", introduction and step 1).
 */
import { compareGkeVersions, type GkeVersion, gkeVersion, isAtLeast, sameMinor } from './version.ts';

/** Upgrading the cluster to this version or later installs the Istio 1.6 operator. */
export const ISTIO16_MINIMUM = gkeVersion('1.17.9-gke.6300');
/** Within 1.17.7 and 1.17.8 the operator came earlier (upgrade guide step 1: 1.17.7-gke.8+, 1.17.8-gke.6+). */
const ISTIO16_EARLY: readonly GkeVersion[] = [gkeVersion('1.17.7-gke.8'), gkeVersion('1.17.8-gke.6')];

/** First versions where upgrading from 1.16 no longer deletes custom resources in istio-system. */
export const CR_DELETION_FIXED_117 = gkeVersion('1.17.12-gke.1501');
export const CR_DELETION_FIXED_118 = gkeVersion('1.18.9-gke.1501');

/** The version meshready proposes for the master: has the operator and avoids the 1.16 bug. */
export const RECOMMENDED_UPGRADE = CR_DELETION_FIXED_117;

export function hasIstio16Operator(version: GkeVersion): boolean {
  if (version.major > 1 || (version.major === 1 && version.minor >= 18)) return true;
  const early = ISTIO16_EARLY.find((v) => sameMinor(version, v.major, v.minor, v.patch));
  if (early) return isAtLeast(version, early);
  return isAtLeast(version, ISTIO16_MINIMUM);
}

export function isMinor116(version: GkeVersion): boolean {
  return sameMinor(version, 1, 16);
}

/**
 * Whether upgrading a 1.16 master to `target` deletes the custom resources created in
 * istio-system: targets in 1.17 below 1.17.12-gke.1501 and in 1.18 below 1.18.9-gke.1501.
 */
export function upgradeDeletesCustomResources(target: GkeVersion): boolean {
  if (sameMinor(target, 1, 17)) return compareGkeVersions(target, CR_DELETION_FIXED_117) < 0;
  if (sameMinor(target, 1, 18)) return compareGkeVersions(target, CR_DELETION_FIXED_118) < 0;
  return false;
}
