-- Images a build pushed (its images:, after every step passed), with the registry's digests:
-- the API's results.images, as Cloud Build's. Registry logins are not here: see RegistryStore.
create table build_images (
    build_id  varchar(64)   not null references builds (id),
    idx       integer       not null,
    name      varchar(1000) not null,
    digest    varchar(200)  not null,
    primary key (build_id, idx)
);
