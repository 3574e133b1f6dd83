-- Delegations of partner keys to one app, signed by the root's delegation role [SIG-080] [API-104]
create table delegations (
  app_id text not null references apps (app_id),
  version integer not null check (version >= 1),
  envelope bytea not null,
  sha256 text not null,
  keyids text[] not null,
  threshold integer not null check (threshold >= 1),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (app_id, version)
);

-- Bins of the index, immutable under their prefix and version [SIG-103] [API-103]
create table signed_bins (
  prefix text not null check (prefix ~ '^[0-9a-f]{0,4}$'),
  version integer not null check (version >= 1),
  envelope bytea not null,
  sha256 text not null,
  content_sha256 text not null,
  created_at timestamptz not null default now(),
  primary key (prefix, version)
);

-- Every committed change that the next index must reflect raises the generation, in the change's own
-- transaction; an index records the generation it covers, so any process can tell it is stale [API-106].
create table trust_state (
  id integer primary key check (id = 1),
  generation bigint not null
);
insert into trust_state (id, generation) values (1, 1);

alter table signed_indexes add column generation bigint not null default 0;
alter table signed_indexes add column bin_prefix_length integer
