-- Test principals: only they may use the sandbox payment provider [API-058]
alter table partners add column if not exists test boolean not null default false;
alter table credentials add column if not exists test boolean not null default false;

-- The first characters of an API key's secret, so a partner can recognise it in lists [API-005]
alter table credentials add column if not exists secret_prefix text;

alter table partner_keys add column if not exists label text;

alter table apps add column if not exists name text;
alter table apps add column if not exists category text;

-- The platform's own price list: prices never come from a request [API-055]
create table products (
  app_id text not null references apps (app_id),
  product_id text not null check (product_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  kind text not null check (kind in ('consumable', 'nonConsumable', 'subscription')),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  price_minor bigint not null check (price_minor >= 0),
  period_days integer check (period_days between 1 and 3660),
  created_at timestamptz not null default now(),
  primary key (app_id, product_id),
  check ((kind = 'subscription') = (period_days is not null))
);

-- Payments keep amounts in minor units, the commission rate, and the request they answer [API-054] [API-056]
alter table payments add column if not exists product_id text;
alter table payments add column if not exists idempotency_key text;
alter table payments add column if not exists request_sha256 text;
alter table payments add column if not exists commission_bps integer;
alter table payments add column if not exists provider_reference text;
alter table payments add column if not exists decline_reason text;
create unique index if not exists payments_by_idempotency_key on payments (user_id, idempotency_key);

alter table entitlements add column if not exists kind text;
alter table entitlements add column if not exists quantity integer;
alter table entitlements add column if not exists expires_at timestamptz;

-- An event id counts once per device [ANL-016]
alter table analytics_events add column if not exists event_id uuid;
create unique index if not exists analytics_event_once on analytics_events (device_id, event_id);
create index if not exists analytics_by_app_type on analytics_events (app_id, type, occurred_at);
