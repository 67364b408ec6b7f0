/**
 * Istio 1.6 protocol selection for Service ports, as in Istio 1.6.0
 * pkg/config/kube/conversion.go ConvertProtocol and pkg/config/protocol (SPEC §5).
 */
import type { ServicePort } from '../snapshot/model.ts';

export type IstioProtocol =
  | 'TCP'
  | 'UDP'
  | 'GRPC'
  | 'GRPC-Web'
  | 'HTTP'
  | 'HTTP_PROXY'
  | 'HTTP2'
  | 'HTTPS'
  | 'Thrift'
  | 'TLS'
  | 'Mongo'
  | 'Redis'
  | 'MySQL'
  | 'Unsupported';

const BY_NAME: Readonly<Record<string, IstioProtocol>> = {
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  http: 'HTTP',
  http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2',
  https: 'HTTPS',
  thrift: 'Thrift',
  tls: 'TLS',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
};

/** Ports on which an unsupported name falls back to TCP. */
export const WELL_KNOWN_PORTS: ReadonlySet<number> = new Set([25, 53, 3306, 27017]);

/** Protocols whose Envoy filters are off by default in 1.6: the traffic is proxied as plain TCP. */
export const PLAIN_TCP_BY_DEFAULT: ReadonlySet<IstioProtocol> = new Set(['MySQL', 'Redis', 'Thrift']);

/** protocol.Parse: case-insensitive, exact match. */
export function parseProtocolName(name: string): IstioProtocol {
  return BY_NAME[name.toLowerCase()] ?? 'Unsupported';
}

export interface ProtocolDecision {
  readonly protocol: IstioProtocol;
  /** What decided it, for messages. */
  readonly basis: 'udp' | 'appProtocol' | 'name' | 'well-known port';
}

export function protocolOf(port: ServicePort): ProtocolDecision {
  if (port.protocol?.toUpperCase() === 'UDP') return { protocol: 'UDP', basis: 'udp' };
  // appProtocol, when set, replaces the name entirely (honoured from 1.6.0).
  const basis = port.appProtocol !== undefined ? 'appProtocol' : 'name';
  let name = port.appProtocol ?? port.name ?? '';
  if (name.length >= 'grpc-web'.length && name.slice(0, 'grpc-web'.length).toLowerCase() === 'grpc-web') {
    return { protocol: 'GRPC-Web', basis };
  }
  const dash = name.indexOf('-');
  if (dash >= 0) name = name.slice(0, dash);
  const protocol = parseProtocolName(name);
  if (protocol === 'Unsupported' && WELL_KNOWN_PORTS.has(port.port)) {
    return { protocol: 'TCP', basis: 'well-known port' };
  }
  return { protocol, basis };
}
