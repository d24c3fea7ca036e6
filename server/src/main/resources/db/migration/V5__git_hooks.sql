-- Webhooks and pull requests. A trigger may build pull requests into the branches its regex
-- matches (pull_request), and hold those from non-collaborators until one comments "/kiln run"
-- (comment_control). A webhook secret is not here: like a mirror's password it lives in a file only
-- the server can read (<data>/git/webhook-secrets/NAME).
alter table triggers add column pull_request boolean not null default false;
alter table triggers add column comment_control boolean not null default false;

-- The pull requests a webhook told of: the head last fetched, what was built of it (a delivery
-- received twice builds once), and whether builds wait for a collaborator's "/kiln run".
create table pull_requests (
    repo            varchar(100)  not null,
    number          bigint        not null,
    head_ref        varchar(100)  not null,
    head_sha        varchar(64)   not null,
    base_branch     varchar(1000) not null,
    head_branch     varchar(1000) not null,
    head_repo_url   varchar(2000),
    author          varchar(200),
    waiting         boolean       not null default false,
    built_sha       varchar(64),
    update_time     bigint        not null,
    primary key (repo, number)
);
