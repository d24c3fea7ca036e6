-- Encrypted values (AES-256-GCM, see dev.kiln.server.secrets.Sealer): secrets steps get through
-- secretEnv (kind 'build', scope a repo or '' for every build), and the credentials the server
-- itself uses: registry logins, mirror passwords, webhook secrets. Never a value in clear.
create table secrets (
    kind        varchar(20)  not null,
    scope       varchar(200) not null,
    name        varchar(300) not null,
    sealed      text         not null,
    update_time bigint       not null,
    primary key (kind, scope, name)
);
