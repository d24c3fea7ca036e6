-- Builds and their steps. Times are epoch milliseconds (portable across H2 and PostgreSQL).
create table builds (
    id              varchar(64)   primary key,
    seq             bigint        not null,
    status          varchar(20)   not null,
    status_detail   varchar(2000),
    source_digest   varchar(80),
    config_path     varchar(500)  not null,
    substitutions   text          not null,
    plan            text          not null,
    tags            varchar(2000) not null,
    labels          varchar(2000) not null,
    retry_of        varchar(64),
    create_time     bigint        not null,
    start_time      bigint,
    finish_time     bigint,
    timeout_ms      bigint        not null,
    queue_ttl_ms    bigint,
    agent_id        varchar(200),
    lease_id        varchar(64),
    lease_expires   bigint,
    cancel_requested boolean      not null default false,
    lease_attempts  integer       not null default 0
);
create unique index builds_seq on builds (seq);
create index builds_status on builds (status, seq);

create table build_steps (
    build_id      varchar(64)  not null references builds (id),
    idx           integer      not null,
    step_id       varchar(500) not null,
    status        varchar(20)  not null,
    status_detail varchar(2000),
    exit_code     integer,
    start_time    bigint,
    finish_time   bigint,
    primary key (build_id, idx)
);
