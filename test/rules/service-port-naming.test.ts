import { describe, expect, it } from 'vitest';
import rule, { suggestPortName } from '../../rules/service-port-naming.ts';
import { protocolOf } from '../../src/istio/protocol.ts';
import { renderPlanStep } from '../../src/remediate/script.ts';
import { gkeCluster, service } from '../helpers/objects.ts';
import { evaluateRule, ruleTester } from '../helpers/rule-tester.ts';
import { plannedStep } from './planned-steps.ts';

const svc = (ports: Record<string, unknown>[], ns = 'shop', name = 'web', labels?: Record<string, string>) =>
  service(ns, name, ports, labels ? { labels } : {});

describe('Istio 1.6 protocol selection (SPEC §5)', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['http', { name: 'http', port: 8080 }, 'HTTP'],
    ['http-web', { name: 'http-web', port: 8080 }, 'HTTP'],
    ['HTTP2-x (case-insensitive)', { name: 'HTTP2-x', port: 8080 }, 'HTTP2'],
    ['grpc-web-ui (grpc-web prefix before the dash split)', { name: 'grpc-web-ui', port: 8080 }, 'GRPC-Web'],
    ['GRPC-WEB (case-insensitive grpc-web)', { name: 'GRPC-WEB', port: 8080 }, 'GRPC-Web'],
    ['grpc-websocket is grpc-web by prefix, as in Istio', { name: 'grpc-websocket', port: 8080 }, 'GRPC-Web'],
    ['tcp', { name: 'tcp', port: 8080 }, 'TCP'],
    ['http_proxy', { name: 'http_proxy', port: 8080 }, 'HTTP_PROXY'],
    ['mongo-primary', { name: 'mongo-primary', port: 8080 }, 'Mongo'],
    ['tls', { name: 'tls', port: 8443 }, 'TLS'],
    ['empty name', { port: 8080 }, 'Unsupported'],
    ['web', { name: 'web', port: 8080 }, 'Unsupported'],
    ['httpx', { name: 'httpx', port: 8080 }, 'Unsupported'],
    ['metrics', { name: 'metrics', port: 8080 }, 'Unsupported'],
    ['a leading dash', { name: '-http', port: 8080 }, 'Unsupported'],
    ['UDP protocol wins over any name', { name: 'web', port: 8080, protocol: 'UDP' }, 'UDP'],
    ['appProtocol replaces the name', { name: 'web', port: 8080, appProtocol: 'http' }, 'HTTP'],
    [
      'an unsupported appProtocol is not rescued by a good name',
      { name: 'http', port: 8080, appProtocol: 'kubernetes.io/h2c' },
      'Unsupported',
    ],
    [
      'an unsupported appProtocol on a well-known port falls back to TCP',
      { port: 3306, appProtocol: 'x' },
      'TCP',
    ],
    ['well-known port 25', { port: 25 }, 'TCP'],
    ['well-known port 53', { name: 'dns', port: 53 }, 'TCP'],
    ['well-known port 3306', { name: 'db', port: 3306 }, 'TCP'],
    ['well-known port 27017', { port: 27017 }, 'TCP'],
    ['well-known ports keep a supported name', { name: 'mysql', port: 3306 }, 'MySQL'],
    ['port 80 is not well-known', { port: 80 }, 'Unsupported'],
  ];
  for (const [label, port, protocol] of cases) {
    it(`${label} -> ${protocol}`, () => {
      expect(protocolOf(port as never).protocol).toBe(protocol);
    });
  }
});

describe('port name suggestions (strong evidence only)', () => {
  it('suggests http for 80, https for 443 and a protocol-named targetPort', () => {
    expect(suggestPortName({ port: 80 })?.name).toBe('http');
    expect(suggestPortName({ port: 443 })?.name).toBe('https');
    expect(suggestPortName({ port: 9000, targetPort: 'grpc' })?.name).toBe('grpc');
    expect(suggestPortName({ port: 9000, targetPort: 'grpc-web' })?.name).toBe('grpc-web');
  });
  it('suggests nothing on weak evidence', () => {
    expect(suggestPortName({ port: 8080 })).toBeUndefined();
    expect(suggestPortName({ port: 9000, targetPort: 'api' })).toBeUndefined();
    expect(suggestPortName({ port: 9000, targetPort: 8080 })).toBeUndefined();
  });
});

ruleTester(rule, {
  pass: [
    { name: 'named ports, and the skipped system namespaces (fixture)', fixtures: ['pass-named.yaml'] },
    {
      name: 'UDP, appProtocol and well-known ports',
      documents: [
        svc([
          { port: 5353, protocol: 'UDP' },
          { name: 'web', port: 8080, appProtocol: 'http' },
          { port: 27017 },
          { name: 'smtp', port: 25 },
        ]),
      ],
    },
    {
      name: 'control-plane services: a label with key istio, or release=istio',
      documents: [
        svc([{ port: 15010 }], 'istio-system', 'istio-pilot', { istio: 'pilot' }),
        svc([{ port: 443 }], 'istio-system', 'istio-galley', { release: 'istio' }),
        svc([{ name: 'http', port: 80 }]),
      ],
    },
    {
      name: 'kube-public and kube-node-lease are skipped',
      documents: [
        svc([{ port: 1 }], 'kube-public'),
        svc([{ port: 1 }], 'kube-node-lease'),
        svc([{ name: 'tcp', port: 1 }]),
      ],
    },
  ],
  fail: [
    {
      name: 'one finding per Service listing its failing ports, with suggestions (fixture)',
      fixtures: ['fail-unnamed.yaml'],
      findings: [
        {
          message: /^Service shop\/cart: .* port 8080\/TCP \(unnamed\)/,
          severity: 'warning',
          resource: { kind: 'Service', namespace: 'shop', name: 'cart' },
          fix: { action: 'name-service-ports', params: { suggestions: [], patches: [] } },
        },
        { message: /^Service shop\/frontend: .* port 9090\/TCP \(name "metrics"\) from its name,/ },
      ],
    },
    {
      name: 'empty, web, httpx and metrics fail; 80 gets a suggestion',
      documents: [
        svc([
          { port: 80 },
          { name: 'web', port: 81 },
          { name: 'httpx', port: 82 },
          { name: 'metrics', port: 83 },
          { name: 'http', port: 84 },
        ]),
      ],
      findings: [
        {
          message:
            /ports 80\/TCP \(unnamed\), 81\/TCP \(name "web"\), 82\/TCP \(name "httpx"\), 83\/TCP \(name "metrics"\) from their names, so it sniffs them:.* Name the ports <protocol>/,
          fix: { action: 'name-service-ports', params: { patches: ['0=http'] } },
        },
      ],
    },
    {
      name: 'says what changes from 1.4: inbound sniffing with a 1 s wait, the server-first hazard; the fix is a name',
      documents: [svc([{ port: 4222, targetPort: 4222 }])],
      findings: [
        {
          message:
            'Service shop/web: Istio 1.6 cannot tell the protocol of port 4222/TCP (unnamed) from its name, so it ' +
            'sniffs it: outbound, as 1.4 did, and now inbound too, where it waits up to 1 s for the client to speak. ' +
            'A server-first protocol there (the server speaks first: MySQL or SMTP off their usual ports, NATS, FTP) ' +
            'gets that delay on every connection, and routing rules, policies and metrics see a guessed protocol. ' +
            'Name the port <protocol>[-<suffix>] (e.g. http-web, grpc, tcp-db).',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'is an error for ASM targets',
      target: 'asm-1.7',
      documents: [svc([{ name: 'web', port: 8080 }])],
      findings: [
        {
          severity: 'error',
          message:
            'Service shop/web: Istio 1.6 cannot tell the protocol of port 8080/TCP (name "web") from its name',
          resource: { kind: 'Service', namespace: 'shop', name: 'web' },
        },
      ],
    },
    {
      name: 'mysql, redis and thrift get an info note (plain TCP by default), not a failure',
      documents: [
        svc(
          [
            { name: 'redis', port: 6379 },
            { name: 'thrift-api', port: 9090 },
          ],
          'cache',
          'redis',
        ),
      ],
      findings: [{ severity: 'info', message: /proxied as plain TCP/ }],
    },
    {
      name: 'a targetPort named grpc is suggested, never applied',
      documents: [svc([{ name: 'api', port: 9000, targetPort: 'grpc' }])],
      findings: [{ fix: { action: 'name-service-ports', params: { patches: ['0=grpc'] } } }],
    },
  ],
  notApplicable: [
    {
      name: 'no Services outside the system namespaces',
      documents: [svc([{ port: 1 }], 'kube-system')],
      reason: 'no Services',
    },
  ],
  unknown: [
    {
      name: 'Services not collected',
      documents: [svc([{ port: 1 }])],
      notCollected: { services: 'forbidden' },
      reason: 'Services not collected',
    },
  ],
});

describe('appProtocol is offered only on a 1.19+ master', () => {
  const unnamed = svc([{ port: 9000, targetPort: 9000 }]);
  it.each([
    ['1.17.12-gke.1501', false],
    ['1.18.9-gke.1501', false],
    ['1.19.3-gke.2100', true],
  ])('master %s: appProtocol offered = %s', async (masterVersion, offered) => {
    const input = {
      name: masterVersion,
      documents: [gkeCluster({ currentMasterVersion: masterVersion }), unnamed],
    };
    const result = await evaluateRule(rule, input);
    const finding = result.findings[0];
    expect(finding?.fix?.params).toMatchObject({ appProtocol: offered });
    expect(finding?.message.includes('appProtocol')).toBe(offered);
    expect(finding?.remediation?.commands).toEqual(['kubectl edit service -n shop web']);
    // The offer is in the TODO's text (and the guidance comment), the commands being the same.
    const step = await plannedStep(rule, input, 'name-service-ports');
    const todo = step.steps.find((s) => s.kind === 'todo');
    expect(todo?.kind === 'todo' && todo.text).toBe(
      `Name these ports <protocol>[-<suffix>]${offered ? ' or set appProtocol' : ''}: 9000/TCP (unnamed)`,
    );
    expect(renderPlanStep(step).includes('appProtocol')).toBe(offered);
  });

  it('is not offered when the master version is unknown (no GKE data)', async () => {
    const result = await evaluateRule(rule, { name: 'no gke', documents: [unnamed] });
    expect(result.findings[0]?.message).not.toContain('appProtocol');
    expect(result.findings[0]?.fix?.params).toMatchObject({ appProtocol: false });
  });
});
