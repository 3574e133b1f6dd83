import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { components } from '#schemas/generated/distribution/openapi.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../accounts/api-keys.ts';
import { createApp, listPartnerApps, partnerApp } from '../accounts/apps.ts';
import { createPartner } from '../accounts/credential-issuer.ts';
import { PageCursors } from '../http/page-cursor.ts';
import { listPartnerKeys, registerPartnerKey, revokePartnerKey } from '../accounts/partner-keys.ts';
import { listPartnerPage, partnerById } from '../accounts/partners.ts';
import { createPrincipal, revokePrincipal } from '../accounts/principals.ts';
import { replaceRestrictedPermissions } from '../accounts/restricted-permissions.ts';
import { analyticsSummary } from '../analytics/analytics-summary.ts';
import {
  checkBatchSize,
  ingestEvents,
  purgeRawEvents,
  type EventBatch,
} from '../analytics/event-ingestion.ts';
import type { OperationHandlers } from '../http/contract-routes.ts';
import type { Principal } from '../http/authentication.ts';
import { ApiProblem } from '../http/problem.ts';
import { announceCredentialRevoked } from '../http/credential-cache.ts';
import { defaultCommissionBasisPoints } from '../payments/commission.ts';
import { sandboxProvider, type Money } from '../payments/payment-provider.ts';
import {
  defineProduct,
  findProduct,
  listProducts,
  type Product,
  type ProductKind,
} from '../payments/product-catalog.ts';
import { entitlementsOf, PaymentService } from '../payments/payment-service.ts';
import type { Services } from '../services.ts';
import { AppTokenService } from '../tokens/app-token-service.ts';

type Schemas = components['schemas'];

/** How often ingestion also deletes expired raw events [ANL-010]. */
const purgeIntervalMs = 60 * 60 * 1000;

/** The caller's partner; every partner route is scoped to it [API-003]. */
function partnerOf(request: FastifyRequest): string {
  const partnerId = request.principal?.partnerId;
  if (!partnerId) throw new ApiProblem('API_FORBIDDEN', 'this route needs a partner credential');
  return partnerId;
}

/** The signed-in host user of a hostUser session. */
function userOf(request: FastifyRequest): Principal & { subject: string } {
  const principal = request.principal;
  if (!principal?.subject)
    throw new ApiProblem('API_FORBIDDEN', 'this route needs a host user session');
  return { ...principal, subject: principal.subject };
}

/** [API-020] answers that depend on the credential are never shared. */
function privateAnswer(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('vary', 'Authorization');
}

/** Handlers of the accounts operations, keyed by the contract's operationIds. */
export function accountsRoutes(services: Services): OperationHandlers {
  const { db, config } = services;
  const cursors = new PageCursors(db);
  const payments = new PaymentService(db, {
    providers: [sandboxProvider],
    commissionBasisPoints: defaultCommissionBasisPoints,
  });
  const tokens = new AppTokenService(db, path.join(config.dataDir, 'tokens'), config.publicUrl);
  let lastPurge = 0;

  async function page<T>(
    request: FastifyRequest,
    list: string,
    read: (after: string | null, limit: number) => Promise<{ items: T[]; last: string | null }>,
  ): Promise<{ items: T[]; nextCursor?: string }> {
    const query = request.query as { cursor?: string; limit?: number };
    const after =
      query.cursor === undefined ? null : String(await cursors.open(list, query.cursor));
    const { items, last } = await read(after, query.limit ?? 20);
    return { items, ...(last === null ? {} : { nextCursor: await cursors.issue(list, last) }) };
  }

  return {
    listPartners: async (request, reply) =>
      privateAnswer(reply).send(
        await page(request, 'partners', (after, limit) => listPartnerPage(db, after, limit)),
      ),
    createPartner: async (request, reply) => {
      const body = request.body as Schemas['PartnerRequest'];
      const id = await createPartner(db, body.name, undefined, { test: body.test ?? false });
      return reply
        .code(201)
        .header('location', `/v1/admin/partners/${id}`)
        .send(await partnerById(db, id));
    },
    setRestrictedPermissions: async (request, reply) => {
      const { partnerId } = request.params as { partnerId: string };
      const body = request.body as Schemas['RestrictedPermissions'];
      // [PRM-019] the whole list is replaced; uploads from now on are reviewed against it [PRM-020].
      const permissions = await replaceRestrictedPermissions(db, partnerId, body.permissions);
      return privateAnswer(reply).send({ permissions });
    },
    createPrincipal: async (request, reply) => {
      const principal = await createPrincipal(
        db,
        request.body as Parameters<typeof createPrincipal>[1],
      );
      // [API-151] the secret is in this answer only; no cache may keep it.
      return reply.code(201).header('cache-control', 'no-store').send(principal);
    },
    revokePrincipal: async (request, reply) => {
      const { principalId } = request.params as { principalId: string };
      const principal = await revokePrincipal(db, principalId);
      // [API-155] refused at once here, and by the other processes as soon as they hear of it [API-094].
      services.credentials.forget();
      await announceCredentialRevoked(db);
      return reply.code(200).header('cache-control', 'no-store').send(principal);
    },
    getOwnPartner: async (request, reply) =>
      privateAnswer(reply).send(await partnerById(db, partnerOf(request))),

    listPartnerKeys: async (request, reply) =>
      privateAnswer(reply).send({ items: await listPartnerKeys(db, partnerOf(request)) }),
    registerPartnerKey: async (request, reply) => {
      const body = request.body as Schemas['PartnerKeyRequest'];
      const partnerId = partnerOf(request);
      const { key, created } = await registerPartnerKey(db, partnerId, body.jwk, body.label);
      // [SIG-082] the partner's apps get a delegation that lists the new key (development signs it now).
      await services.trust.delegations.partnerKeysChanged(partnerId);
      services.trust.indexChanged();
      if (!created) return privateAnswer(reply).send(key);
      return privateAnswer(reply)
        .code(201)
        .header('location', `/v1/partner/keys/${key.keyId}`)
        .send(key);
    },
    revokePartnerKey: async (request, reply) => {
      const { keyId } = request.params as { keyId: string };
      const partnerId = partnerOf(request);
      const key = await revokePartnerKey(db, partnerId, keyId);
      // [SIG-060] [SIG-105] the next signed index lists the key as revoked, and the next delegation leaves it out.
      await services.trust.delegations.partnerKeysChanged(partnerId);
      services.trust.indexChanged();
      return privateAnswer(reply).send(key);
    },

    listApiKeys: async (request, reply) =>
      privateAnswer(reply).send({ items: await listApiKeys(db, partnerOf(request)) }),
    createApiKey: async (request, reply) => {
      const body = request.body as Schemas['ApiKeyRequest'];
      const created = await createApiKey(
        db,
        partnerOf(request),
        body.label,
        body.expiresAt === undefined ? undefined : new Date(body.expiresAt),
        new Date(),
      );
      return privateAnswer(reply).code(201).send(created);
    },
    revokeApiKey: async (request, reply) => {
      const { apiKeyId } = request.params as { apiKeyId: string };
      const revoked = await revokeApiKey(db, partnerOf(request), apiKeyId);
      // [API-007] refused from the next request on, not when a cached lookup ages out, on every process.
      services.credentials.forget();
      await announceCredentialRevoked(db);
      return privateAnswer(reply).send(revoked);
    },

    listPartnerApps: async (request, reply) => {
      const partnerId = partnerOf(request);
      return privateAnswer(reply).send(
        await page(request, `apps:${partnerId}`, (after, limit) =>
          listPartnerApps(db, partnerId, after, limit),
        ),
      );
    },
    createApp: async (request, reply) => {
      const app = await createApp(db, partnerOf(request), request.body as Schemas['AppRequest']);
      // [SIG-080] a new app is delegated to its partner's keys (development signs it now).
      await services.trust.delegations.sync([app.appId]);
      services.trust.indexChanged();
      return privateAnswer(reply)
        .code(201)
        .header('location', `/v1/partner/apps/${app.appId}`)
        .send(app);
    },
    getPartnerApp: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      return privateAnswer(reply).send(await partnerApp(db, partnerOf(request), appId));
    },

    getEntitlements: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const entitlements = await entitlementsOf(db, userOf(request).subject, appId);
      return privateAnswer(reply).send({ appId, entitlements });
    },
    createPayment: async (request, reply) => {
      const user = userOf(request);
      const key = String(request.headers['idempotency-key']);
      const test = await db.query<{ test: boolean }>('select test from credentials where id = $1', [
        user.credentialId,
      ]);
      const payment = await payments.create(
        { userId: user.subject, test: test.rows[0]?.test === true },
        key,
        request.body as Schemas['PaymentRequest'],
      );
      return privateAnswer(reply).code(201).send(payment);
    },
    getPayment: async (request, reply) => {
      const { paymentId } = request.params as { paymentId: string };
      return privateAnswer(reply).send(await payments.get(userOf(request).subject, paymentId));
    },

    createAppToken: async (request, reply) => {
      const body = request.body as Schemas['AppTokenRequest'];
      const token = await tokens.issue(userOf(request).subject, body.appId, body.scopes);
      return privateAnswer(reply).code(201).send(token);
    },
    getJwks: async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(await tokens.jwks()),

    ingestAnalyticsEvents: async (request, reply) => {
      const batch = request.body as EventBatch;
      checkBatchSize(batch.events.length, Number(request.headers['content-length'] ?? 0));
      // [API-173] deviceId is the host's pseudonym: it attributes events and authorises nothing, so it
      // is not compared with the credential, as in update checks and recommendations.
      const now = new Date();
      const result = await ingestEvents(db, batch, now);
      if (now.getTime() - lastPurge > purgeIntervalMs) {
        lastPurge = now.getTime();
        await purgeRawEvents(db, now);
      }
      return reply.code(202).header('cache-control', 'no-store').send(result);
    },
    getProduct: async (request, reply) => {
      const { appId, productId } = request.params as { appId: string; productId: string };
      // [API-200] the price a payment created now would charge [API-055].
      const product = await findProduct(db, appId, productId);
      if (!product) throw new ApiProblem('API_NOT_FOUND', `${appId} sells no product ${productId}`);
      return reply.header('cache-control', 'no-store').send(productView(product));
    },
    listProducts: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      // [API-092] only the owner sees or prices an app's products.
      await partnerApp(db, partnerOf(request), appId);
      const items = (await listProducts(db, appId)).map(productView);
      return reply.header('cache-control', 'no-store').send({ items });
    },

    putProduct: async (request, reply) => {
      const { appId, productId } = request.params as { appId: string; productId: string };
      const body = request.body as { kind: ProductKind; price: Money; periodDays?: number };
      await partnerApp(db, partnerOf(request), appId);
      if ((body.kind === 'subscription') !== (body.periodDays !== undefined)) {
        throw new ApiProblem(
          'API_VALIDATION_FAILED',
          'periodDays is required for subscriptions and only for them',
          {
            errors: [
              {
                code: 'API_VALIDATION_FAILED',
                message: 'periodDays and kind disagree',
                location: { pointer: '/periodDays' },
              },
            ],
          },
        );
      }
      // [API-093] payments keep the price they were captured at; only later ones see the new price.
      const product = {
        appId,
        productId,
        kind: body.kind,
        price: body.price,
        ...(body.periodDays === undefined ? {} : { periodDays: body.periodDays }),
      };
      await defineProduct(db, product);
      return reply.header('cache-control', 'no-store').send(productView(product));
    },

    getAnalyticsSummary: async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const { from, to } = request.query as { from: string; to: string };
      // [API-003] only the owner reads an app's analytics.
      await partnerApp(db, partnerOf(request), appId);
      const summary = await analyticsSummary(db, appId, from, to, new Date());
      return reply
        .header('cache-control', 'private, max-age=60')
        .header('vary', 'Authorization')
        .send(summary);
    },
  };
}

function productView(product: Product): {
  productId: string;
  kind: ProductKind;
  price: Money;
  periodDays?: number;
} {
  return {
    productId: product.productId,
    kind: product.kind,
    price: product.price,
    ...(product.periodDays === undefined ? {} : { periodDays: product.periodDays }),
  };
}
