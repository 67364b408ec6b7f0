/** envoyfilter-usage: check an EnvoyFilter against the 1.6 proxy (a TODO). */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { getYaml, name } from '../common.ts';

export default defineFixAction({
  action: 'review-envoyfilter',
  params: z.object({ namespace: name, name }),
  order: 90,
  functions: [],
  summary: 'Review an EnvoyFilter (TODO)',
  title: () => 'Review an EnvoyFilter before the proxies change version',
  steps: ([p]) =>
    p
      ? [
          {
            kind: 'comment',
            text: 'Human decision: EnvoyFilter patches reach into Envoy internals that change between versions.',
            once: true,
          },
          {
            kind: 'comment',
            text: 'Check it against the 1.6 proxy; while 1.4 and 1.6 proxies coexist, give each version its own',
            once: true,
          },
          {
            kind: 'comment',
            text: "copy, selected with match.proxy.proxyVersion (for example '^1\\.6.*').",
            once: true,
          },
          {
            kind: 'todo',
            text: 'Check that this EnvoyFilter works with the 1.6 proxy (or add a 1.6 copy matched by proxyVersion) before moving its workloads',
            commands: [{ argv: getYaml('envoyfilter', p.namespace, p.name) }],
          },
        ]
      : [],
});
