package io.modelreg.mlflow;

import static io.modelreg.mlflow.MlflowCase.arr;
import static io.modelreg.mlflow.MlflowCase.obj;
import static io.modelreg.mlflow.MlflowCase.tag;

import java.util.List;

/**
 * The conversations recorded from a real MLflow server: every endpoint, parameter shape and error the store
 * ({@code MlflowRegistryStore}, {@code HistoryRuns}, {@code MlflowHttp}) sends or meets, plus the facts of
 * shared/MLFLOW.md and the differences the real-server kit run found (issue 12: refused sources, numbering after
 * delete, empty-string fields). Model and experiment names start with {@code ${p}}, so cases on one long-lived
 * server stay apart; searches without a name clause rely on the server holding no other models.
 */
final class MlflowCases {
  private static final String EMPTY = MlflowRegistryStore.EMPTY_SOURCE;
  private static final String PROBE = MlflowRegistryStore.PROBE_SOURCE;
  private static final String PLACEHOLDER = MlflowRegistryStore.PLACEHOLDER_SOURCE;
  private static final String PROMPT = "mlflow.prompt.is_prompt";

  private MlflowCases() {}

  static List<MlflowCase> all() {
    return List.of(registeredModels(), modelVersions(), sources(), numbering(), aliases(), versionSearch(), prompts(),
        runs(), experiments(), artifacts(), uploads(), loggedModels(), protocol());
  }

  private static MlflowCase registeredModels() {
    return new MlflowCase("registered-models", "create, get, update, tags, search with pages, delete, and their errors")
        .post("create with description and tags", "registered-models/create", obj("name", "${p}churn",
            "description", "churn model", "tags", arr(tag("team", "growth"), tag("modelreg.state", "1/1"))))
        .post("create again", "registered-models/create", obj("name", "${p}churn", "tags", arr()))
        .post("create bare", "registered-models/create", obj("name", "${p}plain", "tags", arr()))
        .get("get", "registered-models/get", "name", "${p}churn")
        .get("get bare", "registered-models/get", "name", "${p}plain")
        .get("get missing", "registered-models/get", "name", "${p}nope")
        .patch("update description", "registered-models/update", obj("name", "${p}churn", "description", "new words"))
        .patch("clear description", "registered-models/update", obj("name", "${p}plain", "description", ""))
        .patch("update missing", "registered-models/update", obj("name", "${p}nope", "description", "x"))
        .post("set tag", "registered-models/set-tag", obj("name", "${p}churn", "key", "team", "value", "ml"))
        .post("set another tag", "registered-models/set-tag", obj("name", "${p}churn", "key", "modelreg.versions", "value", "v-1"))
        .post("set tag on missing", "registered-models/set-tag", obj("name", "${p}nope", "key", "k", "value", "v"))
        .delete("delete tag", "registered-models/delete-tag", obj("name", "${p}churn", "key", "modelreg.state"))
        .delete("delete absent tag", "registered-models/delete-tag", obj("name", "${p}churn", "key", "never"))
        .delete("delete tag on missing", "registered-models/delete-tag", obj("name", "${p}nope", "key", "k"))
        .get("get after changes", "registered-models/get", "name", "${p}churn")
        .get("search plain", "registered-models/search", "max_results", "1000")
        .get("search prompts", "registered-models/search", "max_results", "1000", "filter", "tags.`" + PROMPT + "` = 'true'")
        .get("search first page", "registered-models/search", "max_results", "1")
        .capture("token", "/next_page_token")
        .get("search next page", "registered-models/search", "max_results", "1", "page_token", "${token}")
        .get("search by name", "registered-models/search", "max_results", "1000", "filter", "name = '${p}plain'")
        .delete("delete", "registered-models/delete", obj("name", "${p}plain"))
        .delete("delete again", "registered-models/delete", obj("name", "${p}plain"))
        .get("get deleted", "registered-models/get", "name", "${p}plain")
        .get("search after delete", "registered-models/search", "max_results", "1000");
  }

  private static MlflowCase modelVersions() {
    return new MlflowCase("model-versions", "versions from an upload run: create, get, update, tags, stages, delete, tombstones")
        .post("create model", "registered-models/create", obj("name", "${p}churn", "tags", arr()))
        .post("upload run", "runs/create", obj("experiment_id", "0", "run_name", "modelreg-${p}churn",
            "start_time", 1_700_000_000_000L, "tags", arr(tag("modelreg.model", "${p}churn"))))
        .capture("run", "/run/info/run_id")
        .post("create with run", "model-versions/create", obj("name", "${p}churn",
            "source", "mlflow-artifacts:/0/${run}/artifacts", "run_id", "${run}"))
        .post("create with description and tags", "model-versions/create", obj("name", "${p}churn", "source", EMPTY,
            "description", "second", "tags", arr(tag("modelreg.semver", "1.1.0"))))
        .get("get", "model-versions/get", "name", "${p}churn", "version", "1")
        .get("get with tags", "model-versions/get", "name", "${p}churn", "version", "2")
        .get("get missing version", "model-versions/get", "name", "${p}churn", "version", "99")
        .get("get version of missing model", "model-versions/get", "name", "${p}nope", "version", "1")
        .get("model after versions", "registered-models/get", "name", "${p}churn")
        .patch("update description", "model-versions/update", obj("name", "${p}churn", "version", "1", "description", "first"))
        .patch("clear description", "model-versions/update", obj("name", "${p}churn", "version", "2", "description", ""))
        .patch("update missing", "model-versions/update", obj("name", "${p}churn", "version", "99", "description", "x"))
        .post("set tag", "model-versions/set-tag", obj("name", "${p}churn", "version", "1", "key", "modelreg.record", "value", "1/1"))
        .post("set tag again", "model-versions/set-tag", obj("name", "${p}churn", "version", "1", "key", "modelreg.record", "value", "2/1"))
        .post("set tag on missing", "model-versions/set-tag", obj("name", "${p}churn", "version", "99", "key", "k", "value", "v"))
        .delete("delete tag", "model-versions/delete-tag", obj("name", "${p}churn", "version", "2", "key", "modelreg.semver"))
        .delete("delete absent tag", "model-versions/delete-tag", obj("name", "${p}churn", "version", "2", "key", "never"))
        .delete("delete tag on missing", "model-versions/delete-tag", obj("name", "${p}churn", "version", "99", "key", "k"))
        .post("to staging", "model-versions/transition-stage", obj("name", "${p}churn", "version", "1", "stage", "Staging",
            "archive_existing_versions", false))
        .post("to production", "model-versions/transition-stage", obj("name", "${p}churn", "version", "2",
            "stage", "Production", "archive_existing_versions", false))
        .post("to an unknown stage", "model-versions/transition-stage", obj("name", "${p}churn", "version", "1",
            "stage", "Bogus", "archive_existing_versions", false))
        .post("transition missing", "model-versions/transition-stage", obj("name", "${p}churn", "version", "99",
            "stage", "Archived", "archive_existing_versions", false))
        .get("model after stages", "registered-models/get", "name", "${p}churn")
        .post("back to none", "model-versions/transition-stage", obj("name", "${p}churn", "version", "1", "stage", "None",
            "archive_existing_versions", false))
        .get("search", "model-versions/search", "max_results", "1000", "filter", "name='${p}churn'")
        .delete("delete", "model-versions/delete", obj("name", "${p}churn", "version", "2"))
        .delete("delete again", "model-versions/delete", obj("name", "${p}churn", "version", "2"))
        .get("get deleted", "model-versions/get", "name", "${p}churn", "version", "2")
        .get("model after delete", "registered-models/get", "name", "${p}churn")
        .post("next after a tombstone", "model-versions/create", obj("name", "${p}churn", "source", EMPTY))
        .get("search after delete", "model-versions/search", "max_results", "1000", "filter", "name='${p}churn'")
        .post("create on missing model", "model-versions/create", obj("name", "${p}nope", "source", EMPTY));
  }

  private static MlflowCase sources() {
    MlflowCase c = new MlflowCase("sources", "which model-versions/create sources MLflow takes (issue 12: made-up schemes)")
        .post("create model", "registered-models/create", obj("name", "${p}src", "tags", arr()));
    for (String source : List.of(PROBE, PLACEHOLDER, EMPTY, "mlflow-artifacts:/0/abc/artifacts", "s3://bucket/model",
        "https://example.com/model", "modelreg:empty", "modelreg:number-probe", "dummy-source", "/tmp/model",
        "relative/model", "mlflow-artifacts:/0/../model", "models:/${p}placeholder")) {
      c.post("source " + source, "model-versions/create", obj("name", "${p}src", "source", source));
    }
    return c
        .post("run_id not checked", "model-versions/create", obj("name", "${p}src", "source", EMPTY, "run_id", "deadbeef"))
        .get("search", "model-versions/search", "max_results", "1000", "filter", "name='${p}src'");
  }

  private static MlflowCase numbering() {
    return new MlflowCase("numbering", "numbers count tombstones and restart at 1 for a re-created model")
        .post("create model", "registered-models/create", obj("name", "${p}n", "tags", arr()))
        .post("v1", "model-versions/create", obj("name", "${p}n", "source", PLACEHOLDER))
        .post("v2", "model-versions/create", obj("name", "${p}n", "source", PLACEHOLDER))
        .post("v3", "model-versions/create", obj("name", "${p}n", "source", PLACEHOLDER))
        .delete("delete v3", "model-versions/delete", obj("name", "${p}n", "version", "3"))
        .delete("delete v2", "model-versions/delete", obj("name", "${p}n", "version", "2"))
        .post("probe", "model-versions/create", obj("name", "${p}n", "source", PROBE))
        .delete("delete model", "registered-models/delete", obj("name", "${p}n"))
        .post("create again", "registered-models/create", obj("name", "${p}n", "tags", arr()))
        .post("first after re-creation", "model-versions/create", obj("name", "${p}n", "source", PLACEHOLDER))
        .get("search", "model-versions/search", "max_results", "1000", "filter", "name='${p}n'");
  }

  private static MlflowCase aliases() {
    return new MlflowCase("aliases", "aliases set, moved, read, deleted; where they show and where not")
        .post("create model", "registered-models/create", obj("name", "${p}a", "tags", arr()))
        .post("v1", "model-versions/create", obj("name", "${p}a", "source", EMPTY))
        .post("v2", "model-versions/create", obj("name", "${p}a", "source", EMPTY))
        .post("v3", "model-versions/create", obj("name", "${p}a", "source", EMPTY))
        .post("set champion", "registered-models/alias", obj("name", "${p}a", "alias", "champion", "version", "1"))
        .post("set challenger", "registered-models/alias", obj("name", "${p}a", "alias", "challenger", "version", "2"))
        .post("set shadow", "registered-models/alias", obj("name", "${p}a", "alias", "shadow", "version", "3"))
        .get("model", "registered-models/get", "name", "${p}a")
        .get("version with alias", "model-versions/get", "name", "${p}a", "version", "1")
        .get("by alias", "registered-models/alias", "name", "${p}a", "alias", "champion")
        .get("search has no aliases", "model-versions/search", "max_results", "1000", "filter", "name='${p}a'")
        .get("model search has aliases", "registered-models/search", "max_results", "1000", "filter", "name = '${p}a'")
        .post("move champion", "registered-models/alias", obj("name", "${p}a", "alias", "champion", "version", "2"))
        .get("version with two aliases", "model-versions/get", "name", "${p}a", "version", "2")
        .delete("delete challenger", "registered-models/alias", obj("name", "${p}a", "alias", "challenger"))
        .get("missing alias", "registered-models/alias", "name", "${p}a", "alias", "challenger")
        .delete("delete missing alias", "registered-models/alias", obj("name", "${p}a", "alias", "challenger"))
        .post("alias to a missing version", "registered-models/alias", obj("name", "${p}a", "alias", "x", "version", "99"))
        .post("alias on a missing model", "registered-models/alias", obj("name", "${p}nope", "alias", "x", "version", "1"))
        .get("alias of a missing model", "registered-models/alias", "name", "${p}nope", "alias", "x")
        .delete("delete the aliased version", "model-versions/delete", obj("name", "${p}a", "version", "3"))
        .get("model after", "registered-models/get", "name", "${p}a");
  }

  private static MlflowCase versionSearch() {
    MlflowCase c = new MlflowCase("version-search", "the filters the push-down emits, pages, and filters MLflow refuses")
        .post("alpha", "registered-models/create", obj("name", "${p}alpha", "tags", arr()))
        .post("beta", "registered-models/create", obj("name", "${p}beta", "tags", arr()))
        .post("alpha v1", "model-versions/create", obj("name", "${p}alpha", "source", EMPTY,
            "tags", arr(tag("team", "growth"), tag("modelreg.semver", "1.0.0"))))
        .post("alpha v2", "model-versions/create", obj("name", "${p}alpha", "source", EMPTY,
            "tags", arr(tag("team", "risk"), tag("modelreg.semver", "1.1.0"))))
        .post("alpha v3", "model-versions/create", obj("name", "${p}alpha", "source", EMPTY))
        .post("beta v1", "model-versions/create", obj("name", "${p}beta", "source", EMPTY,
            "tags", arr(tag("team", "growth"), tag("modelreg.semver", "2.0.0"))));
    String[] filters = {
        "name='${p}alpha'",
        "name = '${p}alpha'",
        "name LIKE '${p}al%'",
        "name IN ('${p}alpha', '${p}beta')",
        "name = '${p}alpha' AND version_number > 1",
        "version_number = 1",
        "version_number < 2",
        "version_number <= 2 AND name LIKE '${p}%'",
        "version_number >= 3",
        "tags.`team` = 'growth'",
        "tags.`modelreg.semver` LIKE '1.%'",
        "tags.`team` = 'growth' AND name IN ('${p}beta') AND version_number > 0",
        "name = '${p}alpha' OR name = '${p}beta'",
        "version_number > 'x'",
        "current_stage = 'None'",
    };
    for (String f : filters) {
      c.get("filter " + f, "model-versions/search", "max_results", "1000", "filter", f);
    }
    return c
        .get("no filter", "model-versions/search", "max_results", "1000")
        .get("first page", "model-versions/search", "max_results", "2", "filter", "name LIKE '${p}%'")
        .capture("token", "/next_page_token")
        .get("next page", "model-versions/search", "max_results", "2", "filter", "name LIKE '${p}%'", "page_token", "${token}");
  }

  private static MlflowCase prompts() {
    return new MlflowCase("prompts", "a prompt as MLflow's prompt registry writes it; hidden from a plain model search")
        .post("create prompt", "registered-models/create", obj("name", "${p}greet", "tags", arr(tag(PROMPT, "true"))))
        .post("create plain", "registered-models/create", obj("name", "${p}plain", "tags", arr()))
        .post("prompt version", "model-versions/create", obj("name", "${p}greet", "source", "dummy-source",
            "description", "first", "tags", arr(tag(PROMPT, "true"), tag("mlflow.prompt.text", "Hi {{user}}"))))
        .post("dummy-source without the tag", "model-versions/create", obj("name", "${p}plain", "source", "dummy-source"))
        .get("plain search", "registered-models/search", "max_results", "1000")
        .get("prompt search", "registered-models/search", "max_results", "1000", "filter", "tags.`" + PROMPT + "` = 'true'")
        .get("get prompt", "registered-models/get", "name", "${p}greet")
        .get("prompt versions by name", "model-versions/search", "max_results", "1000", "filter", "name='${p}greet'")
        .get("prompt versions by name and tag", "model-versions/search", "max_results", "1000",
            "filter", "name='${p}greet' AND tags.`" + PROMPT + "` = 'true'")
        .get("prompt versions by tag", "model-versions/search", "max_results", "1000", "filter", "tags.`" + PROMPT + "` = 'true'")
        .get("prompt version", "model-versions/get", "name", "${p}greet", "version", "1");
  }

  private static MlflowCase runs() {
    return new MlflowCase("runs", "upload and history runs: create, log-batch, write-once params, tags, search, update, delete")
        .post("upload run", "runs/create", obj("experiment_id", "0", "run_name", "modelreg-${p}m",
            "start_time", 1_700_000_000_000L, "tags", arr(tag("modelreg.model", "${p}m"))))
        .capture("run", "/run/info/run_id")
        .get("get", "runs/get", "run_id", "${run}")
        .post("log metrics and params", "runs/log-batch", obj("run_id", "${run}",
            "metrics", arr(obj("key", "accuracy", "value", 0.91, "timestamp", 1_700_000_000_500L, "step", 0)),
            "params", arr(obj("key", "lr", "value", "0.1"))))
        .post("claim a slot", "runs/log-batch", obj("run_id", "${run}", "params", arr(obj("key", "rev.1", "value", "1700000000000-a"))))
        .post("claim it again, same value", "runs/log-batch", obj("run_id", "${run}",
            "params", arr(obj("key", "rev.1", "value", "1700000000000-a"))))
        .post("claim it, other value", "runs/log-batch", obj("run_id", "${run}",
            "params", arr(obj("key", "rev.1", "value", "1700000000001-b"))))
        .post("log tags", "runs/log-batch", obj("run_id", "${run}", "tags", arr(tag("event.000001", "{\"kind\":\"x\"}"),
            tag("modelreg.events", "marker-1"))))
        .post("move a tag", "runs/log-batch", obj("run_id", "${run}", "tags", arr(tag("modelreg.events", "marker-2"))))
        .post("set tag", "runs/set-tag", obj("run_id", "${run}", "key", "modelreg.numbered_to", "value", "3"))
        .post("finish", "runs/update", obj("run_id", "${run}", "status", "FINISHED", "end_time", 1_700_000_001_000L))
        .get("get after", "runs/get", "run_id", "${run}")
        .post("second run", "runs/create", obj("experiment_id", "0", "run_name", "modelreg-${p}m",
            "start_time", 1_700_000_002_000L, "tags", arr(tag("modelreg.model", "${p}other"))))
        .capture("run2", "/run/info/run_id")
        .post("search LIKE", "runs/search", obj("experiment_ids", arr("0"), "filter", "tags.`modelreg.model` LIKE '${p}%'",
            "max_results", 1000))
        .post("search =", "runs/search", obj("experiment_ids", arr("0"), "filter", "tags.`modelreg.model` = '${p}m'",
            "max_results", 1))
        .post("search = and !=", "runs/search", obj("experiment_ids", arr("0"),
            "filter", "tags.`modelreg.model` = '${p}m' AND tags.`modelreg.events` != 'marker-2'", "max_results", 1))
        .post("search != moved", "runs/search", obj("experiment_ids", arr("0"),
            "filter", "tags.`modelreg.model` = '${p}m' AND tags.`modelreg.events` != 'marker-1'", "max_results", 1))
        .post("first page", "runs/search", obj("experiment_ids", arr("0"), "filter", "tags.`modelreg.model` LIKE '${p}%'",
            "max_results", 1))
        .capture("token", "/next_page_token")
        .post("next page", "runs/search", obj("experiment_ids", arr("0"), "filter", "tags.`modelreg.model` LIKE '${p}%'",
            "max_results", 1, "page_token", "${token}"))
        .post("delete", "runs/delete", obj("run_id", "${run2}"))
        .post("search after delete", "runs/search", obj("experiment_ids", arr("0"),
            "filter", "tags.`modelreg.model` LIKE '${p}%'", "max_results", 1000))
        .get("get deleted", "runs/get", "run_id", "${run2}")
        .get("get missing", "runs/get", "run_id", "0123456789abcdef0123456789abcdef")
        .post("log to missing", "runs/log-batch", obj("run_id", "0123456789abcdef0123456789abcdef",
            "params", arr(obj("key", "k", "value", "v"))))
        .post("tag missing", "runs/set-tag", obj("run_id", "0123456789abcdef0123456789abcdef", "key", "k", "value", "v"))
        .post("update missing", "runs/update", obj("run_id", "0123456789abcdef0123456789abcdef", "status", "FAILED",
            "end_time", 1_700_000_003_000L))
        .post("delete missing", "runs/delete", obj("run_id", "0123456789abcdef0123456789abcdef"));
  }

  private static MlflowCase experiments() {
    return new MlflowCase("experiments", "the history experiment: found by name, created, tagged, and its runs")
        .get("get missing by name", "experiments/get-by-name", "experiment_name", "${p}history")
        .post("create", "experiments/create", obj("name", "${p}history"))
        .capture("exp", "/experiment_id")
        .post("create again", "experiments/create", obj("name", "${p}history"))
        .get("get by name", "experiments/get-by-name", "experiment_name", "${p}history")
        .get("get", "experiments/get", "experiment_id", "${exp}")
        .post("set tag", "experiments/set-experiment-tag", obj("experiment_id", "${exp}", "key", "modelreg.events", "value", "m-1"))
        .post("set it again", "experiments/set-experiment-tag", obj("experiment_id", "${exp}", "key", "modelreg.events", "value", "m-2"))
        .get("get tagged", "experiments/get", "experiment_id", "${exp}")
        .get("get missing", "experiments/get", "experiment_id", "987654321")
        .post("tag missing", "experiments/set-experiment-tag", obj("experiment_id", "987654321", "key", "k", "value", "v"))
        .post("history run", "runs/create", obj("experiment_id", "${exp}", "run_name", "history-${p}m",
            "start_time", 1_700_000_000_000L, "tags", arr(tag("modelreg.history_of", "${p}m"))))
        .capture("run", "/run/info/run_id")
        .post("finish it", "runs/update", obj("run_id", "${run}", "status", "FINISHED", "end_time", 1_700_000_000_001L))
        .post("find it", "runs/search", obj("experiment_ids", arr("${exp}"),
            "filter", "tags.`modelreg.history_of` = '${p}m'", "max_results", 1))
        .post("find none", "runs/search", obj("experiment_ids", arr("${exp}"),
            "filter", "tags.`modelreg.history_of` = '${p}other'", "max_results", 1));
  }

  private static MlflowCase artifacts() {
    return new MlflowCase("artifacts", "the artifact proxy: PUT, GET, list, DELETE, and a missing file")
        .post("upload run", "runs/create", obj("experiment_id", "0", "run_name", "modelreg-${p}m",
            "start_time", 1_700_000_000_000L, "tags", arr(tag("modelreg.model", "${p}m"))))
        .capture("run", "/run/info/run_id")
        .putArtifact("put a file", "0/${run}/artifacts/model.bin", "weights and biases")
        .putArtifact("put MLmodel", "0/${run}/artifacts/MLmodel", "flavors: {}\n")
        .putArtifact("put a JSON file", "0/${run}/artifacts/prompt.json", "{\"template\": \"Hi\"}")
        .putArtifact("put a nested file", "0/${run}/artifacts/sub/dir/data.bin", "nested")
        .putArtifact("put an empty file", "0/${run}/artifacts/empty.bin", "")
        .putArtifact("put over a file", "0/${run}/artifacts/model.bin", "weights, again")
        .listArtifacts("list the root", "0/${run}/artifacts")
        .listArtifacts("list a subdirectory", "0/${run}/artifacts/sub")
        .listArtifacts("list a missing directory", "0/${run}/artifacts/none")
        .getArtifact("get a file", "0/${run}/artifacts/model.bin")
        .getArtifact("get MLmodel", "0/${run}/artifacts/MLmodel")
        .getArtifact("get a JSON file", "0/${run}/artifacts/prompt.json")
        .getArtifact("get a nested file", "0/${run}/artifacts/sub/dir/data.bin")
        .getArtifact("get an empty file", "0/${run}/artifacts/empty.bin")
        .getArtifact("get a missing file", "0/${run}/artifacts/none.bin")
        .deleteArtifact("delete a file", "0/${run}/artifacts/model.bin")
        .getArtifact("get it after", "0/${run}/artifacts/model.bin")
        .listArtifacts("list after delete", "0/${run}/artifacts");
  }

  private static MlflowCase uploads() {
    String up = "modelreg/files/${p}up/1700000000000-a1";
    String other = "modelreg/files/${p}up/1700000001000-b2";
    return new MlflowCase("uploads", "uploads in directories of their own, outside any run: a version whose source is one"
        + " and has no run, a run made only to show a version's params and metrics, and gc deleting a directory whole")
        .post("create model", "registered-models/create", obj("name", "${p}up", "tags", arr()))
        .putArtifact("put a file", up + "/model.bin", "weights")
        .putArtifact("put a nested file", up + "/sub/data.bin", "nested")
        .putArtifact("put another upload", other + "/model.bin", "other")
        .post("version from an upload, no run", "model-versions/create", obj("name", "${p}up",
            "source", "mlflow-artifacts:/" + up, "tags", arr(tag("modelreg.digest", "sha256:00"))))
        .post("a run for params and metrics", "runs/create", obj("experiment_id", "0", "run_name", "modelreg-${p}up",
            "start_time", 1_700_000_000_000L, "tags", arr(tag("modelreg.model", "${p}up"))))
        .capture("run", "/run/info/run_id")
        .post("its params and metrics", "runs/log-batch", obj("run_id", "${run}",
            "metrics", arr(obj("key", "auc", "value", 0.8, "timestamp", 1_700_000_000_000L, "step", 0)),
            "params", arr(obj("key", "lr", "value", "0.1"))))
        .post("finished", "runs/update", obj("run_id", "${run}", "status", "FINISHED", "end_time", 1_700_000_000_500L))
        .post("version from an upload, with the run", "model-versions/create", obj("name", "${p}up",
            "source", "mlflow-artifacts:/" + other, "run_id", "${run}"))
        .get("get the first", "model-versions/get", "name", "${p}up", "version", "1")
        .get("get the second", "model-versions/get", "name", "${p}up", "version", "2")
        .get("the run", "runs/get", "run_id", "${run}")
        .listArtifacts("list the model's uploads", "modelreg/files/${p}up")
        .listArtifacts("list an upload", up)
        .getArtifact("get a file under a source", up + "/model.bin")
        .deleteArtifact("delete an upload directory", other)
        .listArtifacts("list after", "modelreg/files/${p}up")
        .getArtifact("get a file of the deleted directory", other + "/model.bin")
        .deleteArtifact("delete a directory that is gone", other)
        .get("the version of the deleted directory", "model-versions/get", "name", "${p}up", "version", "2");
  }

  private static MlflowCase loggedModels() {
    return new MlflowCase("logged-models", "MLflow 3 logged models, which adoption reads, and a version made from one")
        .post("logged model", "logged-models", obj("experiment_id", "0", "name", "model"))
        .capture("model", "/model/info/model_id")
        .get("get", "logged-models/${model}")
        .get("get missing", "logged-models/m-0123456789abcdef0123456789abcdef")
        .post("create model", "registered-models/create", obj("name", "${p}lm", "tags", arr()))
        .post("version from it", "model-versions/create", obj("name", "${p}lm", "source", "models:/${model}"));
  }

  private static MlflowCase protocol() {
    return new MlflowCase("protocol", "Content-Type, POST to delete endpoints, an unknown endpoint")
        .postWithoutContentType("no Content-Type", "registered-models/create", obj("name", "${p}x"))
        .post("POST registered-models/delete", "registered-models/delete", obj("name", "${p}x"))
        .post("POST model-versions/delete", "model-versions/delete", obj("name", "${p}x", "version", "1"))
        .post("POST registered-models/delete-tag", "registered-models/delete-tag", obj("name", "${p}x", "key", "k"))
        .post("POST model-versions/delete-tag", "model-versions/delete-tag", obj("name", "${p}x", "version", "1", "key", "k"))
        .get("unknown endpoint", "registered-models/nope");
  }
}
