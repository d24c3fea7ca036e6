-- Protected branches of hosted repos: a push never moves them, only the server itself does.
-- prod is protected on every hosted repo, the ones that exist already included.
create table protected_branches (
    repo   varchar(100) not null references repos (name) on delete cascade,
    branch varchar(250) not null,
    primary key (repo, branch)
);
insert into protected_branches (repo, branch) select name, 'prod' from repos where kind = 'HOSTED';
