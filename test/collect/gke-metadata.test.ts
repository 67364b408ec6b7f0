import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gkeTargetFromMetadata } from '../../src/collect/gke-metadata.ts';

/** A stand-in metadata server on 127.0.0.1 that records what it is asked. */
function metadataServer(values: Record<string, string>, options: { flavor?: boolean } = {}) {
  const requests: { method: string; url: string; flavor: string | undefined }[] = [];
  const server = http.createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      flavor: request.headers['metadata-flavor'] as string | undefined,
    });
    const value = values[(request.url ?? '').replace('/computeMetadata/v1/', '')];
    if (value === undefined) {
      response.statusCode = 404;
      response.end('not found');
      return;
    }
    if (options.flavor !== false) response.setHeader('Metadata-Flavor', 'Google');
    response.end(value);
  });
  return { server, requests };
}

const CLUSTER = {
  'project/project-id': 'acme-shop',
  'instance/attributes/cluster-name': 'shop-prod',
  'instance/attributes/cluster-location': 'europe-west1',
};

describe('GKE identity from the metadata server (--in-cluster)', () => {
  const real = metadataServer(CLUSTER);
  const impostor = metadataServer(CLUSTER, { flavor: false });
  const host = (server: http.Server) => `127.0.0.1:${(server.address() as AddressInfo).port}`;
  beforeAll(async () => {
    await new Promise<void>((resolve) => real.server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => impostor.server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    real.server.close();
    impostor.server.close();
  });

  it('reads project, cluster and location with GETs that carry Metadata-Flavor', async () => {
    expect(await gkeTargetFromMetadata({ GCE_METADATA_HOST: host(real.server) })).toEqual({
      project: 'acme-shop',
      cluster: 'shop-prod',
      location: 'europe-west1',
    });
    expect(real.requests.map((r) => r.url).sort()).toEqual([
      '/computeMetadata/v1/instance/attributes/cluster-location',
      '/computeMetadata/v1/instance/attributes/cluster-name',
      '/computeMetadata/v1/project/project-id',
    ]);
    expect(real.requests.every((r) => r.method === 'GET' && r.flavor === 'Google')).toBe(true);
  });

  it('ignores a server that is not a metadata server', async () => {
    expect(await gkeTargetFromMetadata({ GCE_METADATA_HOST: host(impostor.server) })).toEqual({});
  });

  it('gives nothing, quickly, when no metadata server answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = host(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const started = Date.now();
    expect(await gkeTargetFromMetadata({ GCE_METADATA_HOST: address }, 500)).toEqual({});
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
