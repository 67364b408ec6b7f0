/**
 * webhook-firewall-15017: add tcp:15017 to `rule` keeping `allowed` (gcloud `--allow` items), or,
 * without a GKE master rule, create `newRule` from `sourceRange` to `targetTags`.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name, optionalText } from '../common.ts';

export default defineFixAction({
  action: 'open-webhook-port',
  params: z.object({
    project: optionalText,
    network: name,
    rule: optionalText,
    allowed: z.array(z.string()),
    newRule: name,
    sourceRange: name,
    targetTags: z.array(z.string()),
  }),
  order: 160,
  functions: ['open_webhook_port'],
  summary: 'Open TCP 15017 from the control plane to the nodes',
  title: (p) =>
    p.rule
      ? `Open TCP 15017 from the control plane to the nodes: add it to firewall rule ${p.rule}`
      : `Open TCP 15017 from the control plane to the nodes: create firewall rule ${p.newRule}`,
  steps: ([p]) => {
    if (!p) return [];
    const scope = p.project ? ['--project', p.project] : [];
    const allowed = p.allowed.join(',');
    const tags = p.targetTags.join(',');
    const argv = p.rule
      ? [
          'gcloud',
          'compute',
          'firewall-rules',
          'update',
          p.rule,
          ...scope,
          '--allow',
          `${allowed ? `${allowed},` : ''}tcp:15017`,
        ]
      : [
          'gcloud',
          'compute',
          'firewall-rules',
          'create',
          p.newRule,
          ...scope,
          '--network',
          p.network,
          '--direction',
          'INGRESS',
          '--source-ranges',
          p.sourceRange,
          ...(tags ? ['--target-tags', tags] : []),
          '--allow',
          'tcp:15017',
          '--description',
          'Anthos Service Mesh: sidecar injection webhook from the GKE control plane (meshready)',
        ];
    return [
      {
        kind: 'call',
        fn: 'open_webhook_port',
        args: [p.project ?? '', p.network, p.rule ?? '', p.newRule, p.sourceRange, tags, allowed],
        shows: [{ kind: 'run', argv }],
      },
    ];
  },
});
