-- Retention: old ended builds are removed, except those something still needs. `kept` marks such a
-- build (set through the API now, by a promotion later: production's build must outlive any policy).
alter table builds add column kept boolean not null default false;
-- The sweep finds builds ended before a cutoff, ranks each config's builds newest first, and asks
-- whether any build still uses a source: each through an index, not a scan of years of builds.
create index builds_finish on builds (finish_time);
create index builds_config on builds (config_path, seq);
create index builds_source on builds (source_digest);
