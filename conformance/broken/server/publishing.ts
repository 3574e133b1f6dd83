import type { BrokenServer } from './broken-server.ts';
import { json, pathOf, requestJson, withJson, type ProxiedRequest } from './rewriting-proxy.ts';

type Json = Record<string, unknown>;

function problemToSuccess(status: number, code: string, successStatus: number) {
  return (res: { status: number; headers: Record<string, string>; body: Buffer }) =>
    res.status === status && (json(res) as Json | undefined)?.code === code
      ? withJson(
          {
            ...res,
            status: successStatus,
            headers: { ...res.headers, 'content-type': 'application/json' },
          },
          {},
        )
      : res;
}

function rewriteJson(
  req: ProxiedRequest,
  change: (body: Json) => Json | undefined,
): ProxiedRequest {
  const body = requestJson(req) as Json | undefined;
  if (!body) return req;
  const changed = change(body);
  return changed ? { ...req, body: Buffer.from(JSON.stringify(changed)) } : req;
}

export const publishingBreaks: BrokenServer[] = [
  {
    name: 'statement-after-package-accepted',
    violates: 'API-069',
    only: 'server.upload.statement-first',
    story:
      'The multipart parser buffers all parts and looks them up by name, so their order never matters.',
    rules: {
      request: (req) => {
        if (req.method !== 'PUT' || !pathOf(req).endsWith('/versions')) return req;
        const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
        if (!boundary) return req;
        const text = req.body.toString('latin1');
        const parts = text.split(`--${boundary}`).slice(1, -1);
        const isPackage = (p: string) => /name="package"/.test(p.slice(0, 300));
        if (parts.length !== 2 || !isPackage(parts[0] as string)) return req;
        const body = `--${boundary}${parts[1]}--${boundary}${parts[0]}--${boundary}--\r\n`;
        return { ...req, body: Buffer.from(body, 'latin1') };
      },
    },
  },
  {
    name: 'oversized-upload-400',
    violates: 'API-070',
    only: 'server.packages.upload-over-limit',
    story: 'The size check throws a generic validation error instead of 413.',
    rules: {
      response: (res) =>
        res.status === 413
          ? withJson(
              { ...res, status: 400 },
              {
                ...(json(res) as Json),
                status: 400,
                code: 'API_VALIDATION_FAILED',
                type: 'https://openminiapp.dev/errors/API_VALIDATION_FAILED',
              },
            )
          : res,
    },
  },
  {
    name: 'digest-mismatch-400',
    violates: 'API-071',
    only: 'server.upload.digest-mismatch',
    story: 'All statement problems are reported as validation failures.',
    rules: {
      response: (res) =>
        res.status === 422 && (json(res) as Json).code === 'SIG_DIGEST_MISMATCH'
          ? withJson(
              { ...res, status: 400 },
              {
                ...(json(res) as Json),
                status: 400,
                code: 'API_VALIDATION_FAILED',
                type: 'https://openminiapp.dev/errors/API_VALIDATION_FAILED',
              },
            )
          : res,
    },
  },
  {
    name: 'repeat-upload-conflict',
    violates: 'API-072',
    only: 'server.upload.idempotent-by-digest',
    story:
      'The versionCode check runs before the digest lookup, so a retried upload is refused as not increasing.',
    rules: {
      response: (res, req) =>
        req.method === 'PUT' && pathOf(req).endsWith('/versions') && res.status === 200
          ? withJson(
              {
                ...res,
                status: 409,
                headers: { ...res.headers, 'content-type': 'application/problem+json' },
              },
              {
                type: 'https://openminiapp.dev/errors/VERSION_CODE_NOT_INCREASING',
                title: 'versionCode does not increase',
                status: 409,
                code: 'VERSION_CODE_NOT_INCREASING',
              },
            )
          : res,
    },
  },
  {
    name: 'private-jwk-trimmed-and-accepted',
    violates: 'API-065',
    only: 'server.portal.key-private-member-refused',
    story: 'The key parser helpfully drops private members and registers the public part.',
    rules: {
      request: (req) =>
        pathOf(req) === '/v1/partner/keys' && req.method === 'POST'
          ? rewriteJson(req, (b) => {
              const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
              const jwk = Object.fromEntries(
                Object.entries(b.jwk as Json).filter(([m]) => !privateMembers.includes(m)),
              );
              return { ...b, jwk };
            })
          : req,
    },
  },
  {
    name: 'key-id-uuid',
    violates: 'API-066',
    only: 'server.portal.key-id-is-thumbprint',
    story: 'Keys get a database id instead of their RFC 7638 thumbprint.',
    rules: {
      response: (res, req) => {
        if (pathOf(req) !== '/v1/partner/keys' || req.method !== 'POST' || res.status >= 300)
          return res;
        const body = json(res) as Json;
        return withJson(res, { ...body, keyId: String(body.keyId).split('').reverse().join('') });
      },
    },
  },
  {
    name: 'api-key-secret-in-list',
    violates: 'API-005',
    only: 'server.portal.api-key-secret-once',
    story: 'The key list reuses the creation view, secret included.',
    rules: (() => {
      const secrets = new Map<string, string>();
      return {
        response: (res, req) => {
          if (pathOf(req) !== '/v1/partner/api-keys' || res.status >= 300) return res;
          const body = json(res) as Json;
          if (req.method === 'POST') {
            secrets.set(String((body.apiKey as Json).apiKeyId), String(body.secret));
            return res;
          }
          const items = (body.items as Json[]).map((k) => ({
            ...k,
            label: `${String(k.label)} ${secrets.get(String(k.apiKeyId)) ?? ''}`.trim(),
          }));
          return withJson(res, { ...body, items });
        },
      };
    })(),
  },
  {
    name: 'release-of-unapproved-version',
    violates: 'API-075',
    only: 'server.releases.only-approved',
    story: 'Releasing only checks that the version exists, not its review status.',
    rules: { response: problemToSuccess(409, 'API_VERSION_NOT_APPROVED', 201) },
  },
  {
    name: 'any-release-transition',
    violates: 'API-076',
    only: 'server.releases.state-machine',
    story: 'Actions set the new state without consulting the table.',
    rules: { response: problemToSuccess(409, 'API_RELEASE_STATE_CONFLICT', 200) },
  },
  {
    name: 'rollout-percent-rounded',
    violates: 'API-077',
    only: 'server.releases.rollout-percent',
    story: 'rolloutPercent is rounded to two decimals instead of being refused.',
    rules: {
      request: (req) =>
        pathOf(req).includes('/releases')
          ? rewriteJson(req, (b) =>
              typeof b.rolloutPercent === 'number'
                ? { ...b, rolloutPercent: Math.round(b.rolloutPercent * 100) / 100 }
                : undefined,
            )
          : req,
    },
  },
  {
    name: 'rejection-without-feedback',
    violates: 'API-083',
    only: 'server.review.decisions-recorded',
    story: 'Feedback is optional in the console form, so an empty rejection goes through.',
    rules: {
      request: (req) =>
        pathOf(req).endsWith('/decision')
          ? rewriteJson(req, (b) =>
              b.decision === 'reject' && !b.feedback ? { ...b, feedback: 'Rejected.' } : undefined,
            )
          : req,
    },
  },
  {
    name: 'decision-on-decided-version',
    violates: 'API-086',
    only: 'server.review.decision-needs-queue',
    story: 'A decision overwrites the previous one instead of requiring the version to be queued.',
    rules: { response: problemToSuccess(409, 'API_REVIEW_STATE_CONFLICT', 200) },
  },
];
