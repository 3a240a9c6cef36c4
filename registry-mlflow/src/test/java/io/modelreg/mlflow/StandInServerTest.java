package io.modelreg.mlflow;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh stand-in MLflow server for each test. Closing it fails the test if any traffic was off MLflow's
 * protocol (see {@link FakeMlflowServer#close}); a subclass's own {@code @AfterEach} runs first, so its
 * registries are closed before the server stops.
 */
abstract class StandInServerTest {
  protected FakeMlflowServer server;

  @BeforeEach
  final void startStandIn() throws IOException {
    server = new FakeMlflowServer();
  }

  @AfterEach
  final void stopStandIn() {
    server.close();
  }
}
