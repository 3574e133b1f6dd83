-- [PRM-019] the restricted permissions each partner may declare; empty for a new partner.
alter table partners add column restricted_permissions text[] not null default '{}'::text[]
