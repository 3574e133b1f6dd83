-- Manual review queue [REV-014] [REV-016]: why a version waits, and the order it entered the queue.
alter table versions add column queue_reasons text[] not null default '{}';
alter table versions add column queue_seq bigserial;
create index versions_review_queue on versions (status, queue_seq);
