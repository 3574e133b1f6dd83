-- Append-only audit log of release actions: principal, time, previous and new state [API-080]
create table release_events (
  id bigserial primary key,
  release_id text not null references releases (id),
  app_id text not null,
  action text not null check (action in ('create', 'rollout', 'pause', 'resume', 'complete', 'rollback', 'revoke')),
  from_state text,
  to_state text not null,
  rollout_percent numeric(5, 2) not null,
  principal text not null,
  at timestamptz not null default now()
);
create index release_events_by_release on release_events (release_id, id);

-- [API-080] rows of the audit log are never changed or removed, whoever asks.
create function release_events_append_only() returns trigger language plpgsql as $$ begin raise exception 'release_events is append-only'; end $$;
create trigger release_events_no_change before update or delete on release_events for each row execute function release_events_append_only();

-- At most one live release of a version per channel, so concurrent creates cannot both succeed.
create unique index releases_live_version on releases (app_id, channel, version_code)
  where state in ('rollingOut', 'paused', 'completed');

-- Localised catalog strings of a released version, read once from its i18n/ files [API-051]
create table version_locales (
  app_id text not null,
  version_code integer not null,
  locale text not null,
  name text,
  short_name text,
  description text,
  primary key (app_id, version_code, locale),
  foreign key (app_id, version_code) references versions (app_id, version_code)
);

-- Server-side secrets shared by every replica (the key that authenticates catalog cursors [API-049]).
create table server_secrets (
  name text primary key,
  value text not null
);
