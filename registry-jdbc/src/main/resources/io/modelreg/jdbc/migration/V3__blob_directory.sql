-- Artifact bytes in a shared directory (store option jdbc.blobs): the blobs row of such a blob names no
-- content, its bytes are the file blobs/sha256/<ab>/<digest> of the directory. The row stays, so the foreign
-- keys from version_files and upload_files, and gc's rule, are the same for both kinds of blob.
ALTER TABLE blobs ALTER COLUMN content_id DROP NOT NULL;

-- The registry's identity, written into the blob directory it uses (modelreg-blobs.json), so that two
-- registries never share one directory (gc of one would delete the other's bytes). One row, created by the
-- first store that needs it.
CREATE TABLE registry_identity (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  id  uuid    NOT NULL DEFAULT gen_random_uuid()
);
