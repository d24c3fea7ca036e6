-- API tokens for the user API. Only a SHA-256 of each token is kept: the token itself is shown
-- once (the admin token goes to <data-dir>/admin.token) and cannot be read back from here.
create table api_tokens (
    id          varchar(32)  primary key,
    name        varchar(200) not null,
    role        varchar(20)  not null,
    token_hash  varchar(64)  not null,
    create_time bigint       not null,
    revoke_time bigint
);
