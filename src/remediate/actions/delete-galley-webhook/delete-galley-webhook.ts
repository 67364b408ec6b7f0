/** galley-validating-webhook: back up, then delete the 1.4 galley validating webhook (guide, step 4). */
import { z } from 'zod';
import { defineFixAction } from '../../step.ts';
import { name } from '../common.ts';

export default defineFixAction({
  action: 'delete-galley-webhook',
  params: z.object({ name }),
  order: 80,
  functions: [],
  summary: 'Back up and delete the 1.4 galley validating webhook',
  title: () => 'Back up, then delete the 1.4 galley validating webhook (guide, step 4)',
  steps: ([p], context) =>
    p
      ? [
          { kind: 'done-unless', check: 'object-exists', args: ['validatingwebhookconfiguration', p.name] },
          {
            kind: 'backup',
            file: context.backup('validatingwebhookconfiguration', p.name),
            argv: ['kubectl', 'get', 'validatingwebhookconfiguration', p.name, '-o', 'yaml'],
          },
          {
            kind: 'run',
            argv: ['kubectl', 'delete', 'validatingwebhookconfiguration', p.name, '--ignore-not-found'],
          },
        ]
      : [],
});
