-- Accounts, partners and credentials [API-001] [API-002] [API-004]
create table partners (
  id text primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table accounts (
  id text primary key,
  role text not null check (role in ('partner', 'reviewer', 'admin')),
  partner_id text references partners (id),
  name text not null,
  created_at timestamptz not null default now(),
  check ((role = 'partner') = (partner_id is not null))
);

-- Bearer credentials of every kind, stored only as SHA-256 of the secret.
create table credentials (
  id text primary key,
  kind text not null check (kind in ('session', 'api_key', 'host_device', 'host_user')),
  secret_sha256 text not null unique,
  account_id text references accounts (id),
  partner_id text references partners (id),
  subject text,
  label text,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz
);

create table partner_keys (
  keyid text primary key,
  partner_id text not null references partners (id),
  jwk jsonb not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

-- Apps and their versions [API-040]
create table apps (
  app_id text primary key,
  partner_id text not null references partners (id),
  created_at timestamptz not null default now(),
  latest_version_code integer not null default 0
);

create table versions (
  app_id text not null references apps (app_id),
  version_code integer not null,
  version text not null,
  package_sha256 text not null,
  package_length bigint not null,
  manifest jsonb not null,
  statement bytea not null,
  statement_sha256 text not null,
  statement_keyid text not null,
  status text not null check (status in ('checking', 'queued', 'approved', 'rejected')),
  review_report jsonb not null,
  feedback text,
  decided_by text references accounts (id),
  decided_at timestamptz,
  release_envelope bytea,
  release_sha256 text,
  created_at timestamptz not null default now(),
  primary key (app_id, version_code),
  unique (app_id, package_sha256)
);

create table releases (
  id text primary key,
  app_id text not null references apps (app_id),
  version_code integer not null,
  channel text not null check (channel in ('stable', 'beta')),
  rollout_percent numeric(5, 2) not null check (rollout_percent >= 0 and rollout_percent <= 100),
  mandatory boolean not null default false,
  state text not null check (state in ('rollingOut', 'paused', 'completed', 'rolledBack', 'revoked')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (app_id, version_code) references versions (app_id, version_code)
);
create index releases_by_app on releases (app_id, channel, state);

-- Signed metadata published by the platform [SIG-050] [SIG-060]
create table trust_roots (
  version integer primary key,
  envelope bytea not null,
  created_at timestamptz not null default now()
);

create table signed_indexes (
  version integer primary key,
  envelope bytea not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

create table revocations (
  kind text not null check (kind in ('release', 'key')),
  value text not null,
  reason text,
  created_at timestamptz not null default now(),
  primary key (kind, value)
);

-- Monetisation [API-060]
create table entitlements (
  app_id text not null references apps (app_id),
  user_id text not null,
  product text not null,
  granted_at timestamptz not null default now(),
  primary key (app_id, user_id, product)
);

create table payments (
  id text primary key,
  app_id text not null references apps (app_id),
  user_id text not null,
  order_id text not null,
  amount numeric(16, 4) not null,
  currency text not null,
  commission numeric(16, 4) not null,
  provider text not null,
  status text not null,
  created_at timestamptz not null default now(),
  unique (app_id, order_id)
);

-- Analytics [ANL-001]
create table analytics_events (
  id bigserial primary key,
  app_id text not null,
  version_code integer,
  device_id text not null,
  type text not null,
  occurred_at timestamptz not null,
  duration_ms integer,
  data jsonb,
  received_at timestamptz not null default now()
);
create index analytics_by_app on analytics_events (app_id, occurred_at);
