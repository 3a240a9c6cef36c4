-- The modelreg registry in PostgreSQL, format 1. Flyway runs this in the store's schema (search_path).
--
-- Every model, version and event is kept as its record: the JSON tree registry-api's RecordTrees gives it
-- (the same shape the file: store writes), in a jsonb column. What SQL must enforce or search is a real
-- column or table beside it, derived from the record by the triggers below inside the same statement, so
-- the two can never disagree: names, numbers, revision, stage, aliases, tags, metrics and the artifact
-- files (a foreign key to the stored bytes).

-- One row per model name ever used. The version counter and the event sequence live here, so they
-- survive deleting the model: numbers are never reused and the history stays readable.
CREATE TABLE model_names (
  name          text    PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(name) <= 255),
  last_version  integer NOT NULL DEFAULT 0 CHECK (last_version >= 0),
  last_event    bigint  NOT NULL DEFAULT 0 CHECK (last_event >= 0),
  -- moved by a trigger whenever a version of the model is created, changed or deleted: read with the model
  -- record, it tells a client whether its cached version list is still current (one round trip per resolve)
  versions_changed bigint NOT NULL DEFAULT 0
);

CREATE TABLE models (
  name        text        PRIMARY KEY REFERENCES model_names (name),
  revision    bigint      NOT NULL CHECK (revision >= 1),
  description text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  record      jsonb       NOT NULL,
  CHECK (record ->> 'name' = name AND (record ->> 'revision')::bigint = revision)
);

CREATE TABLE model_tags (
  model text NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  key   text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (model, key)
);
CREATE INDEX model_tags_by_key_value ON model_tags (key, value);

CREATE TABLE model_aliases (
  model   text    NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  alias   text    NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  PRIMARY KEY (model, alias)
);
CREATE INDEX model_aliases_by_alias ON model_aliases (alias);

CREATE TABLE model_stages (
  model   text    NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  stage   text    NOT NULL CHECK (stage IN ('DEVELOPMENT', 'STAGING', 'PRODUCTION', 'ARCHIVED')),
  PRIMARY KEY (model, version)
);
-- at most one version of a model in PRODUCTION
CREATE UNIQUE INDEX model_stages_one_production ON model_stages (model) WHERE stage = 'PRODUCTION';
CREATE INDEX model_stages_by_stage ON model_stages (stage);

CREATE TABLE versions (
  model      text        NOT NULL REFERENCES models (name) ON DELETE CASCADE,
  number     integer     NOT NULL CHECK (number >= 1),
  revision   bigint      NOT NULL CHECK (revision >= 1),
  semver     text,
  status     text        NOT NULL CHECK (status IN ('PENDING', 'READY', 'FAILED')),
  digest     text        NOT NULL,
  run_id     text,
  created_at timestamptz NOT NULL,
  created_by text        NOT NULL,
  record     jsonb       NOT NULL,
  PRIMARY KEY (model, number),
  CHECK (record ->> 'model' = model AND (record ->> 'number')::integer = number
         AND (record ->> 'revision')::bigint = revision)
);
CREATE INDEX versions_by_number ON versions (number);
CREATE INDEX versions_by_run_id ON versions (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE version_tags (
  model  text    NOT NULL,
  number integer NOT NULL,
  key    text    NOT NULL,
  value  text    NOT NULL,
  PRIMARY KEY (model, number, key),
  FOREIGN KEY (model, number) REFERENCES versions (model, number) ON DELETE CASCADE
);
CREATE INDEX version_tags_by_key_value ON version_tags (key, value text_pattern_ops);

CREATE TABLE version_metrics (
  model  text             NOT NULL,
  number integer          NOT NULL,
  key    text             NOT NULL,
  value  double precision NOT NULL,
  PRIMARY KEY (model, number, key),
  FOREIGN KEY (model, number) REFERENCES versions (model, number) ON DELETE CASCADE
);
CREATE INDEX version_metrics_by_key_value ON version_metrics (key, value);

-- ---------------------------------------------------------------- artifact bytes
-- contents: bytes being or having been uploaded, in chunks; a blob names one content by its SHA-256.
-- uploads: open upload sessions; each holds a session advisory lock on its id while its writer lives, so
-- gc can tell a live upload from one whose process died (its row and contents are then garbage).

CREATE TABLE uploads (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  model      text        NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contents (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id bigint REFERENCES uploads (id) ON DELETE SET NULL
);
CREATE INDEX contents_by_upload ON contents (upload_id);

CREATE TABLE chunks (
  content_id bigint  NOT NULL REFERENCES contents (id) ON DELETE CASCADE,
  seq        integer NOT NULL CHECK (seq >= 0),
  data       bytea   NOT NULL,
  PRIMARY KEY (content_id, seq)
);
ALTER TABLE chunks ALTER COLUMN data SET STORAGE EXTERNAL; -- already compressed models: do not try again

CREATE TABLE blobs (
  digest     text   PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  content_id bigint NOT NULL UNIQUE REFERENCES contents (id),
  size       bigint NOT NULL CHECK (size >= 0)
);

-- what a live upload has committed but no version names yet: gc keeps these blobs
CREATE TABLE upload_files (
  upload_id bigint NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  digest    text   NOT NULL REFERENCES blobs (digest),
  PRIMARY KEY (upload_id, digest)
);
CREATE INDEX upload_files_by_digest ON upload_files (digest);

-- the files of each version; the foreign key makes a version without its bytes impossible, and makes gc's
-- delete of bytes a version still names fail instead of succeed
CREATE TABLE version_files (
  model  text    NOT NULL,
  number integer NOT NULL,
  path   text    NOT NULL,
  digest text    NOT NULL REFERENCES blobs (digest),
  size   bigint  NOT NULL CHECK (size >= 0),
  PRIMARY KEY (model, number, path),
  FOREIGN KEY (model, number) REFERENCES versions (model, number) ON DELETE CASCADE
);
CREATE INDEX version_files_by_digest ON version_files (digest);

-- ---------------------------------------------------------------- events

CREATE TABLE events (
  model   text        NOT NULL REFERENCES model_names (name),
  seq     bigint      NOT NULL CHECK (seq >= 1),
  time    timestamptz NOT NULL,
  type    text        NOT NULL,
  version integer,
  record  jsonb       NOT NULL,
  PRIMARY KEY (model, seq)
);

-- ---------------------------------------------------------------- projections and notifications

CREATE FUNCTION modelreg_model_projection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM model_tags WHERE model = NEW.name;
    DELETE FROM model_aliases WHERE model = NEW.name;
    DELETE FROM model_stages WHERE model = NEW.name;
  END IF;
  INSERT INTO model_tags (model, key, value)
    SELECT NEW.name, t.key, t.value FROM jsonb_each_text(COALESCE(NEW.record -> 'tags', '{}')) t;
  INSERT INTO model_aliases (model, alias, version)
    SELECT NEW.name, a.key, a.value::integer FROM jsonb_each_text(COALESCE(NEW.record -> 'aliases', '{}')) a;
  INSERT INTO model_stages (model, version, stage)
    SELECT NEW.name, s.key::integer, s.value FROM jsonb_each_text(COALESCE(NEW.record -> 'stages', '{}')) s;
  RETURN NULL;
END $$;

CREATE TRIGGER models_projection AFTER INSERT OR UPDATE ON models
  FOR EACH ROW EXECUTE FUNCTION modelreg_model_projection();

CREATE FUNCTION modelreg_version_projection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM version_tags WHERE model = NEW.model AND number = NEW.number;
    DELETE FROM version_metrics WHERE model = NEW.model AND number = NEW.number;
  END IF;
  INSERT INTO version_tags (model, number, key, value)
    SELECT NEW.model, NEW.number, t.key, t.value FROM jsonb_each_text(COALESCE(NEW.record -> 'tags', '{}')) t;
  INSERT INTO version_metrics (model, number, key, value)
    SELECT NEW.model, NEW.number, m.key, m.value::double precision
    FROM jsonb_each_text(COALESCE(NEW.record -> 'metrics', '{}')) m;
  IF TG_OP = 'INSERT' THEN -- the files never change after registration
    INSERT INTO version_files (model, number, path, digest, size)
      SELECT NEW.model, NEW.number, f ->> 'path', f ->> 'sha256', (f ->> 'size')::bigint
      FROM jsonb_array_elements(COALESCE(NEW.record -> 'artifacts' -> 'files', '[]')) f;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER versions_projection AFTER INSERT OR UPDATE ON versions
  FOR EACH ROW EXECUTE FUNCTION modelreg_version_projection();

CREATE FUNCTION modelreg_versions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE model_names SET versions_changed = versions_changed + 1 WHERE name = OLD.model;
  ELSE
    UPDATE model_names SET versions_changed = versions_changed + 1 WHERE name = NEW.model;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER versions_changed AFTER INSERT OR UPDATE OR DELETE ON versions
  FOR EACH ROW EXECUTE FUNCTION modelreg_versions_changed();

-- Every change of a model, a version or the event log notifies 'modelreg' with the model name; watchers
-- LISTEN on it (the notification is sent when the transaction commits, never for a rolled-back one).
CREATE FUNCTION modelreg_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN changed := to_jsonb(OLD); ELSE changed := to_jsonb(NEW); END IF;
  PERFORM pg_notify('modelreg_' || TG_TABLE_SCHEMA, changed ->> TG_ARGV[0]);
  RETURN NULL;
END $$;

CREATE TRIGGER models_notify AFTER INSERT OR UPDATE OR DELETE ON models
  FOR EACH ROW EXECUTE FUNCTION modelreg_notify('name');
CREATE TRIGGER versions_notify AFTER INSERT OR UPDATE OR DELETE ON versions
  FOR EACH ROW EXECUTE FUNCTION modelreg_notify('model');
CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION modelreg_notify('model');
