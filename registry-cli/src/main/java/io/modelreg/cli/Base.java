package io.modelreg.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the root options and the output streams. */
abstract class Base implements Callable<Integer> {
  @Spec CommandSpec spec;

  ModelregCli root() {
    return (ModelregCli) spec.root().userObject();
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  boolean json() {
    return root().json;
  }

  /** Prints {@code value} as JSON with --json, else {@code text}. */
  void print(Object value, String text) {
    out().println(json() ? Views.json(value) : text);
    out().flush();
  }

  /** Whether progress may be drawn: a terminal, not --json. */
  boolean interactive() {
    return System.console() != null && !json();
  }

  /** Set by a command whose outcome is not success but also not an exception (verify finding damage). */
  int exitCode = ModelregCli.ExitCodes.OK;

  @Override
  public Integer call() throws Exception {
    run();
    return exitCode;
  }

  abstract void run() throws Exception;
}
