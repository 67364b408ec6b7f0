import { describe, expect, it } from 'vitest';
import rule from '../../rules/virtualservice-removed-fields.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { istioObject, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const vs = (ns: string, name: string, spec: unknown) =>
  istioObject('networking.istio.io/v1alpha3', 'VirtualService', ns, name, spec);
const destination = { destination: { host: 'cart' } };
const istioSystem = namespace('istio-system');

ruleTester(rule, {
  pass: [
    { name: 'rewritten with headers and percentage (fixture)', fixtures: ['pass-migrated.yaml'] },
    { name: 'Istio installed, no VirtualService', documents: [istioSystem] },
    {
      name: 'the deprecated but still accepted fault.delay.percent',
      documents: [
        vs('shop', 'cart', {
          http: [{ fault: { delay: { percent: 5, fixedDelay: '1s' } }, route: [destination] }],
        }),
      ],
    },
    {
      name: 'header fields under headers.request are the new API',
      documents: [
        vs('shop', 'cart', { http: [{ headers: { request: { add: { a: 'b' } } }, route: [destination] }] }),
      ],
    },
    {
      name: 'a VirtualService with tcp routes only',
      documents: [vs('db', 'mysql', { tcp: [{ route: [destination] }] })],
    },
  ],
  fail: [
    {
      name: 'appendHeaders, websocketUpgrade, fault abort.percent and destination header fields (fixture)',
      fixtures: ['fail-removed-fields.yaml'],
      findings: [
        {
          severity: 'warning',
          message:
            'VirtualService bookinfo/ratings uses fields Istio 1.6 no longer accepts: spec.http[0].fault.abort.percent -> abort.percentage.value; spec.http[1].route[1].appendResponseHeaders -> headers.response.add; spec.http[1].route[1].removeRequestHeaders -> headers.request.remove.',
          resource: { kind: 'VirtualService', namespace: 'bookinfo', name: 'ratings' },
          fix: {
            action: 'fix-virtualservice-fields',
            params: {
              namespace: 'bookinfo',
              name: 'ratings',
              fields: [
                'spec.http[0].fault.abort.percent',
                'spec.http[1].route[1].appendResponseHeaders',
                'spec.http[1].route[1].removeRequestHeaders',
              ],
            },
          },
        },
        {
          message:
            /^VirtualService catalog\/catalog uses fields .*: spec\.http\[0\]\.websocketUpgrade -> nothing: delete it .*; spec\.http\[0\]\.appendHeaders -> headers\.request\.add\.$/,
          fix: {
            action: 'fix-virtualservice-fields',
            params: { fields: ['spec.http[0].websocketUpgrade', 'spec.http[0].appendHeaders'] },
          },
        },
      ],
    },
    {
      name: 'the route-level header fields the 1.6 notes also removed',
      documents: [
        vs('shop', 'cart', {
          http: [
            {
              appendRequestHeaders: { a: 'b' },
              appendResponseHeaders: { c: 'd' },
              removeRequestHeaders: ['e'],
              removeResponseHeaders: ['f'],
              route: [destination],
            },
          ],
        }),
      ],
      findings: [
        {
          fix: {
            action: 'fix-virtualservice-fields',
            params: {
              fields: [
                'spec.http[0].appendRequestHeaders',
                'spec.http[0].appendResponseHeaders',
                'spec.http[0].removeRequestHeaders',
                'spec.http[0].removeResponseHeaders',
              ],
            },
          },
        },
      ],
    },
    {
      name: 'websocketUpgrade: false is still a removed field',
      documents: [vs('shop', 'cart', { http: [{ websocketUpgrade: false, route: [destination] }] })],
      findings: [{ message: 'spec.http[0].websocketUpgrade' }],
    },
    {
      name: 'found fields are reported even when another VirtualService is unreadable',
      documents: [
        vs('shop', 'cart', { http: [{ appendHeaders: { a: 'b' } }] }),
        vs('shop', 'broken', { http: 'not-a-list' }),
      ],
      findings: [{ resource: { name: 'cart' } }],
    },
  ],
  notApplicable: [
    { name: 'Istio is not installed', documents: [namespace('default')], reason: 'Istio is not installed' },
  ],
  unknown: [
    {
      name: 'VirtualServices not collected',
      documents: [istioSystem],
      notCollected: { virtualservices: 'forbidden (403)' },
      reason: 'VirtualServices not collected: forbidden (403)',
    },
    {
      name: 'a malformed spec (http is not a list)',
      documents: [istioSystem, vs('shop', 'broken', { http: { appendHeaders: { a: 'b' } } })],
      reason: 'cannot read a spec: VirtualService shop/broken: spec.http is not a list',
    },
  ],
});

describe('virtualservice-removed-fields remediation', () => {
  it('opens the VirtualService and says what replaces each field', async () => {
    const input = {
      name: 'commands',
      documents: [
        vs('shop', 'cart', {
          http: [{ appendHeaders: { a: 'b' }, fault: { abort: { percent: 10, httpStatus: 503 } } }],
        }),
      ],
    };
    const result = await evaluateRule(rule, input);
    expect(result.findings[0]?.remediation?.commands).toEqual(['kubectl edit virtualservice -n shop cart']);
    // What replaces each field is said in the step's comments, for the person doing the edit.
    const step = await plannedStep(rule, input, 'fix-virtualservice-fields');
    expect(step.steps.filter((s) => s.kind === 'comment').map((s) => s.kind === 'comment' && s.text)).toEqual(
      [
        'Human decision: each field found, and what replaces it in Istio 1.6:',
        '  spec.http[0].appendHeaders -> headers.request.add',
        '  spec.http[0].fault.abort.percent -> abort.percentage.value',
      ],
    );
    expect(renderPlanStep(step)).toContain('  #   spec.http[0].appendHeaders -> headers.request.add\n');
  });
});
