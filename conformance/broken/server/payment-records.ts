import type { BrokenServer } from './broken-server.ts';

/** Broken servers that get products and payments wrong: receipts that follow the catalog, prices another partner sets. */
export const paymentRecordBreaks: BrokenServer[] = [
  {
    name: 'payment-read-at-current-price',
    violates: 'API-093',
    only: 'server.payments.repricing-keeps-captures',
    needsPrincipals: true,
    story:
      'A payment row keeps only the product it bought; reading it joins the product catalog for the amount and currency, so a re-pricing rewrites every earlier receipt.',
    patches: [
      {
        file: 'reference-server/src/payments/payment-service.ts',
        find: "`select ${columns} from payments where id = $1 and user_id = $2 and status <> 'declined'`,",
        replace:
          "`select ${columns} from (select py.id, py.app_id, py.product_id, py.provider, py.status, pr.currency, pr.price_minor as amount, py.commission, py.commission_bps, py.created_at, py.request_sha256, py.decline_reason, py.user_id from payments py join products pr on pr.app_id = py.app_id and pr.product_id = py.product_id) payments where id = $1 and user_id = $2 and status <> 'declined'`,",
      },
    ],
  },
  {
    name: 'product-written-before-ownership-check',
    violates: 'API-092',
    only: 'server.auth.other-partner-not-found',
    needsPrincipals: true,
    story:
      'The product is upserted first and the ownership check runs after it, for the answer only: another partner is told 404 but its price is stored.',
    patches: [
      {
        file: 'reference-server/src/routes/accounts-routes.ts',
        find: "      await partnerApp(db, partnerOf(request), appId);\n      if ((body.kind === 'subscription')",
        replace: "      if ((body.kind === 'subscription')",
      },
      {
        file: 'reference-server/src/routes/accounts-routes.ts',
        find: '      await defineProduct(db, product);\n      return reply',
        replace:
          '      await defineProduct(db, product);\n      await partnerApp(db, partnerOf(request), appId);\n      return reply',
      },
    ],
  },
];
