/**
 * Where a SARIF result points. GitHub code scanning needs a relative, percent-encoded URI that
 * resolves inside the repository: the manifest file and line when the object came from a file
 * under the SARIF root, otherwise a stable pseudo-path built from the object's identity.
 */
import path from 'node:path';
import type { Finding } from '../engine/report-model.ts';
import type { ResourceRef } from '../engine/vocabulary.ts';

export interface ArtifactPlace {
  /** Relative URI reference: no scheme, never absolute, every segment percent-encoded. */
  readonly uri: string;
  readonly startLine: number;
  /** True when the object has no file under the SARIF root and the URI is a pseudo-path. */
  readonly pseudo: boolean;
}

export interface PlaceContext {
  /** Absolute directory the URIs are relative to (`--sarif-root`). */
  readonly sarifRoot: string;
  /** Absolute directory that relative file paths in the report are relative to. */
  readonly workingDirectory: string;
  /** The cluster's name in pseudo-paths. */
  readonly clusterName: string;
}

/** The namespace segment of cluster-scoped objects; Kubernetes namespaces cannot start with `_`. */
export const CLUSTER_SCOPED_SEGMENT = '_cluster';

/**
 * One path segment as a URI segment. `.` and `..` are encoded too, so a hostile object name can
 * never make a pseudo-path climb out of its directory.
 */
export function encodeSegment(segment: string): string {
  const encoded = encodeURIComponent(segment);
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded;
}

export function pseudoPath(clusterName: string, resource: ResourceRef): string {
  return [
    'k8s',
    clusterName,
    resource.namespace ?? CLUSTER_SCOPED_SEGMENT,
    resource.kind,
    `${resource.name}.yaml`,
  ]
    .map(encodeSegment)
    .join('/');
}

/** The file relative to the SARIF root in POSIX form, or undefined when it lies outside it. */
export function relativeToRoot(file: string, context: PlaceContext): string | undefined {
  const absolute = path.resolve(context.workingDirectory, file);
  const relative = path.relative(context.sarifRoot, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/** Each input file's URI (or undefined: outside the root), per context: thousands of findings share a file. */
const fileUris = new WeakMap<PlaceContext, Map<string, string | undefined>>();

function fileUri(file: string, context: PlaceContext): string | undefined {
  let uris = fileUris.get(context);
  if (!uris) {
    uris = new Map();
    fileUris.set(context, uris);
  }
  if (uris.has(file)) return uris.get(file);
  const relative = relativeToRoot(file, context);
  const uri = relative === undefined ? undefined : relative.split('/').map(encodeSegment).join('/');
  uris.set(file, uri);
  return uri;
}

export function artifactPlace(finding: Finding, context: PlaceContext): ArtifactPlace {
  const uri = finding.location ? fileUri(finding.location.file, context) : undefined;
  if (uri !== undefined && finding.location) {
    return { uri, startLine: finding.location.line, pseudo: false };
  }
  return { uri: pseudoPath(context.clusterName, finding.resource), startLine: 1, pseudo: true };
}

/** `cluster/namespace/Kind/name`, the logical location beside the physical one. */
export function qualifiedName(clusterName: string, resource: ResourceRef): string {
  return [clusterName, resource.namespace ?? CLUSTER_SCOPED_SEGMENT, resource.kind, resource.name].join('/');
}
