/**
 * The commands shown beside each finding in the reports, derived from its structured fix.
 * Every value that came from the cluster goes through shq(); nothing here runs anything.
 */
import type { Fix } from '../engine/vocabulary.ts';
import { commandLine } from './shell.ts';

type Params = Fix['params'];
type CommandBuilder = (params: Params) => string[];

function text(params: Params, key: string): string {
  const value = params[key];
  if (value === undefined) throw new Error(`fix parameter ${key} is missing`);
  return Array.isArray(value) ? value.join(',') : String(value);
}
function optional(params: Params, key: string): string | undefined {
  const value = params[key];
  return value === undefined || value === '' ? undefined : String(value);
}
function textList(params: Params, key: string): string[] {
  const value = params[key];
  return Array.isArray(value) ? value : value === undefined ? [] : [String(value)];
}

/** `--project P --location L` when known, for gcloud. */
function gcloudScope(params: Params): string[] {
  const scope: string[] = [];
  const location = optional(params, 'location');
  const project = optional(params, 'project');
  if (location) scope.push('--location', location);
  if (project) scope.push('--project', project);
  return scope;
}

const builders: Readonly<Record<string, CommandBuilder>> = {
  'upgrade-master': (p) => [
    commandLine([
      'gcloud',
      'container',
      'clusters',
      'upgrade',
      text(p, 'cluster'),
      '--master',
      '--cluster-version',
      text(p, 'version'),
      ...gcloudScope(p),
    ]),
  ],
  'migrate-v1alpha1-policy': (p) => [
    commandLine(['kubectl', 'get', text(p, 'resource'), ...namespaceArgs(p), text(p, 'name'), '-o', 'yaml']),
    `# Rewrite it as ${text(p, 'replacement')} (security.istio.io/v1beta1), apply that, then delete this object.`,
  ],
  'name-service-ports': (p) => [
    commandLine(['kubectl', 'edit', 'service', '-n', text(p, 'namespace'), text(p, 'name')]),
    ...textList(p, 'ports').map((port) => `# port ${port}: name it <protocol>[-<suffix>] or set appProtocol`),
    ...textList(p, 'suggestions').map((suggestion) => `# suggestion (check it before use): ${suggestion}`),
  ],
  'relabel-namespace': (p) => {
    const revision = optional(p, 'revision');
    if (!revision) {
      return [
        '# No istiod revision runs yet: install Istio 1.6 first, then relabel with',
        `# ${commandLine(['kubectl', 'label', 'namespace', text(p, 'namespace'), 'istio-injection-'])} istio.io/rev=<revision> --overwrite`,
      ];
    }
    return [
      commandLine([
        'kubectl',
        'label',
        'namespace',
        text(p, 'namespace'),
        'istio-injection-',
        `istio.io/rev=${revision}`,
        '--overwrite',
      ]),
    ];
  },
};

function namespaceArgs(params: Params): string[] {
  const namespace = optional(params, 'namespace');
  return namespace ? ['-n', namespace] : [];
}

export function commandsFor(fix: Fix): string[] {
  const builder = builders[fix.action];
  if (!builder) throw new Error(`no commands for fix action ${fix.action}`);
  return builder(fix.params);
}
