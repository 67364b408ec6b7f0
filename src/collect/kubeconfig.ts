/**
 * Which Kubernetes API server to read, and with which credentials: a kubeconfig (--kubeconfig,
 * else $KUBECONFIG, else ~/.kube/config) and one of its contexts (--context, else the current
 * one), or the pod's service account (--in-cluster).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError, UsageError } from '../errors.ts';

export interface KubeSourceOptions {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly inCluster?: boolean | undefined;
}

export interface KubeTarget {
  readonly kubeConfig: KubeConfig;
  /** The context name (`in-cluster` for the service account), for reports and error messages. */
  readonly context: string;
  readonly server: string;
}

export const IN_CLUSTER_CONTEXT = 'in-cluster';

function loadInCluster(env: Readonly<Record<string, string | undefined>>): KubeConfig {
  if (!env.KUBERNETES_SERVICE_HOST || !env.KUBERNETES_SERVICE_PORT) {
    throw new UsageError(
      '--in-cluster: not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST/PORT are not set); use --context or --kubeconfig',
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster();
  return kubeConfig;
}

function loadFile(file: string): KubeConfig {
  if (!existsSync(file)) throw new InputError(file, undefined, 'kubeconfig not found');
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(file);
  } catch (error) {
    throw new InputError(
      file,
      undefined,
      `not a valid kubeconfig: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return kubeConfig;
}

/** kubectl's merge of $KUBECONFIG files: the first file that names a cluster, user or context wins. */
function mergeKubeconfigs(configs: readonly KubeConfig[]): KubeConfig {
  const [first, ...rest] = configs;
  if (!first) return new KubeConfig();
  for (const other of rest) {
    first.currentContext ||= other.currentContext;
    for (const cluster of other.clusters) if (!first.getCluster(cluster.name)) first.addCluster(cluster);
    for (const user of other.users) if (!first.getUser(user.name)) first.addUser(user);
    for (const context of other.contexts)
      if (!first.getContextObject(context.name)) first.addContext(context);
  }
  return first;
}

export function loadKubeTarget(
  options: KubeSourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): KubeTarget {
  if (options.inCluster && (options.kubeconfig !== undefined || options.context !== undefined)) {
    throw new UsageError(
      '--in-cluster reads the pod service account: do not combine it with --kubeconfig or --context',
    );
  }
  if (options.inCluster) {
    const kubeConfig = loadInCluster(env);
    return { kubeConfig, context: IN_CLUSTER_CONTEXT, server: kubeConfig.getCurrentCluster()?.server ?? '' };
  }
  const files =
    options.kubeconfig !== undefined
      ? [options.kubeconfig]
      : env.KUBECONFIG
        ? env.KUBECONFIG.split(path.delimiter).filter(Boolean)
        : [path.join(env.HOME ?? homedir(), '.kube', 'config')];
  const source = files.join(path.delimiter);
  if (options.kubeconfig === undefined && !files.some((file) => existsSync(file))) {
    throw new UsageError(
      `no kubeconfig at ${source}: give --snapshot PATH to scan files, or a cluster with --kubeconfig FILE (see \`gcloud container clusters get-credentials\`) or --in-cluster`,
    );
  }
  const readable = options.kubeconfig !== undefined ? files : files.filter((file) => existsSync(file));
  const kubeConfig = mergeKubeconfigs(readable.map(loadFile));
  if (options.context !== undefined) {
    const names = kubeConfig.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new UsageError(
        `--context "${options.context}" is not in ${source} (contexts: ${names.join(', ') || 'none'})`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const context = kubeConfig.getCurrentContext();
  const cluster = kubeConfig.getCurrentCluster();
  if (!context || !cluster) {
    throw new UsageError(
      `no Kubernetes context to scan in ${source}: give --context NAME (or --kubeconfig FILE, or --in-cluster)`,
    );
  }
  if (isPlainHttp(cluster.server)) plainHttpAsKubectl(kubeConfig, cluster.name, context);
  return { kubeConfig, context, server: cluster.server };
}

/** Whether a server URL is plain http:// (the scheme, whatever its case). */
export function isPlainHttp(server: string): boolean {
  return /^http:/i.test(server);
}

/**
 * A plain http:// server, as kubectl reads one. kubectl talks to it (`kubectl proxy` on
 * localhost:8001 needs nothing more), but sends no credentials at all, to a loopback address or
 * any other: client-go reads the user's token, token file, client certificate, basic auth, auth
 * provider and exec plugin only when the transport is TLS (kubernetes/client-go
 * tools/clientcmd/client_config.go:230-231, "only try to read the auth information if we are
 * secure"; rest/config.go:586, IsConfigTransportTLS: the server URL's scheme is https).
 * meshready does the same, so the kubeconfig's credentials never cross the network in clear
 * text; there is no option to send them (kubectl has none): use the https:// address, or
 * `kubectl proxy`, which adds them itself. Impersonation is not a credential and is kept, as in
 * kubectl. The Kubernetes client also refuses http:// unless the cluster says
 * insecure-skip-tls-verify, which means nothing without TLS: it is said for such a cluster, so
 * every kubeconfig kubectl accepts works.
 */
function plainHttpAsKubectl(kubeConfig: KubeConfig, clusterName: string, contextName: string): void {
  kubeConfig.clusters = kubeConfig.clusters.map((cluster) =>
    cluster.name === clusterName && !cluster.skipTLSVerify ? { ...cluster, skipTLSVerify: true } : cluster,
  );
  const userName = kubeConfig.getContextObject(contextName)?.user;
  kubeConfig.users = kubeConfig.users.map((user) =>
    user.name === userName
      ? {
          name: user.name,
          ...(user.impersonateUser === undefined ? {} : { impersonateUser: user.impersonateUser }),
        }
      : user,
  );
}
