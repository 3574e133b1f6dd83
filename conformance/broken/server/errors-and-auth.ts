import type { BrokenServer } from './broken-server.ts';
import { json, pathOf, withJson } from './rewriting-proxy.ts';

type Problem = Record<string, unknown> & { errors?: unknown[]; status?: number };

const isProblem = (headers: Record<string, string>) =>
  (headers['content-type'] ?? '').startsWith('application/problem+json');

export const errorAndAuthBreaks: BrokenServer[] = [
  {
    name: 'problem-as-plain-json',
    violates: 'API-009',
    only: 'server.errors.problem-media-type',
    story:
      "The framework's default error handler answers application/json; nobody set the problem media type.",
    rules: {
      response: (res) =>
        isProblem(res.headers)
          ? {
              ...res,
              headers: { ...res.headers, 'content-type': 'application/json; charset=utf-8' },
            }
          : res,
    },
  },
  {
    name: 'problem-status-always-400',
    violates: 'API-010',
    only: 'server.errors.problem-members',
    story:
      'The problem builder hard-codes status 400 in the body while the route sets the real HTTP status.',
    rules: {
      response: (res) =>
        res.status >= 400 && isProblem(res.headers)
          ? withJson(res, { ...(json(res) as Problem), status: 400 })
          : res,
    },
  },
  {
    name: 'problem-type-about-blank',
    violates: 'API-011',
    only: 'server.errors.problem-type-url',
    story: 'RFC 9457 allows about:blank, so the implementer used it instead of the registry URL.',
    rules: {
      response: (res) =>
        res.status >= 400 && isProblem(res.headers)
          ? withJson(res, { ...(json(res) as Problem), type: 'about:blank' })
          : res,
    },
  },
  {
    name: 'problem-with-stack-trace',
    violates: 'API-014',
    only: 'server.errors.no-internals-in-problems',
    story: 'A development setting left on in production appends the stack to every detail.',
    rules: {
      response: (res) =>
        res.status >= 400 && isProblem(res.headers)
          ? withJson(res, {
              ...(json(res) as Problem),
              detail: `${String((json(res) as Problem).detail ?? '')}\n    at handler (/app/src/routes/partner.js:118:15)`,
            })
          : res,
    },
  },
  {
    name: 'validation-lists-first-error',
    violates: 'API-013',
    only: 'server.errors.every-invalid-member-listed',
    story: 'The validator runs with allErrors off, so only the first invalid member is reported.',
    rules: {
      response: (res) => {
        const body = json(res) as Problem | undefined;
        return res.status === 400 && Array.isArray(body?.errors)
          ? withJson(res, { ...body, errors: body.errors.slice(0, 1) })
          : res;
      },
    },
  },
  {
    name: 'unsupported-media-type-as-400',
    violates: 'API-016',
    only: 'server.errors.unsupported-media-type',
    story:
      'The body parser fails on an unknown media type and the error surfaces as a validation failure.',
    rules: {
      response: (res) => {
        if (res.status !== 415) return res;
        const body = json(res) as Problem;
        return withJson(
          { ...res, status: 400 },
          {
            ...body,
            status: 400,
            code: 'API_VALIDATION_FAILED',
            type: 'https://openminiapp.dev/errors/API_VALIDATION_FAILED',
          },
        );
      },
    },
  },
  {
    name: 'analytics-takes-beacon-text',
    violates: 'API-016',
    only: 'server.errors.unsupported-media-type',
    story:
      'Web hosts flush analytics with navigator.sendBeacon, which sends a string as text/plain;charset=UTF-8, so the ingestion route parses text/plain bodies as JSON too.',
    rules: {
      request: (req) =>
        pathOf(req) === '/v1/analytics/events' &&
        /^text\/plain\b/i.test(req.headers['content-type'] ?? '')
          ? { ...req, headers: { ...req.headers, 'content-type': 'application/json' } }
          : req,
    },
  },
  {
    name: 'missing-credential-as-403',
    violates: 'API-001',
    only: 'server.auth.credential-required',
    story:
      'Authentication and authorisation share one middleware that answers every refusal with 403.',
    rules: {
      response: (res) => {
        if (res.status !== 401) return res;
        const body = json(res) as Problem;
        return withJson(
          { ...res, status: 403 },
          {
            ...body,
            status: 403,
            code: 'API_FORBIDDEN',
            type: 'https://openminiapp.dev/errors/API_FORBIDDEN',
          },
        );
      },
    },
  },
  {
    name: 'wrong-role-as-404',
    violates: 'API-002',
    only: 'server.auth.role-forbidden',
    story:
      'To hide routes from the wrong roles, the implementer answers 404 for any role mismatch.',
    rules: {
      response: (res) => {
        if (res.status !== 403 || (json(res) as Problem).code !== 'API_FORBIDDEN') return res;
        const body = json(res) as Problem;
        return withJson(
          { ...res, status: 404 },
          {
            ...body,
            status: 404,
            code: 'API_NOT_FOUND',
            type: 'https://openminiapp.dev/errors/API_NOT_FOUND',
          },
        );
      },
    },
  },
  {
    name: 'access-token-query-parameter',
    violates: 'API-006',
    only: 'server.auth.no-query-credentials',
    story:
      'An OAuth habit: the server reads access_token from the query when no Authorization header is sent.',
    rules: {
      request: (req) => {
        const url = new URL(req.url, 'http://x');
        const token = url.searchParams.get('access_token');
        if (!token || req.headers.authorization) return req;
        url.searchParams.delete('access_token');
        return {
          ...req,
          url: url.pathname + url.search,
          headers: { ...req.headers, authorization: `Bearer ${token}` },
        };
      },
    },
  },
  {
    name: 'other-partner-forbidden',
    violates: 'API-003',
    only: 'server.auth.other-partner-not-found',
    story:
      'The ownership check answers 403 "not your app", which tells an attacker the app exists.',
    needsPrincipals: true,
    rules: {
      response: (res, req) => {
        if (res.status !== 404 || !pathOf(req).startsWith('/v1/partner/apps/')) return res;
        const body = json(res) as Problem;
        return withJson(
          { ...res, status: 403 },
          {
            ...body,
            status: 403,
            code: 'API_FORBIDDEN',
            type: 'https://openminiapp.dev/errors/API_FORBIDDEN',
          },
        );
      },
    },
  },
  {
    name: 'healthz-behind-authentication',
    violates: 'API-087',
    only: 'server.operations.*',
    story: 'A global authentication hook was added and the health route was not exempted.',
    rules: {
      request: (req) =>
        pathOf(req) === '/healthz' && !req.headers.authorization
          ? {
              status: 401,
              headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
              body: Buffer.from(
                JSON.stringify({
                  type: 'https://openminiapp.dev/errors/API_UNAUTHENTICATED',
                  title: 'Authentication required',
                  status: 401,
                  code: 'API_UNAUTHENTICATED',
                }),
              ),
            }
          : req,
    },
  },
];
