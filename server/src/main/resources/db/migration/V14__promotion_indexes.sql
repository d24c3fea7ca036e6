-- A build page's banner looks up the promotions a build is the candidate or the production build of.
create index promotions_build on promotions (build_id);
create index promotions_prod_build on promotions (prod_build_id);
