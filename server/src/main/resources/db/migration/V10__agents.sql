-- Agents that joined with the registration token. Each holds its own credential; only its SHA-256 is kept.
create table agents (
    id              varchar(80)  primary key,
    name            varchar(48)  not null,
    credential_hash varchar(64)  not null unique,
    create_time     bigint       not null,
    last_seen       bigint,
    disabled        boolean      default false not null
);
