/**
 * Services as the v1alpha1 objects name them, resolved to the workload labels and ports v1beta1
 * selects on. Istio 1.4 knew a service by its hostname, `name.namespace.svc.cluster.local`:
 * ServiceRole `services` are matched against it exactly or by a prefix/suffix `*`
 * (pilot/pkg/security/authz/model/permission.go:52-55, util.go:28-53 at 1.4.10) and
 * ClusterRbacConfig inclusion/exclusion lists compare it for equality (pilot/pkg/model/authorization.go:268-283).
 */
import type { Service } from '../snapshot/model.ts';
import { NotConvertible } from './model.ts';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

export type Labels = Readonly<Record<string, string>>;

export function namespaceOf(service: Service): string {
  return service.metadata.namespace ?? 'default';
}

export function fqdnOf(service: Service): string {
  return `${service.metadata.name}.${namespaceOf(service)}.${CLUSTER_DOMAIN}`;
}

/** 1.4's stringMatch: exact, `*`, a prefix `x*` or a suffix `*x` (util.go:28-53). */
export function stringMatch14(value: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (p) =>
      value === p ||
      p === '*' ||
      (p.endsWith('*') && value.startsWith(p.slice(0, -1))) ||
      (p.startsWith('*') && value.endsWith(p.slice(1))),
  );
}

/** Whether a ServiceRole services pattern could ever match a hostname (it names a FQDN or uses `*`). */
export function looksLikeHostPattern(pattern: string): boolean {
  return pattern.includes('*') || pattern.endsWith(`.${CLUSTER_DOMAIN}`);
}

export function sortedLabels(labels: Labels): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function labelText(labels: Labels): string {
  return Object.entries(sortedLabels(labels))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Two selectors can select one pod unless some key has different values in them. */
export function compatible(a: Labels, b: Labels): boolean {
  return Object.entries(a).every(([key, value]) => b[key] === undefined || b[key] === value);
}

/** The workload labels behind a Service; a Service without a selector selects no workload. */
export function selectorOf(service: Service): Record<string, string> {
  const labels = service.selector;
  if (!labels || Object.keys(labels).length === 0) {
    throw new NotConvertible(
      `Service ${namespaceOf(service)}/${service.metadata.name} has no spec.selector, so no workload labels to select`,
    );
  }
  return sortedLabels(labels);
}

/** The workload (target) port a Service port forwards to: what the proxy and v1beta1 `ports` see. */
export function targetPortOf(service: Service, port: Service['ports'][number]): number {
  if (typeof port.targetPort === 'string') {
    throw new NotConvertible(
      `Service ${namespaceOf(service)}/${service.metadata.name} port ${port.port} has the named targetPort "${port.targetPort}", which needs the pods' container ports to resolve`,
    );
  }
  return port.targetPort === undefined || port.targetPort === 0 ? port.port : port.targetPort;
}

export class ServiceDirectory {
  private readonly byNamespace = new Map<string, Service[]>();

  constructor(services: readonly Service[]) {
    for (const service of services) {
      const list = this.byNamespace.get(namespaceOf(service)) ?? [];
      list.push(service);
      this.byNamespace.set(namespaceOf(service), list);
    }
    for (const list of this.byNamespace.values()) {
      list.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    }
  }

  inNamespace(namespace: string): readonly Service[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  all(): Service[] {
    return [...this.byNamespace.values()].flat();
  }

  byName(namespace: string, name: string): Service | undefined {
    return this.inNamespace(namespace).find((s) => s.metadata.name === name);
  }

  /** A hostname exactly as 1.4 compared it: `name.namespace.svc.cluster.local`. */
  byFqdn(hostname: string): Service | undefined {
    if (!hostname.endsWith(`.${CLUSTER_DOMAIN}`)) return undefined;
    const [name, namespace, ...rest] = hostname.slice(0, -CLUSTER_DOMAIN.length - 1).split('.');
    if (!name || !namespace || rest.length > 0) return undefined;
    return this.byName(namespace, name);
  }

  /** The Services of a namespace whose hostname one of the patterns matches. */
  matching(namespace: string, patterns: readonly string[]): Service[] {
    return this.inNamespace(namespace).filter((service) => stringMatch14(fqdnOf(service), patterns));
  }

  /**
   * Other Services of the namespace that may front the same pods (their selectors do not
   * conflict). 1.4 applied policy per Service port; a v1beta1 selector reaches every port of a pod.
   */
  sharingWorkloads(service: Service): Service[] {
    const cached = this.sharing.get(service);
    if (cached) return cached;
    const selector = service.selector ?? {};
    const found = Object.keys(selector).length === 0 ? [] : this.findSharing(service, selector);
    this.sharing.set(service, found);
    return found;
  }

  private readonly sharing = new Map<Service, Service[]>();

  private findSharing(service: Service, selector: Labels): Service[] {
    return this.inNamespace(namespaceOf(service)).filter(
      (other) =>
        other !== service &&
        Object.keys(other.selector ?? {}).length > 0 &&
        compatible(selector, other.selector ?? {}),
    );
  }

  /**
   * Services anywhere that may front pods a selector in the root namespace also selects: 1.6
   * applies a root-namespace policy with a selector to matching workloads of every namespace.
   */
  outsideNamespaceMatching(namespace: string, selector: Labels): Service[] {
    return this.all().filter(
      (s) =>
        namespaceOf(s) !== namespace &&
        Object.keys(s.selector ?? {}).length > 0 &&
        compatible(selector, s.selector ?? {}),
    );
  }
}
