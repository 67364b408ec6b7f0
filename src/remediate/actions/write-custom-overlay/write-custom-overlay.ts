/**
 * install-asm-preconditions: `meshready scan` writes `overlay` (an IstioOperator YAML with the
 * operator's customisations) to `file` next to the reports; the install step passes
 * `--custom_overlay file` to install_asm. Its step is a note inside that install step.
 */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name } from '../common.ts';

export default defineFixAction({
  action: 'write-custom-overlay',
  params: z.object({
    operator: name,
    namespace: name,
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.yaml$/),
    overlay: name,
    settings: z.array(z.string()),
  }),
  order: 230,
  functions: [],
  summary: "Keep the operator's customisations for install_asm",
  title: () => "Keep the operator's customisations for install_asm",
  steps: (group) =>
    group.map((p) => ({
      kind: 'note',
      text: `The customisations of IstioOperator ${p.operator} (${p.settings.join(', ')}) are in ${p.file}, written by meshready scan next to the reports: review it, then keep --custom_overlay below.`,
    })),
});
