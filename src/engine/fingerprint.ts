import { createHash } from 'node:crypto';
import { apiGroup } from '../snapshot/strip.ts';
import type { ResourceRef } from './vocabulary.ts';

/**
 * A fingerprint that stays the same across scans of the same object: it depends on the rule,
 * the object's API group, kind, namespace and name, and the finding's key, never on the message,
 * the file it came from, the scan time or the cluster name.
 */
export function fingerprintOf(ruleId: string, resource: ResourceRef, key = ''): string {
  return createHash('sha256')
    .update(
      [
        ruleId,
        apiGroup(resource.apiVersion),
        resource.kind,
        resource.namespace ?? '',
        resource.name,
        key,
      ].join('\u0000'),
    )
    .digest('hex')
    .slice(0, 32);
}
