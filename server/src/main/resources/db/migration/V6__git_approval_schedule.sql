-- Triggers whose builds wait for approval, scheduled triggers, the decision on each approval, and
-- forges that are told each build's status (the token file's path only: the token stays in it).
alter table triggers add column approval_required boolean not null default false;
alter table triggers add column schedule varchar(200);
alter table triggers add column schedule_branch varchar(1000);

-- When a PENDING build was approved into the queue: queueTtl counts from then, not from create_time.
alter table builds add column queued_time bigint;
alter table builds add column cause_detail varchar(2000);
alter table builds add column approval_decision varchar(20);
alter table builds add column approver varchar(200);
alter table builds add column approval_time bigint;
alter table builds add column approval_comment varchar(2000);

alter table repos add column forge varchar(20);
alter table repos add column forge_url varchar(2000);
alter table repos add column forge_project varchar(500);
alter table repos add column forge_token_file varchar(2000);
alter table repos add column last_status_time bigint;
alter table repos add column last_status_error varchar(2000);
