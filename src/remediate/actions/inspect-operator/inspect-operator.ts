/** istio-operator-health: find out why an IstioOperator is not HEALTHY (a TODO). */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name, optionalText } from '../common.ts';

export default defineFixAction({
  action: 'inspect-operator',
  params: z.object({ namespace: name, name, status: optionalText }),
  order: 50,
  functions: [],
  summary: 'Find out why the IstioOperator is not healthy (TODO)',
  title: () => 'Find out why the IstioOperator is not HEALTHY',
  steps: ([p]) =>
    p
      ? [
          {
            kind: 'comment',
            text: 'Human decision: the operator installs the 1.6 control plane the namespaces will move to.',
            once: true,
          },
          { kind: 'check', argv: ['kubectl', 'get', 'istiooperators', '-n', p.namespace] },
          {
            kind: 'check',
            argv: ['kubectl', 'get', 'pods', '--all-namespaces', '-l', 'name=istio-operator'],
          },
          {
            kind: 'todo',
            text: `IstioOperator ${p.namespace}/${p.name} reports status ${p.status || 'no status'}: find out why (its events, the operator's logs) and fix it before moving namespaces`,
            commands: [{ argv: ['kubectl', 'describe', 'istiooperator', '-n', p.namespace, p.name] }],
          },
        ]
      : [],
});
