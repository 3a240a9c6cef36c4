package io.modelreg.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every conversation recorded from a real MLflow server ({@link MlflowRecordingTest}) against a fresh
 * {@link FakeMlflowServer} and fails on any difference in status, media type or body, compared as normalised JSON
 * trees (see {@link MlflowCasePlayer}); so the stand-in cannot drift from the server it stands in for.
 */
class MlflowReplayTest {
  /** The stand-in's prefix; any string works, as long as it cannot occur inside an id. */
  private static final String PREFIX = "rec000000-";

  @TestFactory
  Stream<DynamicTest> theStandInAnswersAsTheRealServerDid() {
    return MlflowCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name, () -> replay(recording(c.name))));
  }

  @Test
  void everyCaseIsRecordedAsScripted() throws IOException {
    for (MlflowCase c : MlflowCases.all()) {
      JsonNode steps = recording(c.name).path("steps");
      List<JsonNode> recorded = new ArrayList<>();
      steps.forEach(s -> recorded.add(MlflowCase.JSON.createObjectNode().put("step", s.path("step").asText())
          .set("request", s.path("request"))));
      List<JsonNode> scripted = new ArrayList<>();
      c.steps.forEach(s -> scripted.add(MlflowCase.JSON.createObjectNode().put("step", s.name()).set("request", s.toJson())));
      assertThat(recorded).as("the recording of case '%s' is stale: record it again (see MlflowRecordingTest)", c.name)
          .isEqualTo(scripted);
    }
  }

  static JsonNode recording(String name) throws IOException {
    try (InputStream in = MlflowReplayTest.class.getResourceAsStream("/mlflow-recorded/" + name + ".json")) {
      if (in == null) {
        throw new AssertionError("No recording of case '" + name + "': record it (see MlflowRecordingTest)");
      }
      return MlflowCase.JSON.readTree(in);
    }
  }

  private static void replay(JsonNode recording) throws Exception {
    String name = recording.path("case").asText();
    List<String> report = new ArrayList<>();
    FakeMlflowServer server = new FakeMlflowServer();
    try {
      MlflowCasePlayer player = new MlflowCasePlayer(server.uri(), PREFIX);
      int i = 0;
      for (JsonNode s : recording.path("steps")) {
        i++;
        MlflowCase.Step step = MlflowCase.Step.fromJson(s.path("step").asText(), s.path("request"));
        String where = "step " + i + " '" + step.name() + "': " + step.method() + " " + step.path()
            + (step.query().isEmpty() ? "" : " " + step.query()) + (step.body() == null ? "" : " " + step.body());
        MlflowCasePlayer.Answer expected = MlflowCasePlayer.Answer.fromJson(s.path("answer"));
        MlflowCasePlayer.Answer actual;
        try {
          actual = player.play(step);
        } catch (IllegalStateException e) {
          report.add(where + "\n    " + e.getMessage());
          break; // later steps need the capture that failed
        }
        List<String> differences = MlflowCasePlayer.differences(expected, actual);
        if (!differences.isEmpty()) {
          report.add(where + "\n    " + String.join("\n    ", differences));
        }
      }
    } finally {
      try {
        server.close();
      } catch (AssertionError e) {
        report.add(e.getMessage());
      }
    }
    if (!report.isEmpty()) {
      throw new AssertionError("The stand-in differs from MLflow (" + recording.path("recorded_from").asText()
          + ") in case '" + name + "':\n  " + String.join("\n  ", report));
    }
  }
}
