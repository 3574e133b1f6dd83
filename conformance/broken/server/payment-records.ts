import type { BrokenServer } from './broken-server.ts';

/** Broken servers that keep payments as something other than the record of what was charged. */
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
];
