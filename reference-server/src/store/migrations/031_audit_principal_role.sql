-- [API-158] an audit entry names its principal by role and id; rows written before this column
-- existed read their role from their action (revocations are the admin's).
alter table release_events add column principal_role text check (principal_role in ('partner', 'admin'));

-- [API-158] the audit log of one app, oldest first.
create index release_events_by_app on release_events (app_id, id)
