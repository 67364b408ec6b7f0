/**
 * service-port-naming: name Service ports (a TODO: only a person knows what a port carries). All
 * of them make one step, one command per Service. `ports` describe the failing ports,
 * `suggestions` explain suggested names, `patches` are `index=name` pairs shown as commands, never
 * applied.
 */
import { z } from 'zod';
import { defineFixAction, type Step } from '../../step.ts';
import { name } from '../common.ts';

/** Above this many Services the step leaves the list of their ports to the report. */
const DETAIL_LIMIT = 50;

/** `index=name` as the JSON patch that names port `index`. */
function portPatch(pair: string): string[] {
  const match = /^(\d+)=(.+)$/s.exec(pair);
  if (!match) return [];
  const [, index, portName] = match as unknown as [string, string, string];
  return [JSON.stringify([{ op: 'add', path: `/spec/ports/${index}/name`, value: portName }])];
}

export default defineFixAction({
  action: 'name-service-ports',
  params: z.object({
    namespace: name,
    name,
    ports: z.array(z.string()),
    suggestions: z.array(z.string()),
    patches: z.array(z.string()),
    /** Whether `appProtocol` may be offered: only on a 1.19+ master (1.17 drops it, 1.18 gates it off). */
    appProtocol: z.boolean().optional(),
  }),
  order: 120,
  functions: [],
  summary: 'Name Service ports (TODO)',
  title: () => 'Name Service ports so that Istio can tell their protocol',
  group: () => 'all',
  steps: (group) => {
    const first = group[0];
    if (!first) return [];
    const appProtocol = group.every((p) => p.appProtocol === true) ? ' or set appProtocol' : '';
    const steps: Step[] = [
      {
        kind: 'comment',
        text: 'Human decision: only you know what a port carries. Name it <protocol>[-<suffix>] (http, http2,',
      },
      {
        kind: 'comment',
        text: `https, grpc, grpc-web, tcp, tls, mongo, mysql, redis, udp)${appProtocol}. Ports:`,
      },
    ];
    if (group.length > DETAIL_LIMIT) {
      steps.push({
        kind: 'comment',
        text: `  ${group.length} Services: the report lists the ports of each, and suggestions where it has any.`,
      });
    } else {
      for (const p of group) {
        steps.push({ kind: 'comment', text: `  ${p.namespace}/${p.name}: ${p.ports.join('; ')}` });
        for (const suggestion of p.suggestions) {
          steps.push({
            kind: 'comment',
            text: `    suggestion, on strong evidence but still to check: ${suggestion}`,
          });
        }
      }
    }
    steps.push({
      kind: 'todo',
      text:
        group.length === 1
          ? `Name these ports <protocol>[-<suffix>]${appProtocol}: ${first.ports.join('; ')}`
          : `Name the ports of these ${group.length} Services <protocol>[-<suffix>]${appProtocol}, one command each below`,
      commands: [
        ...group.map((p, index) => ({
          argv: ['kubectl', 'edit', 'service', '-n', p.namespace, p.name],
          for: [index],
        })),
        ...group.flatMap((p, index) =>
          p.patches.flatMap(portPatch).map((patch) => ({
            argv: ['kubectl', 'patch', 'service', '-n', p.namespace, p.name, '--type=json', '-p', patch],
            for: [index],
          })),
        ),
      ],
    });
    return steps;
  },
});
