import type { ContractOperation } from '../contract/openapi-contract.ts';
import { multipartBody } from '../inputs/multipart-body.ts';
import type { RequestSpec } from './http-driver.ts';
import type { TestRelease } from './test-world.ts';

/** Values for the path parameters of every operation, naming objects of one app of partner `a`. */
export interface TargetObjects {
  release: TestRelease;
  keyId: string;
}

/** A concrete request for an operation: its path filled in, and a body of the media type it accepts. */
export function requestFor(op: ContractOperation, objects: TargetObjects): RequestSpec {
  const v = objects.release.version;
  const values: Record<string, string> = {
    appId: v.app.appId,
    versionCode: String(v.versionCode),
    releaseId: objects.release.releaseId,
    keyId: objects.keyId,
    apiKeyId: 'apikey0000unknown',
    paymentId: 'pay0000unknown',
    screenshotId: 'shot0000unknown',
    productId: 'certify-product',
    digest: v.sha256,
    version: '1',
    size: '192x192',
    action: 'pause',
  };
  const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? 'x'),
  );
  const query: Record<string, string> = {};
  for (const p of op.parameters) {
    if (p.in !== 'query' || !p.required) continue;
    query[p.name] =
      p.name === 'hostApiVersion'
        ? '1.2.0'
        : p.name === 'channel'
          ? 'stable'
          : p.name === 'deviceId'
            ? 'certify-route-device-0001'
            : p.name === 'versionCode'
              ? '0'
              : p.name === 'from' || p.name === 'to'
                ? new Date().toISOString().slice(0, 10)
                : 'x';
  }
  const spec: RequestSpec = { method: op.method, path, query };
  if (op.requestMediaTypes.includes('application/json')) spec.json = {};
  else if (op.requestMediaTypes.includes('multipart/form-data')) {
    const { contentType, body } = multipartBody([
      { name: 'statement', contentType: 'application/json', bytes: new TextEncoder().encode('{}') },
    ]);
    spec.body = body;
    spec.contentType = contentType;
  }
  return spec;
}

/** The roles an operation admits, as principal kinds: partner, reviewer, admin, hostDevice, hostUser, partnerKey. */
export function allowedKinds(op: ContractOperation): Set<string> {
  const kinds = new Set<string>();
  for (const alternative of op.security) {
    for (const [scheme, roles] of Object.entries(alternative)) {
      if (scheme === 'portal') for (const role of roles) kinds.add(role);
      else kinds.add(scheme);
    }
  }
  return kinds;
}
