/** The converted objects as multi-document YAML, each preceded by a comment naming its sources. */
import { stringify } from 'yaml';
import { type ConvertedObject, describeSource } from './model.ts';

export const POLICIES_FILE_NAME = 'v1beta1-policies.yaml';

/** One line of comment text: cluster names cannot break out of the comment. */
function commentText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

export function sourceComment(converted: ConvertedObject): string {
  const [first, ...rest] = converted.sources;
  const from = first ? describeSource(first) : 'unknown';
  const also = rest.length > 0 ? ` (with ${rest.map(describeSource).join(', ')})` : '';
  return commentText(`converted from ${from}${also}: ${converted.purpose}`);
}

/**
 * No anchors or aliases (a shared subject list would otherwise become `&a1` / `*a1`), and every
 * string quoted where a YAML 1.1 reader such as kubectl's would retype it (`on`, `yes`, `12:30`),
 * which also covers YAML 1.2 readers.
 */
export function renderObjectYaml(converted: ConvertedObject): string {
  return stringify(converted.object, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });
}

export function renderPoliciesYaml(objects: readonly ConvertedObject[], header?: string): string {
  const docs = objects.map(
    (converted) => `---\n# ${sourceComment(converted)}\n${renderObjectYaml(converted)}`,
  );
  const head = header
    ? `${header
        .split('\n')
        .map((line) => `# ${commentText(line)}`)
        .join('\n')}\n`
    : '';
  return `${head}${docs.join('')}`;
}
