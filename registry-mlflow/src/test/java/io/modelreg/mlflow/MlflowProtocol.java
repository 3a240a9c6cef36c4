package io.modelreg.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.mlflow.api.proto.MlflowArtifacts;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.api.proto.Service;
import org.mlflow_project.google.protobuf.InvalidProtocolBufferException;
import org.mlflow_project.google.protobuf.Message;
import org.mlflow_project.google.protobuf.util.JsonFormat;

/**
 * MLflow's own protobuf messages (from mlflow-client) as the wire schema: every request the stand-in server
 * receives and every answer it gives must parse strictly — no unknown field, every value of the declared
 * type — into the message MLflow defines for that endpoint. This checks our client's requests and the
 * stand-in's answers against MLflow's protocol, not against each other. A GET's query is checked as an
 * object of its parameters.
 */
final class MlflowProtocol {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Parser STRICT = JsonFormat.parser();

  private record Endpoint(Supplier<Message.Builder> request, Supplier<Message.Builder> response) {}

  private static final Map<String, Endpoint> ENDPOINTS = Map.ofEntries(
      Map.entry("POST registered-models/create",
          new Endpoint(ModelRegistry.CreateRegisteredModel::newBuilder, ModelRegistry.CreateRegisteredModel.Response::newBuilder)),
      Map.entry("GET registered-models/get",
          new Endpoint(ModelRegistry.GetRegisteredModel::newBuilder, ModelRegistry.GetRegisteredModel.Response::newBuilder)),
      Map.entry("GET registered-models/search",
          new Endpoint(ModelRegistry.SearchRegisteredModels::newBuilder, ModelRegistry.SearchRegisteredModels.Response::newBuilder)),
      Map.entry("PATCH registered-models/update",
          new Endpoint(ModelRegistry.UpdateRegisteredModel::newBuilder, ModelRegistry.UpdateRegisteredModel.Response::newBuilder)),
      Map.entry("DELETE registered-models/delete",
          new Endpoint(ModelRegistry.DeleteRegisteredModel::newBuilder, ModelRegistry.DeleteRegisteredModel.Response::newBuilder)),
      Map.entry("POST registered-models/set-tag",
          new Endpoint(ModelRegistry.SetRegisteredModelTag::newBuilder, ModelRegistry.SetRegisteredModelTag.Response::newBuilder)),
      Map.entry("DELETE registered-models/delete-tag", new Endpoint(ModelRegistry.DeleteRegisteredModelTag::newBuilder,
          ModelRegistry.DeleteRegisteredModelTag.Response::newBuilder)),
      Map.entry("POST registered-models/alias", new Endpoint(ModelRegistry.SetRegisteredModelAlias::newBuilder,
          ModelRegistry.SetRegisteredModelAlias.Response::newBuilder)),
      Map.entry("DELETE registered-models/alias", new Endpoint(ModelRegistry.DeleteRegisteredModelAlias::newBuilder,
          ModelRegistry.DeleteRegisteredModelAlias.Response::newBuilder)),
      Map.entry("GET registered-models/alias", new Endpoint(ModelRegistry.GetModelVersionByAlias::newBuilder,
          ModelRegistry.GetModelVersionByAlias.Response::newBuilder)),
      Map.entry("POST model-versions/create",
          new Endpoint(ModelRegistry.CreateModelVersion::newBuilder, ModelRegistry.CreateModelVersion.Response::newBuilder)),
      Map.entry("GET model-versions/get",
          new Endpoint(ModelRegistry.GetModelVersion::newBuilder, ModelRegistry.GetModelVersion.Response::newBuilder)),
      Map.entry("GET model-versions/search",
          new Endpoint(ModelRegistry.SearchModelVersions::newBuilder, ModelRegistry.SearchModelVersions.Response::newBuilder)),
      Map.entry("PATCH model-versions/update",
          new Endpoint(ModelRegistry.UpdateModelVersion::newBuilder, ModelRegistry.UpdateModelVersion.Response::newBuilder)),
      Map.entry("DELETE model-versions/delete",
          new Endpoint(ModelRegistry.DeleteModelVersion::newBuilder, ModelRegistry.DeleteModelVersion.Response::newBuilder)),
      Map.entry("POST model-versions/set-tag",
          new Endpoint(ModelRegistry.SetModelVersionTag::newBuilder, ModelRegistry.SetModelVersionTag.Response::newBuilder)),
      Map.entry("DELETE model-versions/delete-tag",
          new Endpoint(ModelRegistry.DeleteModelVersionTag::newBuilder, ModelRegistry.DeleteModelVersionTag.Response::newBuilder)),
      Map.entry("POST model-versions/transition-stage", new Endpoint(ModelRegistry.TransitionModelVersionStage::newBuilder,
          ModelRegistry.TransitionModelVersionStage.Response::newBuilder)),
      Map.entry("POST runs/create", new Endpoint(Service.CreateRun::newBuilder, Service.CreateRun.Response::newBuilder)),
      Map.entry("GET runs/get", new Endpoint(Service.GetRun::newBuilder, Service.GetRun.Response::newBuilder)),
      Map.entry("POST runs/set-tag", new Endpoint(Service.SetTag::newBuilder, Service.SetTag.Response::newBuilder)),
      Map.entry("POST runs/log-batch", new Endpoint(Service.LogBatch::newBuilder, Service.LogBatch.Response::newBuilder)),
      Map.entry("POST runs/search", new Endpoint(Service.SearchRuns::newBuilder, Service.SearchRuns.Response::newBuilder)),
      Map.entry("POST runs/delete", new Endpoint(Service.DeleteRun::newBuilder, Service.DeleteRun.Response::newBuilder)),
      Map.entry("POST runs/update", new Endpoint(Service.UpdateRun::newBuilder, Service.UpdateRun.Response::newBuilder)),
      Map.entry("GET experiments/get-by-name",
          new Endpoint(Service.GetExperimentByName::newBuilder, Service.GetExperimentByName.Response::newBuilder)),
      Map.entry("POST experiments/create",
          new Endpoint(Service.CreateExperiment::newBuilder, Service.CreateExperiment.Response::newBuilder)),
      Map.entry("GET experiments/get", new Endpoint(Service.GetExperiment::newBuilder, Service.GetExperiment.Response::newBuilder)),
      Map.entry("POST experiments/set-experiment-tag",
          new Endpoint(Service.SetExperimentTag::newBuilder, Service.SetExperimentTag.Response::newBuilder)),
      Map.entry("GET artifacts", new Endpoint(MlflowArtifacts.ListArtifacts::newBuilder, MlflowArtifacts.ListArtifacts.Response::newBuilder)));

  /**
   * Fields a real MLflow 3.1.3 server sends (recorded in {@code mlflow-recorded/}) that mlflow-client 2.17.2's messages
   * predate; left out of the check of an answer, by call and JSON pointer to the object holding them.
   */
  private static final Map<String, Map<String, String>> NEWER_ANSWER_FIELDS = Map.of(
      "GET runs/get", Map.of("/run", "outputs"));

  private MlflowProtocol() {}

  /** What is wrong with a request to {@code "METHOD endpoint"}, or null if MLflow's message takes it. */
  static @Nullable String checkRequest(String call, JsonNode body, Map<String, String> query) {
    Endpoint e = ENDPOINTS.get(call);
    if (e == null) {
      return null;
    }
    JsonNode input = body;
    if (call.startsWith("GET ")) {
      ObjectNode q = JSON.createObjectNode();
      query.forEach(q::put);
      input = q;
    }
    return check(e.request().get(), input, "request of " + call);
  }

  /** What is wrong with a successful answer to {@code "METHOD endpoint"}, or null if MLflow's message takes it. */
  static @Nullable String checkResponse(String call, byte[] answer) {
    Endpoint e = ENDPOINTS.get(call);
    if (e == null) {
      return null;
    }
    try {
      JsonNode tree = JSON.readTree(answer);
      NEWER_ANSWER_FIELDS.getOrDefault(call, Map.of()).forEach((at, field) -> {
        if (tree.at(at) instanceof ObjectNode holder) {
          holder.remove(field);
        }
      });
      return check(e.response().get(), tree, "answer to " + call);
    } catch (java.io.IOException ex) {
      return "answer to " + call + " is not JSON: " + ex.getMessage();
    }
  }

  private static @Nullable String check(Message.Builder builder, JsonNode json, String what) {
    try {
      STRICT.merge(json.toString(), builder);
      return null;
    } catch (InvalidProtocolBufferException ex) {
      return what + " is not " + builder.getDescriptorForType().getFullName() + ": " + ex.getMessage() + " in " + json;
    }
  }
}
