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
      'Service ports must be named `protocol[-suffix]` to be part of the mesh ("Upgrading to Istio 1.6 with ' +
      'the operator", ASM requirements; Istio "protocol selection"). A port whose protocol Istio cannot tell ' +
      'is not routed with the intended protocol, so HTTP routing, retries, metrics and authorization rules ' +
      'silently stop applying. `appProtocol` is no remedy on the masters this migration runs on: Kubernetes ' +
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
        const suggestions = failing.flatMap(({ port, index }) => {
          const suggestion = suggestPortName(port);
          return suggestion ? [{ index, port, ...suggestion }] : [];
        });
        findings.push(
          findingAbout(
            service,
            `Service ${where}: Istio 1.6 cannot determine the protocol of port${failing.length > 1 ? 's' : ''} ` +
              `${failing.map(({ port }) => describePort(port)).join(', ')}. Name ports <protocol>[-<suffix>] ` +
              `(e.g. http-web, grpc, tcp-db)${appProtocol ? ' or set appProtocol' : ''}.`,
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
