-- Retention: old ended builds are removed, except those something still needs. `kept` marks such a
-- build (set through the API now, by a promotion later: production's build must outlive any policy).
alter table builds add column kept boolean not null default false;
-- The sweep ranks each config's builds newest first, and asks whether any build still uses a source.
create index builds_config on builds (config_path, seq);
create index builds_source on builds (source_digest);
