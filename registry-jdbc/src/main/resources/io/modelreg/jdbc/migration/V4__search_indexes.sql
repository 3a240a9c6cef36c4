-- Covering indexes for the search: a tag or metric clause finds the versions it selects by an index-only scan
-- of (key, value), which carries the version's key (model, number) with it, so neither table's rows are read
-- (PostgreSQL still visits a row whose page the visibility map does not mark all-visible; autovacuum marks
-- them). They replace V1's (key, value) indexes, which served the same lookups but had to fetch every row.
DROP INDEX version_tags_by_key_value;
CREATE INDEX version_tags_by_key_value ON version_tags (key, value text_pattern_ops) INCLUDE (model, number);
DROP INDEX version_metrics_by_key_value;
CREATE INDEX version_metrics_by_key_value ON version_metrics (key, value) INCLUDE (model, number);
