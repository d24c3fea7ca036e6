-- What a build's steps reported besides their logs (issue 14). A promotion compares a build's metrics
-- with production's and binds an approval to the exact metrics and artifact digests it showed, so
-- rows are kept per step and per source, and the build's value of a name is derived from them by one
-- fixed rule (the later step in the config wins; within a step, its metrics file over its output).
create table build_metrics (
    build_id  varchar(64)      not null references builds (id),
    step      integer          not null,
    source    varchar(16)      not null,   -- 'file' (metrics: FILE) or 'log' (::metric lines)
    name      varchar(128)     not null,
    seq       integer          not null,   -- order in which the source reported it
    metric    double precision not null,
    primary key (build_id, step, source, name)
);

-- Values Kiln could not take as reported (not a number, NaN, a file missing or malformed, a pattern
-- that matched nothing): shown on the build, never dropped silently. Replaced per step and source.
create table build_warnings (
    build_id  varchar(64)   not null references builds (id),
    step      integer       not null,
    source    varchar(16)   not null,   -- as build_metrics, or 'artifacts'
    seq       integer       not null,
    message   varchar(2000) not null,
    primary key (build_id, step, source, seq)
);

-- Files a build kept: the bytes live content-addressed under <data-dir>/artifacts/sha256/, never here.
-- step is null for Cloud Build's artifacts.objects (kept once the whole build passed).
create table build_artifacts (
    build_id  varchar(64)   not null references builds (id),
    path      varchar(1000) not null,
    step      integer,
    size      bigint        not null,
    sha256    char(64)      not null,
    primary key (build_id, path)
);
create index build_artifacts_sha256 on build_artifacts (sha256);
