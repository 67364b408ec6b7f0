import { defineRule, findingAbout, notApplicable, type RuleFinding } from '../src/engine/rule.ts';
import { parseGkeVersion } from '../src/gke/version.ts';
import { PLAIN_TCP_BY_DEFAULT, parseProtocolName, protocolOf } from '../src/istio/protocol.ts';
import { fix } from '../src/remediate/actions/index.ts';
import type { ClusterSnapshot, Service, ServicePort } from '../src/snapshot/model.ts';

/**
 * Whether `appProtocol` can be offered: the master is 1.19 or later. Kubernetes 1.17 drops the
 * field and 1.18 has it behind the alpha ServiceAppProtocol gate, off on GKE; without the master
 * version it is not offered.
 */
function appProtocolServed(snapshot: ClusterSnapshot): boolean {
  const text = snapshot.gkeCluster?.currentMasterVersion;
  const master = text === undefined ? undefined : parseGkeVersion(text);
  return master !== undefined && (master.major > 1 || master.minor >= 19);
}

/**
 * How long an inbound listener of Istio 1.6.0 waits to sniff a port's protocol:
 * PILOT_INBOUND_PROTOCOL_DETECTION_TIMEOUT (pilot/pkg/features/pilot.go:196-200), applied because
 * PILOT_ENABLE_PROTOCOL_SNIFFING_FOR_INBOUND defaults to true there (lines 177-181; false in
 * 1.4.10 pilot.go:188-192, where an unnamed inbound port was plain TCP: plugin.go:58-63).
 */
const INBOUND_DETECTION_TIMEOUT = '1 s';

const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Control-plane services: a label with key `istio`, or release=istio. */
function isIstioService(service: Service): boolean {
  const labels = service.metadata.labels ?? {};
  return 'istio' in labels || labels.release === 'istio';
}

function describePort(port: ServicePort): string {
  const protocol = port.protocol ?? 'TCP';
  const name = port.name ? `name "${port.name}"` : 'unnamed';
  const app = port.appProtocol !== undefined ? `, appProtocol "${port.appProtocol}"` : '';
  return `${port.port}/${protocol} (${name}${app})`;
}

/**
 * A port name suggested only on strong evidence; the remediation shows it as a comment and
 * never applies it.
 */
export function suggestPortName(port: ServicePort): { name: string; evidence: string } | undefined {
  if (typeof port.targetPort === 'string') {
    const prefix = port.targetPort.split('-')[0] ?? '';
    if (parseProtocolName(prefix) !== 'Unsupported' || port.targetPort.toLowerCase().startsWith('grpc-web')) {
      return {
        name: port.targetPort.toLowerCase(),
        evidence: `its targetPort is named "${port.targetPort}"`,
      };
    }
  }
  if (port.port === 80) return { name: 'http', evidence: 'port 80 carries HTTP by convention' };
  if (port.port === 443) return { name: 'https', evidence: 'port 443 carries HTTPS by convention' };
  return undefined;
}

export default defineRule({
  id: 'service-port-naming',
  title: 'Service ports declare their protocol',
  phase: 'prepare',
  targets: ['istio-1.6', 'asm-1.6', 'asm-1.7'],
  defaultSeverity: { 'istio-1.6': 'warning', 'asm-1.6': 'error', 'asm-1.7': 'error' },
  needs: ['services'],
  docs: {
    summary: 'A Service port has no protocol Istio 1.6 can determine from its name or appProtocol.',
    checks:
      'Applies Istio 1.6 protocol selection to every Service port outside kube-system, kube-public and ' +
      'kube-node-lease, skipping control-plane services (a label with key `istio`, or `release=istio`). ' +
      '`protocol: UDP` is UDP; otherwise `appProtocol` when set, else the port name: a name starting with ' +
      '`grpc-web` is gRPC-Web, else the text before the first `-`, case-insensitive, must be one of tcp, udp, ' +
      'grpc, grpc-web, http, http_proxy, http2, https, thrift, tls, mongo, redis, mysql. Ports 25, 53, 3306 and ' +
      '27017 fall back to TCP. One finding per Service lists its failing ports. Ports resolved as mysql, redis ' +
      'or thrift get an info finding: those filters are off by default, so the traffic is plain TCP. The ' +
      'message and fix offer `appProtocol` only when the master version is 1.19 or later.',
    why:
      'Istio takes a port\'s protocol from its name ("protocol selection"); a port it cannot read is sniffed, ' +
      'the first bytes of each connection deciding. Istio 1.4 sniffed only outbound and treated such a port as ' +
      'plain TCP inbound (1.4.10 `pilot/pkg/networking/plugin/plugin.go:58-63`, ' +
      '`PILOT_ENABLE_PROTOCOL_SNIFFING_FOR_INBOUND` false in `pilot/pkg/features/pilot.go:188-192`); 1.6 sniffs ' +
      'inbound too (the same flag defaults to true in 1.6.0 `pilot.go:177-181`), waiting up to ' +
      '`PILOT_INBOUND_PROTOCOL_DETECTION_TIMEOUT`, 1 s (`pilot.go:196-200`), for the client to speak. HTTP is ' +
      'usually detected; a server-first protocol (the server speaks first: MySQL or SMTP off their well-known ' +
      'ports, NATS, FTP, …) waits up to 1 s on every new connection, and routing rules, policies and metrics ' +
      'see a guessed protocol instead of a declared one. The guide asks for named ports for Anthos Service ' +
      'Mesh ("Upgrading to Istio 1.6 with the operator", "Requirements"), hence an error for ASM targets and ' +
      'a warning for Istio 1.6. `appProtocol` is no remedy on the masters this migration runs on: Kubernetes ' +
      '1.17 drops the field and 1.18 serves it only behind the alpha ServiceAppProtocol feature gate, off on ' +
      'GKE; it is GA from 1.19 (Kubernetes "Service: application protocol").',
    fix:
      'Rename the port to `<protocol>[-<suffix>]` (for example `http-web`, `grpc`, `tcp-db`); `appProtocol` is ' +
      'offered only when the master is 1.19 or later. meshready suggests a name when the evidence is strong ' +
      '(port 80, 443, or a targetPort named after a protocol) but never applies it: check what the port ' +
      'really carries first.',
    references: [
      {
        title: 'Istio: protocol selection',
        url: 'https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/',
      },
      {
        title: 'Kubernetes: Service application protocol (appProtocol)',
        url: 'https://kubernetes.io/docs/concepts/services-networking/service/#application-protocol',
      },
      {
        title: 'Anthos Service Mesh: naming service ports',
        url: 'https://cloud.google.com/service-mesh/docs/naming-service-ports',
      },
    ],
  },
  check(snapshot) {
    const appProtocol = appProtocolServed(snapshot);
    const services = snapshot.kube.services.filter(
      (s) => !SYSTEM_NAMESPACES.has(s.metadata.namespace ?? '') && !isIstioService(s),
    );
    if (services.length === 0) return notApplicable('no Services outside the system namespaces');
    const findings: RuleFinding[] = [];
    for (const service of services) {
      const failing: { port: ServicePort; index: number }[] = [];
      const plainTcp: string[] = [];
      service.ports.forEach((port, index) => {
        const { protocol } = protocolOf(port);
        if (protocol === 'Unsupported') failing.push({ port, index });
        else if (PLAIN_TCP_BY_DEFAULT.has(protocol)) plainTcp.push(`${describePort(port)} -> ${protocol}`);
      });
      const where = `${service.metadata.namespace}/${service.metadata.name}`;
      if (failing.length > 0) {
        const several = failing.length > 1;
        const suggestions = failing.flatMap(({ port, index }) => {
          const suggestion = suggestPortName(port);
          return suggestion ? [{ index, port, ...suggestion }] : [];
        });
        findings.push(
          findingAbout(
            service,
            `Service ${where}: Istio 1.6 cannot tell the protocol of ${several ? 'ports' : 'port'} ` +
              `${failing.map(({ port }) => describePort(port)).join(', ')} from ${several ? 'their names' : 'its name'}, ` +
              `so it sniffs ${several ? 'them' : 'it'}: outbound, as 1.4 did, and now inbound too, where it waits up ` +
              `to ${INBOUND_DETECTION_TIMEOUT} for the client to speak. A server-first protocol there (the server speaks ` +
              'first: MySQL or SMTP off their usual ports, NATS, FTP) gets that delay on every connection, and ' +
              'routing rules, policies and metrics see a guessed protocol. Name the ' +
              `${several ? 'ports' : 'port'} <protocol>[-<suffix>] (e.g. http-web, grpc, tcp-db)` +
              `${appProtocol ? ' or set appProtocol' : ''}.`,
            {
              key: 'unnamed',
              fix: fix('name-service-ports', {
                namespace: service.metadata.namespace ?? 'default',
                name: service.metadata.name,
                ports: failing.map(({ port }) => describePort(port)),
                suggestions: suggestions.map((s) => `port ${s.port.port}: "${s.name}" (${s.evidence})`),
                patches: suggestions.map((s) => `${s.index}=${s.name}`),
                appProtocol,
              }),
            },
          ),
        );
      }
      if (plainTcp.length > 0) {
        findings.push(
          findingAbout(
            service,
            `Service ${where}: ${plainTcp.join(', ')} is proxied as plain TCP (that filter is disabled by ` +
              'default in Istio 1.6); no action needed unless you relied on protocol-specific features.',
            { key: 'plain-tcp', severity: 'info' },
          ),
        );
      }
    }
    return findings;
  },
});
