/**
 * The Google Cloud clients the collector uses: GKE v1beta1 through `@google-cloud/container` over
 * REST (`fallback: true`), and the two Compute GETs (firewalls, machine types) as plain REST
 * through google-auth-library (compute-rest.ts), with credentials from Application Default
 * Credentials.
 *
 * `--container-api-endpoint` / `--compute-api-endpoint` point a client elsewhere: a private
 * endpoint (HTTPS, with ADC as usual) or, on a loopback address (emulators, tests), plain HTTP and
 * no credentials at all (PassThroughClient sends no Authorization header).
 */
import { v1beta1 } from '@google-cloud/container';
import { GoogleAuth, PassThroughClient } from 'google-auth-library';
import { UsageError } from '../errors.ts';
import { type ComputeRest, computeRest } from './compute-rest.ts';

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface GoogleEndpoint {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  readonly loopback: boolean;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** Parses an endpoint flag: an http(s) URL; plain HTTP only on a loopback address. */
export function parseGoogleEndpoint(flag: string, value: string): GoogleEndpoint {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `https://${value}`);
  } catch {
    throw new UsageError(`${flag}: "${value}" is not a URL (e.g. https://container.googleapis.com)`);
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw new UsageError(`${flag}: "${value}" must be an http:// or https:// URL`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (protocol === 'http' && !loopback) {
    throw new UsageError(
      `${flag}: plain HTTP is only allowed to a loopback address (127.0.0.1, ::1, localhost); use https://`,
    );
  }
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { url: url.origin, host: url.hostname.replace(/^\[|\]$/g, ''), port, protocol, loopback };
}

export interface GoogleClients {
  readonly clusters: v1beta1.ClusterManagerClient;
  /** Compute firewall rules and machine types, in their REST (gcloud JSON) shape. */
  readonly compute: ComputeRest;
  /** Where each API is reached, for messages. */
  readonly containerHost: string;
  readonly computeHost: string;
}

/** A type alias, not an interface: gax's options type has an index signature. */
type ClientOptions = {
  fallback: true;
  apiEndpoint?: string;
  port?: number;
  protocol?: 'http' | 'https';
  auth?: GoogleAuth;
  authClient?: PassThroughClient;
};

function clientOptions(endpoint: GoogleEndpoint | undefined, auth: () => GoogleAuth): ClientOptions {
  if (!endpoint) return { fallback: true, auth: auth() };
  const where = {
    fallback: true as const,
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
  };
  return endpoint.loopback ? { ...where, authClient: new PassThroughClient() } : { ...where, auth: auth() };
}

/** Why Application Default Credentials are unusable, or undefined when they work. */
export async function credentialsProblem(auth: GoogleAuth): Promise<string | undefined> {
  try {
    await auth.getClient();
    return undefined;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    return `no usable Google credentials (Application Default Credentials: ${message}); run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS`;
  }
}

export interface GoogleClientsResult {
  readonly clients: GoogleClients;
  /** Why the GKE API cannot be called: it needs ADC (not a loopback endpoint) and ADC is unusable. */
  readonly containerCredentialsProblem: string | undefined;
  /** The same for the Compute API. */
  readonly computeCredentialsProblem: string | undefined;
}

export async function makeGoogleClients(endpoints: {
  container?: GoogleEndpoint | undefined;
  compute?: GoogleEndpoint | undefined;
}): Promise<GoogleClientsResult> {
  let googleAuth: GoogleAuth | undefined;
  const auth = () => {
    googleAuth ??= new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
    return googleAuth;
  };
  const container = clientOptions(endpoints.container, auth);
  const clients: GoogleClients = {
    clusters: new v1beta1.ClusterManagerClient(container),
    compute: computeRest(
      endpoints.compute?.url ?? 'https://compute.googleapis.com',
      endpoints.compute?.loopback ? new PassThroughClient() : auth(),
    ),
    containerHost: endpoints.container?.url ?? 'https://container.googleapis.com',
    computeHost: endpoints.compute?.url ?? 'https://compute.googleapis.com',
  };
  const problem = googleAuth ? await credentialsProblem(googleAuth) : undefined;
  return {
    clients,
    containerCredentialsProblem: endpoints.container?.loopback ? undefined : problem,
    computeCredentialsProblem: endpoints.compute?.loopback ? undefined : problem,
  };
}

export async function closeGoogleClients(clients: GoogleClients): Promise<void> {
  await Promise.allSettled([clients.clusters.close()]);
}
