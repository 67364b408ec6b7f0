/**
 * Services as the v1alpha1 policies name them, resolved to the workload labels v1beta1 selects
 * on. v1alpha1 RBAC matched a service by its FQDN (`name.namespace.svc.cluster.local`), with `*`
 * for every service and a leading or trailing `*` for a suffix or prefix match.
 */
import type { Service } from '../snapshot/model.ts';
import { NotConvertible } from './model.ts';

const CLUSTER_DOMAIN = 'svc.cluster.local';

export class ServiceDirectory {
  private readonly byNamespace = new Map<string, Service[]>();

  constructor(services: readonly Service[]) {
    for (const service of services) {
      const namespace = service.metadata.namespace ?? 'default';
      const list = this.byNamespace.get(namespace) ?? [];
      list.push(service);
      this.byNamespace.set(namespace, list);
    }
  }

  inNamespace(namespace: string): readonly Service[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  byName(namespace: string, name: string): Service | undefined {
    return this.inNamespace(namespace).find((s) => s.metadata.name === name);
  }

  /** The Services of a namespace a v1alpha1 service pattern matches (`*`, `prefix*`, `*suffix`, a name). */
  matching(namespace: string, pattern: string): Service[] {
    return this.inNamespace(namespace).filter((service) => serviceMatches(service, namespace, pattern));
  }

  /**
   * A fully qualified service name (`name.ns.svc.cluster.local`, or `name.ns`) to its Service,
   * as ClusterRbacConfig inclusion and exclusion lists name them.
   */
  byFqdn(fqdn: string): Service | undefined {
    const [name, namespace] = fqdn.split('.');
    if (!name || !namespace) return undefined;
    return this.byName(namespace, name);
  }
}

export function fqdnOf(service: Service): string {
  return `${service.metadata.name}.${service.metadata.namespace ?? 'default'}.${CLUSTER_DOMAIN}`;
}

export function serviceMatches(service: Service, namespace: string, pattern: string): boolean {
  const fqdn = fqdnOf(service);
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return fqdn.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return fqdn.startsWith(pattern.slice(0, -1));
  const name = service.metadata.name;
  return pattern === fqdn || pattern === name || pattern === `${name}.${namespace}`;
}

/** The workload labels behind a Service; a Service without a selector selects no workload. */
export function selectorOf(service: Service): Record<string, string> {
  const labels = service.selector;
  if (!labels || Object.keys(labels).length === 0) {
    throw new NotConvertible(
      `Service ${service.metadata.namespace}/${service.metadata.name} has no spec.selector, so no workload labels to select`,
    );
  }
  return sortedLabels(labels);
}

export function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function sameLabels(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
