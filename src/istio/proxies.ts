/**
 * Whether a proxy belongs to the 1.4 control plane, from what its pod shows: the tag of its image
 * and its `istio.io/rev` label. The scan decides it here (MeshIndex.proxiesOn14, for
 * old-control-plane-scaledown); remediate.sh decides it again at run time, before the 1.4 control
 * plane is scaled down or a v1alpha1 policy deleted (`proxy_generation`,
 * src/remediate/checks/proxies.sh.hbs). One table of cases, test/conformance/old-proxy.json, runs
 * through both.
 */
import { imageTag } from '../engine/snapshot-index.ts';
import { isPreIstio16, parseIstioVersion } from './version.ts';

/**
 * `pre-1.6`: the image tag is an Istio version before 1.6 (a 1.4 proxy, whatever its labels say);
 * `1.6+`: a later version, or a tag that is no version on a pod with an `istio.io/rev` label (every
 * 1.6+ injector sets it, 1.4's never does); `unknown`: neither.
 */
export type ProxyGeneration = 'pre-1.6' | '1.6+' | 'unknown';

/** The generation of a proxy with this image, in a pod with this `istio.io/rev` label ('' counts as none). */
export function proxyGeneration(
  image: string | undefined,
  revisionLabel: string | undefined,
): ProxyGeneration {
  const tag = imageTag(image);
  const version = tag === undefined ? undefined : parseIstioVersion(tag);
  if (version) return isPreIstio16(version) ? 'pre-1.6' : '1.6+';
  return revisionLabel ? '1.6+' : 'unknown';
}
