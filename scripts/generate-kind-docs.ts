/**
 * Writes the parts of docs/ that list the Kubernetes kinds meshready reads, generated from the
 * table of kinds (src/snapshot/kinds.ts) and the rules' `needs`: the "what it reads" table of
 * docs/live.md and the dump commands of docs/snapshots.md. Each sits between two HTML comments
 * in its file; `npm run docs` rewrites them, and test/snapshot/kinds.test.ts fails when a
 * committed one is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { RULES } from '../rules/index.ts';
import type { Rule } from '../src/engine/rule.ts';
import { PACKAGE_ROOT } from '../src/package-root.ts';
import { type ApiResource, KIND_TABLE, type KindDeclaration, type KubeKind } from '../src/snapshot/kinds.ts';
import { COMMON_FIELDS, metadataSchema } from '../src/snapshot/kube-shapes.ts';

const KUBE_KINDS = Object.keys(KIND_TABLE) as KubeKind[];
const code = (text: string) => `\`${text}\``;

/** `pods`, `deployments.apps`: how kubectl names a resource unambiguously. */
function kubectlName(resource: ApiResource): string {
  return resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
}

/** "v1, else v1beta1 only, or `extensions` in files": the versions (and groups) a resource is read in. */
function versionsOf(resource: ApiResource): string {
  const versions = [resource.version, ...resource.olderVersions].join(', else ');
  const only = resource.loadedVersions ? ' only' : '';
  const also = resource.alsoLoadedFrom.map((group) => `, or ${code(group)} in files`).join('');
  return `${versions}${only}${also}`;
}

function describeResources(declaration: KindDeclaration): string {
  const resources = declaration.resources;
  if (resources.length === 0) {
    return declaration.catchesOtherCustomKinds
      ? 'snapshot files only: every namespaced kind of an API group Kubernetes does not serve itself'
      : 'snapshot files only';
  }
  const [first] = resources;
  if (first?.resource === '*') {
    const granted = (first.grantedResources ?? []).map(code).join(', ');
    return `every resource of ${code(first.group)} ${versionsOf(first)} that discovery finds (the RBAC grants ${granted})`;
  }
  const names = resources.map((resource) => code(kubectlName(resource))).join(', ');
  const versions = new Set(resources.map(versionsOf));
  return versions.size === 1
    ? `${names} ${versionsOf(first as ApiResource)}`
    : resources.map((resource) => `${code(kubectlName(resource))} ${versionsOf(resource)}`).join(', ');
}

function describeWhere(declaration: KindDeclaration): string {
  const where: string[] = [];
  if (declaration.namespace !== undefined) where.push(`only ${code(declaration.namespace)}`);
  else {
    const clusterScoped = declaration.resources.filter((resource) => resource.scope === 'Cluster');
    if (clusterScoped.length === declaration.resources.length) where.push('cluster-scoped');
    else if (clusterScoped.length === 0) where.push('all namespaces');
    else {
      const names = clusterScoped.map((resource) => code(resource.resource)).join(' and ');
      where.push(`all namespaces (${names} cluster-scoped)`);
    }
  }
  if (declaration.keepOnly) where.push(`kept only those ${declaration.keepOnly.says}`);
  return where.join('; ');
}

/** The stripped fields beyond those every object has. */
function keptFields(declaration: KindDeclaration): string {
  const schema = declaration.kept.schema;
  if (!(schema instanceof z.ZodObject)) throw new Error('a kept shape is a zod object');
  const fields = Object.keys(schema.shape).filter((name) => !COMMON_FIELDS.includes(name));
  return fields.length === 0 ? '—' : fields.map(code).join(', ');
}

function rulesNeeding(part: KubeKind, rules: readonly Rule[]): string {
  const ids = rules
    .filter((rule) => rule.needs.includes(part))
    .map((rule) => `[${rule.id}](rules.md#${rule.id})`);
  return ids.length === 0 ? '—' : ids.join(', ');
}

/** docs/live.md: what a scan reads of each kind, and which rules need it. */
export function kindsReadMarkdown(rules: readonly Rule[]): string {
  const metadataFields = Object.keys(metadataSchema.shape).map(code).join(', ');
  const lines = [
    `Every object keeps its API version, kind and metadata (${metadataFields})`,
    'and the file and line it was read from; the table says what else. The rules listed need the part:',
    'they report `unknown` when it was not collected (others read a part when it is there).',
    '',
    '| part | API resources | where | also kept | rules that need it |',
    '|---|---|---|---|---|',
  ];
  for (const part of KUBE_KINDS) {
    const declaration: KindDeclaration = KIND_TABLE[part];
    lines.push(
      `| ${declaration.label} | ${describeResources(declaration)} | ${describeWhere(declaration)} | ${keptFields(declaration)} | ${rulesNeeding(part, rules)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const LOOP_INDENT = ' '.repeat('for kind in '.length);
const MAX_LINE = 100;

/** docs/snapshots.md: the kubectl commands that dump every kind the rules read. */
export function kindsDumpShell(): string {
  // Words of the loop, one group per line: one API group's resources, or its discovery.
  const groups: { group: string; words: string[] }[] = [];
  const separate: string[] = [];
  for (const part of KUBE_KINDS) {
    const declaration: KindDeclaration = KIND_TABLE[part];
    for (const resource of declaration.resources) {
      const name = kubectlName(resource);
      const where = declaration.namespace === undefined ? '-A' : `-n ${declaration.namespace}`;
      if (declaration.readsFieldManagers) {
        separate.push(
          `# ${declaration.label} with their field managers (who edited them); kubectl before 1.21 shows them unasked`,
          `kubectl get ${name} ${where} -o yaml --show-managed-fields > ${name}.yaml ||`,
          `  kubectl get ${name} ${where} -o yaml > ${name}.yaml`,
        );
        continue;
      }
      if (declaration.namespace !== undefined) {
        separate.push(`kubectl get ${name} ${where} -o yaml > ${name}.yaml`);
        continue;
      }
      const word =
        resource.resource === '*'
          ? `$(kubectl api-resources --api-group=${resource.group} -o name)`
          : kubectlName(resource);
      const last = groups.at(-1);
      if (last?.group === resource.group && resource.resource !== '*') last.words.push(word);
      else groups.push({ group: resource.group, words: [word] });
    }
  }
  const loopLines: string[] = [];
  for (const { words } of groups) {
    let line = '';
    for (const word of words) {
      if (line !== '' && LOOP_INDENT.length + line.length + 1 + word.length > MAX_LINE) {
        loopLines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    loopLines.push(line);
  }
  return [
    '```sh',
    'mkdir snapshot && cd snapshot',
    '# every kind the rules read, one file each; a kind whose CRD is not installed prints an error you can ignore',
    `for kind in ${loopLines.join(` \\\n${LOOP_INDENT}`)}; do`,
    '  kubectl get "$kind" -A -o yaml > "$kind.yaml"',
    'done',
    ...separate,
    '```',
    '',
  ].join('\n');
}

/** The generated blocks, by file and name. */
export const KIND_DOC_BLOCKS: Readonly<Record<string, Readonly<Record<string, () => string>>>> = {
  'docs/live.md': { 'kinds-read': () => kindsReadMarkdown(RULES) },
  'docs/snapshots.md': { 'kinds-dump': kindsDumpShell },
};

export function blockMarkers(name: string): { begin: string; end: string } {
  return {
    begin: `<!-- generated from src/snapshot/kinds.ts by \`npm run docs\`: ${name} -->\n`,
    end: `<!-- end of generated ${name} -->\n`,
  };
}

/** The text between a block's markers, or undefined when the file does not have them. */
export function generatedBlock(text: string, name: string): string | undefined {
  const { begin, end } = blockMarkers(name);
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start);
  return start < 0 || stop < 0 ? undefined : text.slice(start + begin.length, stop);
}

/** The file's text with the block's content replaced. */
export function withGeneratedBlock(text: string, name: string, content: string): string {
  const { begin, end } = blockMarkers(name);
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start);
  if (start < 0 || stop < 0)
    throw new Error(`no generated block ${name} (markers: ${begin.trim()} … ${end.trim()})`);
  return `${text.slice(0, start + begin.length)}${content}${text.slice(stop)}`;
}

if (import.meta.main) {
  for (const [file, blocks] of Object.entries(KIND_DOC_BLOCKS)) {
    const where = path.join(PACKAGE_ROOT, file);
    let text = readFileSync(where, 'utf8');
    for (const [name, make] of Object.entries(blocks)) text = withGeneratedBlock(text, name, make());
    writeFileSync(where, text);
    console.log(`wrote ${file}`);
  }
}
