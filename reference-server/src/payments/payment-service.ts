import { createHash } from 'node:crypto';
import { newId } from '../accounts/credential-issuer.ts';
import { utcTimestamp } from '../accounts/timestamp-column.ts';
import { ApiProblem } from '../http/problem.ts';
import type { Database, Queryable } from '../store/database.ts';
import { commissionOf } from './commission.ts';
import type { Money, PaymentProvider } from './payment-provider.ts';
import { findProduct, type Product } from './product-catalog.ts';

/** A payment as the contract's `Payment` schema shows it. */
export interface PaymentView {
  paymentId: string;
  appId: string;
  productId: string;
  provider: string;
  status: 'captured' | 'refunded';
  amount: Money;
  commission: { rateBasisPoints: number; minor: number };
  createdAt: string;
}

/** The body of POST /v1/payments. */
export interface PaymentRequest {
  appId: string;
  productId: string;
  provider: string;
  providerToken?: string;
}

/** The host user paying, as authentication resolved them. */
export interface Payer {
  userId: string;
  /** The host credential is marked as a test principal [API-058]. */
  test: boolean;
}

/** Payments of host users through pluggable providers, with commission and entitlements [API-053] to [API-058]. */
export interface PaymentServiceOptions {
  providers: readonly PaymentProvider[];
  commissionBasisPoints: number;
}

interface PaymentRow {
  id: string;
  app_id: string;
  product_id: string;
  provider: string;
  status: 'captured' | 'refunded' | 'declined';
  currency: string;
  amount: number;
  commission: number;
  commission_bps: number;
  created_at: string;
  request_sha256: string;
  decline_reason: string | null;
}

const columns = `id, app_id, product_id, provider, status, currency,
  amount::double precision as amount, commission::double precision as commission, commission_bps,
  ${utcTimestamp('created_at')} as created_at, request_sha256, decline_reason`;

function view(row: PaymentRow): PaymentView {
  return {
    paymentId: row.id,
    appId: row.app_id,
    productId: row.product_id,
    provider: row.provider,
    status: row.status === 'refunded' ? 'refunded' : 'captured',
    amount: { currency: row.currency, minor: row.amount },
    commission: { rateBasisPoints: row.commission_bps, minor: row.commission },
    createdAt: row.created_at,
  };
}

/** The digest an Idempotency-Key is bound to: the request members in a fixed order [API-054]. */
export function paymentRequestDigest(request: PaymentRequest): string {
  const canonical = JSON.stringify([
    request.appId,
    request.productId,
    request.provider,
    request.providerToken ?? null,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

function declined(reason: string): ApiProblem {
  return new ApiProblem('API_PAYMENT_DECLINED', `the provider declined the payment: ${reason}`);
}

async function grantEntitlement(tx: Queryable, userId: string, product: Product): Promise<void> {
  // [API-056] granted in the transaction that records the captured payment.
  await tx.query(
    `insert into entitlements (app_id, user_id, product, kind, quantity, expires_at)
     values ($1, $2, $3, $4, case when $4 = 'consumable' then 1 end,
             case when $5::integer is null then null else now() + make_interval(days => $5::integer) end)
     on conflict (app_id, user_id, product) do update set
       quantity = case when excluded.kind = 'consumable'
                       then coalesce(entitlements.quantity, 0) + 1 else entitlements.quantity end,
       expires_at = case when excluded.kind = 'subscription'
                         then greatest(coalesce(entitlements.expires_at, now()), now())
                              + make_interval(days => $5::integer)
                         else entitlements.expires_at end`,
    [product.appId, userId, product.productId, product.kind, product.periodDays ?? null],
  );
}

/** Creates payments and reads them back; see PaymentServiceOptions. */
export class PaymentService {
  private readonly providers: Map<string, PaymentProvider>;

  constructor(
    private readonly db: Database,
    private readonly options: PaymentServiceOptions,
  ) {
    this.providers = new Map(options.providers.map((p) => [p.name, p]));
  }

  /**
   * Buys a product at the platform's price [API-055]. Idempotent per user and Idempotency-Key
   * [API-054]: the same request replays the first outcome (a decline included), another body is a
   * conflict. A decline grants nothing and answers 402 [API-057].
   */
  async create(
    payer: Payer,
    idempotencyKey: string,
    request: PaymentRequest,
  ): Promise<PaymentView> {
    const digest = paymentRequestDigest(request);
    const outcome = await this.db.transaction(async (tx) => {
      // Concurrent retries of one key wait here, then find the first one's row.
      await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `payment:${payer.userId}:${idempotencyKey}`,
      ]);
      const previous = await tx.query<PaymentRow>(
        `select ${columns} from payments where user_id = $1 and idempotency_key = $2`,
        [payer.userId, idempotencyKey],
      );
      const first = previous.rows[0];
      if (first) {
        if (first.request_sha256 !== digest) {
          throw new ApiProblem(
            'API_IDEMPOTENCY_CONFLICT',
            'this Idempotency-Key was used for a different request; use a new key for a new purchase',
          );
        }
        return first;
      }
      return this.charge(tx, payer, idempotencyKey, digest, request);
    });
    if (outcome.status === 'declined') throw declined(outcome.decline_reason ?? 'declined');
    return view(outcome);
  }

  private async charge(
    tx: Queryable,
    payer: Payer,
    idempotencyKey: string,
    digest: string,
    request: PaymentRequest,
  ): Promise<PaymentRow> {
    const provider = this.providers.get(request.provider);
    if (!provider) {
      throw new ApiProblem('API_VALIDATION_FAILED', `no payment provider ${request.provider}`, {
        errors: [
          {
            code: 'API_VALIDATION_FAILED',
            message: `choose one of ${[...this.providers.keys()].join(', ')}`,
            location: { pointer: '/provider' },
          },
        ],
      });
    }
    const product = await findProduct(tx, request.appId, request.productId);
    if (!product) {
      throw new ApiProblem(
        'API_NOT_FOUND',
        `${request.appId} sells no product ${request.productId}`,
      );
    }
    if (provider.testMode) {
      // [API-058] a test provider moves no money, so both the host and the app's partner must be test principals.
      const partner = await tx.query<{ test: boolean }>(
        'select p.test from apps a join partners p on p.id = a.partner_id where a.app_id = $1',
        [request.appId],
      );
      if (!payer.test || partner.rows[0]?.test !== true) {
        throw new ApiProblem(
          'API_FORBIDDEN',
          `the ${provider.name} provider is only for test hosts buying from test partners`,
        );
      }
    }
    const paymentId = newId('pay');
    const orderId = newId('ord');
    const rate = this.options.commissionBasisPoints;
    const authorized = await provider.authorize(product.price, orderId, request.providerToken);
    const captured = authorized.ok ? await provider.capture(authorized.reference) : authorized;
    const commission = captured.ok ? commissionOf(product.price.minor, rate) : 0;
    const { rows } = await tx.query<PaymentRow>(
      `insert into payments (id, app_id, user_id, order_id, amount, currency, commission, commission_bps,
                             provider, status, product_id, idempotency_key, request_sha256,
                             provider_reference, decline_reason)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       returning ${columns}`,
      [
        paymentId,
        request.appId,
        payer.userId,
        orderId,
        product.price.minor,
        product.price.currency,
        commission,
        rate,
        provider.name,
        captured.ok ? 'captured' : 'declined',
        product.productId,
        idempotencyKey,
        digest,
        captured.ok ? captured.reference : null,
        captured.ok ? null : captured.reason,
      ],
    );
    if (captured.ok) await grantEntitlement(tx, payer.userId, product);
    const row = rows[0];
    if (!row) throw new Error('the payment insert returned no row');
    return row;
  }

  /** One of the user's payments; another user's, or a declined attempt, is API_NOT_FOUND [API-053]. */
  async get(userId: string, paymentId: string): Promise<PaymentView> {
    const { rows } = await this.db.query<PaymentRow>(
      `select ${columns} from payments where id = $1 and user_id = $2 and status <> 'declined'`,
      [paymentId, userId],
    );
    const row = rows[0];
    if (!row) throw new ApiProblem('API_NOT_FOUND', `no payment ${paymentId} of yours`);
    return view(row);
  }
}

/** An entitlement as the contract's `EntitlementList` items show it. */
export interface EntitlementView {
  productId: string;
  kind: Product['kind'];
  quantity?: number;
  grantedAt: string;
  expiresAt?: string;
}

/** The user's current entitlements in one app, and only the user's [API-053]; expired subscriptions are gone. */
export async function entitlementsOf(
  db: Queryable,
  userId: string,
  appId: string,
): Promise<EntitlementView[]> {
  const app = await db.query('select 1 from apps where app_id = $1', [appId]);
  if (app.rows.length === 0) throw new ApiProblem('API_NOT_FOUND', `no app ${appId}`);
  const { rows } = await db.query<{
    product: string;
    kind: Product['kind'] | null;
    quantity: number | null;
    granted_at: string;
    expires_at: string | null;
  }>(
    `select product, kind, quantity, ${utcTimestamp('granted_at')} as granted_at,
            case when expires_at is null then null else ${utcTimestamp('expires_at')} end as expires_at
       from entitlements
      where app_id = $1 and user_id = $2 and (expires_at is null or expires_at > now())
      order by product`,
    [appId, userId],
  );
  return rows.map((r) => ({
    productId: r.product,
    kind: r.kind ?? 'nonConsumable',
    ...(r.quantity === null ? {} : { quantity: r.quantity }),
    grantedAt: r.granted_at,
    ...(r.expires_at === null ? {} : { expiresAt: r.expires_at }),
  }));
}
