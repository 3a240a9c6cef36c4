-- version_metrics holds each metric's CURRENT value, the one searches compare (ModelVersion.latestMetric): the
-- value of the last metric run that has the metric, else the value given at registration. V1 held the
-- registration values only, so a metric filter could not be answered by SQL once metric runs were logged.
CREATE OR REPLACE FUNCTION modelreg_version_projection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM version_tags WHERE model = NEW.model AND number = NEW.number;
    DELETE FROM version_metrics WHERE model = NEW.model AND number = NEW.number;
  END IF;
  INSERT INTO version_tags (model, number, key, value)
    SELECT NEW.model, NEW.number, t.key, t.value FROM jsonb_each_text(COALESCE(NEW.record -> 'tags', '{}')) t;
  INSERT INTO version_metrics (model, number, key, value)
    SELECT NEW.model, NEW.number, l.key, l.value FROM modelreg_latest_metrics(NEW.record) l;
  IF TG_OP = 'INSERT' THEN -- the files never change after registration
    INSERT INTO version_files (model, number, path, digest, size)
      SELECT NEW.model, NEW.number, f ->> 'path', f ->> 'sha256', (f ->> 'size')::bigint
      FROM jsonb_array_elements(COALESCE(NEW.record -> 'artifacts' -> 'files', '[]')) f;
  END IF;
  RETURN NULL;
END $$;

-- Each metric of a version record with its current value: later runs win over earlier ones, any run over the
-- registration value (position 0).
CREATE FUNCTION modelreg_latest_metrics(rec jsonb) RETURNS TABLE (key text, value double precision)
  LANGUAGE sql IMMUTABLE AS $$
  SELECT DISTINCT ON (x.key) x.key, x.value::double precision
  FROM (
    SELECT m.key, m.value, 0::bigint AS pos FROM jsonb_each_text(COALESCE(rec -> 'metrics', '{}')) m
    UNION ALL
    SELECT rv.key, rv.value, r.pos
    FROM jsonb_array_elements(COALESCE(rec -> 'metric_runs', '[]')) WITH ORDINALITY r(run, pos),
         jsonb_each_text(COALESCE(r.run -> 'values', '{}')) rv
  ) x
  ORDER BY x.key, x.pos DESC
$$;

DELETE FROM version_metrics;
INSERT INTO version_metrics (model, number, key, value)
  SELECT v.model, v.number, l.key, l.value FROM versions v, modelreg_latest_metrics(v.record) l;
