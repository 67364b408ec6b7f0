/** The HTML report shows each v1alpha1 policy beside the v1beta1 objects meshready wrote for it. */
import { describe, expect, it } from 'vitest';
import { RULE_CATALOGUE } from '../../src/cli/rule-catalogue.ts';
import { renderHtml } from '../../src/report/html.ts';
import { demoReport, scanDocuments } from '../report/reports.ts';
import { documents } from './convert-cases.ts';

function conversionBlocks(html: string): string[] {
  return [...html.matchAll(/<div class="conversion">([\s\S]*?)<\/div>/g)].map((m) => m[1] ?? '');
}

describe('the v1alpha1 / v1beta1 pair in the HTML report', () => {
  it('shows, for each v1alpha1 finding of the demo, the object read and the objects written', async () => {
    const html = renderHtml(await demoReport(), { rules: RULE_CATALOGUE });
    const blocks = conversionBlocks(html);
    // Five v1alpha1 objects; the add-on's own PERMISSIVE MeshPolicy is advice with nothing to convert.
    expect(blocks).toHaveLength(4);
    expect(blocks.some((b) => b.includes('kind: MeshPolicy'))).toBe(false);
    const binding = blocks.find((b) => b.includes('kind: ServiceRoleBinding'));
    expect(binding).toBeDefined();
    expect(binding).toContain('v1beta1, in v1beta1-policies.yaml');
    expect(binding).toContain('kind: AuthorizationPolicy');
    expect(binding).toContain('cluster.local/ns/shop/sa/cart');
  });

  it('says why nothing was written, and escapes what came from the cluster', () => {
    const report = scanDocuments(
      documents(`
apiVersion: v1
kind: Namespace
metadata: { name: istio-system }
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: { name: "<b>role</b>", namespace: shop }
spec: { rules: [{ services: ["<script>x</script>"] }] }
`),
    );
    const blocks = conversionBlocks(renderHtml(report, { rules: RULE_CATALOGUE }));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toContain('v1beta1: none written');
    expect(blocks[0]).toContain('meshready could not convert it: there is no ClusterRbacConfig');
    expect(blocks[0]).not.toContain('<script>');
    expect(blocks[0]).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});
