import { describe, expect, it } from 'vitest';
import rule from '../../rules/mixer-custom-config.ts';
import { istioObject, namespace } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';

const mixer = (kind: string, ns: string, name: string, options: Parameters<typeof istioObject>[5] = {}) =>
  istioObject('config.istio.io/v1alpha2', kind, ns, name, {}, options);
const istioSystem = namespace('istio-system');

ruleTester(rule, {
  pass: [
    { name: "only the add-on's own Mixer configuration (fixture)", fixtures: ['pass-addon-only.yaml'] },
    { name: 'Istio installed, no Mixer object', documents: [istioSystem] },
    {
      name: 'Istio 1.4 Helm chart objects (release: istio, app: mixer) without the add-on label',
      documents: [
        istioSystem,
        mixer('attributemanifest', 'istio-system', 'istioproxy', {
          labels: { app: 'mixer', release: 'istio' },
        }),
      ],
    },
  ],
  fail: [
    {
      name: 'a user handler and rule beside the add-on configuration (fixture)',
      fixtures: ['fail-user-handler.yaml'],
      findings: [
        {
          severity: 'warning',
          message:
            /^Mixer handler shop\/denylist-bots \(config\.istio\.io\/v1alpha2\) was created by a user: Mixer is deprecated in Istio 1\.6/,
          resource: { kind: 'handler', namespace: 'shop', name: 'denylist-bots' },
          fix: {
            action: 'review-mixer-config',
            params: {
              kind: 'handler',
              resource: 'handlers.config.istio.io',
              namespace: 'shop',
              name: 'denylist-bots',
            },
          },
        },
        {
          message: 'Mixer rule shop/deny-bots',
          fix: { action: 'review-mixer-config', params: { resource: 'rules.config.istio.io' } },
        },
      ],
    },
    {
      name: 'for ASM targets the message says ASM has no Mixer',
      target: 'asm-1.7',
      fixtures: ['fail-user-handler.yaml'],
      findings: [
        { message: 'Anthos Service Mesh has no Mixer' },
        { message: 'Anthos Service Mesh has no Mixer' },
      ],
    },
    {
      name: 'a user object in istio-system without labels counts',
      documents: [istioSystem, mixer('handler', 'istio-system', 'my-stackdriver')],
      findings: [{ resource: { namespace: 'istio-system', name: 'my-stackdriver' } }],
    },
    {
      name: 'legacy adapter kinds get their kubectl plural (logentry -> logentries)',
      documents: [istioSystem, mixer('logentry', 'shop', 'accesslog')],
      findings: [
        { fix: { action: 'review-mixer-config', params: { resource: 'logentries.config.istio.io' } } },
      ],
    },
  ],
  notApplicable: [
    { name: 'Istio is not installed', documents: [namespace('default')], reason: 'Istio is not installed' },
  ],
  unknown: [
    {
      name: 'Mixer configuration not collected',
      documents: [istioSystem],
      notCollected: { mixerconfigs: 'forbidden (403)' },
      reason: 'Mixer configuration (config.istio.io) not collected: forbidden (403)',
    },
  ],
});

describe('mixer-custom-config remediation', () => {
  it('shows the object with its kubectl resource name', async () => {
    const result = await evaluateRule(rule, { name: 'commands', fixtures: ['fail-user-handler.yaml'] });
    expect(result.findings[0]?.remediation?.commands[0]).toBe(
      'kubectl get handlers.config.istio.io -n shop denylist-bots -o yaml',
    );
  });
});
