import type { Queryable } from '../store/database.ts';
import type { Money } from './payment-provider.ts';

export type ProductKind = 'consumable' | 'nonConsumable' | 'subscription';

/** A product of an app on the platform's own price list [API-055]. */
export interface Product {
  appId: string;
  productId: string;
  kind: ProductKind;
  price: Money;
  /** Length of one subscription period; only for subscriptions. */
  periodDays?: number;
}

/** Adds or re-prices a product; later purchases pay the new price, earlier ones keep theirs. */
export async function defineProduct(db: Queryable, product: Product): Promise<void> {
  await db.query(
    `insert into products (app_id, product_id, kind, currency, price_minor, period_days)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (app_id, product_id) do update
       set kind = excluded.kind, currency = excluded.currency,
           price_minor = excluded.price_minor, period_days = excluded.period_days`,
    [
      product.appId,
      product.productId,
      product.kind,
      product.price.currency,
      product.price.minor,
      product.periodDays ?? null,
    ],
  );
}

/** The product as priced by the platform, or null when the app sells no such product. */
export async function findProduct(
  db: Queryable,
  appId: string,
  productId: string,
): Promise<Product | null> {
  const { rows } = await db.query<{
    kind: ProductKind;
    currency: string;
    price_minor: number;
    period_days: number | null;
  }>(
    `select kind, currency, price_minor::double precision as price_minor, period_days
       from products where app_id = $1 and product_id = $2`,
    [appId, productId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    appId,
    productId,
    kind: row.kind,
    price: { currency: row.currency, minor: row.price_minor },
    ...(row.period_days === null ? {} : { periodDays: row.period_days }),
  };
}

/** Every product of an app, by productId. */
export async function listProducts(db: Queryable, appId: string): Promise<Product[]> {
  const { rows } = await db.query<{
    product_id: string;
    kind: ProductKind;
    currency: string;
    price_minor: number;
    period_days: number | null;
  }>(
    `select product_id, kind, currency, price_minor::double precision as price_minor, period_days
       from products where app_id = $1 order by product_id`,
    [appId],
  );
  return rows.map((row) => ({
    appId,
    productId: row.product_id,
    kind: row.kind,
    price: { currency: row.currency, minor: row.price_minor },
    ...(row.period_days === null ? {} : { periodDays: row.period_days }),
  }));
}
