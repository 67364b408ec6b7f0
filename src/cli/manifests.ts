/**
 * `meshready manifests`: prints the YAML for a scheduled in-cluster scan (read-only RBAC and a
 * hardened CronJob). It prints; it never applies anything.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RULES } from '../../rules/index.ts';
import { parseConfig } from '../config/parse.ts';
import type { Severity, Target } from '../engine/vocabulary.ts';
import { InputError, UsageError } from '../errors.ts';
import { inClusterManifests } from '../manifests/in-cluster.ts';
import {
  DEFAULT_KUBE_VERSION,
  DEFAULT_NAMESPACE,
  DEFAULT_SCHEDULE,
  type InClusterOptions,
  optionProblems,
  parseKubeVersion,
} from '../manifests/options.ts';
import { renderManifests } from '../manifests/render.ts';
import { TOOL_VERSION } from '../package-root.ts';
import type { CliIO } from './io.ts';

export const DEFAULT_IMAGE = `ghcr.io/meshready/meshready:${TOOL_VERSION}`;

export interface ManifestsCommandOptions {
  readonly namespace?: string | undefined;
  readonly createNamespace?: boolean | undefined;
  readonly image?: string | undefined;
  readonly schedule?: string | undefined;
  readonly kubeVersion?: string | undefined;
  readonly gcpServiceAccount?: string | undefined;
  readonly project?: string | undefined;
  readonly location?: string | undefined;
  readonly cluster?: string | undefined;
  readonly target?: Target | undefined;
  readonly failOn?: Severity | 'never' | undefined;
  readonly outputClaim?: string | undefined;
  /** A meshready.yaml to ship in a ConfigMap; validated first. */
  readonly config?: string | undefined;
}

async function readConfigText(file: string, io: CliIO): Promise<string> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      undefined,
      code === 'ENOENT' ? 'configuration file not found' : `cannot read (${code})`,
    );
  }
  parseConfig(file, text, new Set(RULES.map((rule) => rule.id)));
  return text;
}

export async function manifests(options: ManifestsCommandOptions, io: CliIO): Promise<number> {
  const kubeVersionText = options.kubeVersion ?? DEFAULT_KUBE_VERSION;
  const kubeVersion = parseKubeVersion(kubeVersionText);
  if (!kubeVersion) {
    throw new UsageError(`--kube-version "${kubeVersionText}" is not a Kubernetes version (e.g. 1.17)`);
  }
  const inCluster: InClusterOptions = {
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    createNamespace: options.createNamespace ?? true,
    image: options.image ?? DEFAULT_IMAGE,
    schedule: options.schedule ?? DEFAULT_SCHEDULE,
    kubeVersion,
    gcpServiceAccount: options.gcpServiceAccount,
    project: options.project,
    location: options.location,
    cluster: options.cluster,
    target: options.target,
    failOn: options.failOn,
    outputClaim: options.outputClaim,
    configText: options.config === undefined ? undefined : await readConfigText(options.config, io),
  };
  const problems = optionProblems(inCluster);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  io.stdout.write(renderManifests(inClusterManifests(inCluster), inCluster));
  return 0;
}
