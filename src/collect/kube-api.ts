/**
 * The Kubernetes API calls the collector makes, through `@kubernetes/client-node`: discovery
 * (/api, /apis, /apis/<group>/<version>) and one page of a list. Built-in kinds go through the
 * typed APIs, Istio's custom resources through CustomObjectsApi. Every request carries a
 * deadline (it also bounds reading the body) and meshready's User-Agent.
 *
 * Only GET requests exist here: this module has no create, update, patch, delete or watch.
 */
import {
  AdmissionregistrationV1Api,
  ApisApi,
  AppsV1Api,
  CoreApi,
  CoreV1Api,
  CustomObjectsApi,
  createConfiguration,
  type KubeConfig,
  RbacAuthorizationV1Api,
  ServerConfiguration,
} from '@kubernetes/client-node';

export interface ListTarget {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
}

export interface ListPage {
  readonly items: readonly Record<string, unknown>[];
  readonly continueToken: string | undefined;
}

export interface DiscoveredResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

interface PageRequest {
  readonly limit: number;
  readonly _continue?: string;
}

/** Typed list calls for the built-in kinds, by `group/resource` (core group: `/resource`). */
type TypedLister = (apis: TypedApis, request: PageRequest, namespace: string | undefined) => Promise<unknown>;

interface TypedApis {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly admission: AdmissionregistrationV1Api;
  readonly rbac: RbacAuthorizationV1Api;
}

const TYPED_LISTERS: Readonly<Record<string, TypedLister>> = {
  '/namespaces': (a, r) => a.core.listNamespace(r),
  '/nodes': (a, r) => a.core.listNode(r),
  '/services': (a, r, namespace) =>
    namespace ? a.core.listNamespacedService({ ...r, namespace }) : a.core.listServiceForAllNamespaces(r),
  '/pods': (a, r, namespace) =>
    namespace ? a.core.listNamespacedPod({ ...r, namespace }) : a.core.listPodForAllNamespaces(r),
  '/configmaps': (a, r, namespace) =>
    namespace ? a.core.listNamespacedConfigMap({ ...r, namespace }) : a.core.listConfigMapForAllNamespaces(r),
  'apps/deployments': (a, r) => a.apps.listDeploymentForAllNamespaces(r),
  'apps/statefulsets': (a, r) => a.apps.listStatefulSetForAllNamespaces(r),
  'apps/daemonsets': (a, r) => a.apps.listDaemonSetForAllNamespaces(r),
  'apps/replicasets': (a, r) => a.apps.listReplicaSetForAllNamespaces(r),
  'admissionregistration.k8s.io/validatingwebhookconfigurations': (a, r) =>
    a.admission.listValidatingWebhookConfiguration(r),
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': (a, r) =>
    a.admission.listMutatingWebhookConfiguration(r),
  'rbac.authorization.k8s.io/clusterroles': (a, r) => a.rbac.listClusterRole(r),
};

/** The typed APIs are generated for these versions only. */
const TYPED_VERSION = 'v1';

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The last page has no `continue` token, or an empty one. */
function tokenOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The request an error came from, when known ("GET /api"), for messages. */
export function requestOf(error: unknown): string | undefined {
  const request = (error as { meshreadyRequest?: unknown } | undefined)?.meshreadyRequest;
  return typeof request === 'string' ? request : undefined;
}

/** Marks a failure with the request it came from, so a timeout can say which request timed out. */
async function namedRequest<T>(request: string, answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (typeof error === 'object' && error !== null) {
      Object.defineProperty(error, 'meshreadyRequest', { value: request, configurable: true });
    }
    throw error;
  }
}

export class KubeApi {
  private readonly typed: TypedApis;
  private readonly discoveryCore: CoreApi;
  private readonly discoveryGroups: ApisApi;
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, options: { requestTimeoutMs: number; userAgent: string }) {
    const server = kubeConfig.getCurrentCluster()?.server ?? '';
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [
        {
          pre: async (context) => {
            context.setHeaderParam('User-Agent', options.userAgent);
            context.setSignal(AbortSignal.timeout(options.requestTimeoutMs));
            return context;
          },
          post: async (response) => response,
        },
      ],
    });
    this.typed = {
      core: new CoreV1Api(configuration),
      apps: new AppsV1Api(configuration),
      admission: new AdmissionregistrationV1Api(configuration),
      rbac: new RbacAuthorizationV1Api(configuration),
    };
    this.discoveryCore = new CoreApi(configuration);
    this.discoveryGroups = new ApisApi(configuration);
    this.custom = new CustomObjectsApi(configuration);
  }

  /** GET /api and GET /apis: the served API versions, by group ("" for the core group). */
  async servedGroupVersions(): Promise<Map<string, Set<string>>> {
    const core = await namedRequest('GET /api', this.discoveryCore.getAPIVersions());
    const groups = await namedRequest('GET /apis', this.discoveryGroups.getAPIVersions());
    const served = new Map<string, Set<string>>([['', new Set(core.versions ?? [])]]);
    for (const group of groups.groups ?? []) {
      served.set(group.name, new Set((group.versions ?? []).map((v) => v.version)));
    }
    return served;
  }

  /** GET /apis/<group>/<version>: the resources of one group version. */
  async resourcesOf(group: string, version: string): Promise<DiscoveredResource[]> {
    const list = await this.custom.getAPIResources({ group, version });
    return (list.resources ?? []).map((r) => ({
      name: r.name,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: r.verbs ?? [],
    }));
  }

  /** One page of a list: `limit` objects from the `continue` token (none for the first page). */
  async listPage(target: ListTarget, limit: number, continueToken: string | undefined): Promise<ListPage> {
    const request: PageRequest =
      continueToken === undefined ? { limit } : { limit, _continue: continueToken };
    const typed = TYPED_LISTERS[`${target.group}/${target.resource}`];
    if (typed && target.version === TYPED_VERSION) {
      const list = asRecord(await typed(this.typed, request, target.namespace));
      const apiVersion = target.group === '' ? target.version : `${target.group}/${target.version}`;
      // Items of a built-in list carry no kind or apiVersion; the stripper needs them.
      const items = (Array.isArray(list.items) ? list.items : []).map((item) => ({
        ...asRecord(item),
        apiVersion,
        kind: target.kind,
      }));
      return { items, continueToken: tokenOf(asRecord(list.metadata)._continue) };
    }
    const { group, version, resource, namespace } = target;
    const list = asRecord(
      namespace
        ? await this.custom.listNamespacedCustomObject({
            group,
            version,
            namespace,
            plural: resource,
            ...request,
          })
        : await this.custom.listCustomObjectForAllNamespaces({
            group,
            version,
            resourcePlural: resource,
            ...request,
          }),
    );
    // A built-in kind listed this way (NetworkPolicy) comes without kind and apiVersion, like any
    // item of a built-in list; custom resources carry their own.
    const apiVersion = `${group}/${version}`;
    const items = (Array.isArray(list.items) ? list.items : []).map((item) => {
      const object = asRecord(item);
      return object.kind === undefined ? { ...object, apiVersion, kind: target.kind } : object;
    });
    return { items, continueToken: tokenOf(asRecord(list.metadata).continue) };
  }
}
