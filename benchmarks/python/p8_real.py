"""The Python side of P8-real: MLflow's own client doing what the Java registry does, timed in this process.

Started by ``MlflowRealBenchmark`` (and ``P8RealCounts``) as a child process; it reads one JSON command a
line on stdin and answers one JSON line on stdout, so the Java side can interleave its JMH iterations with
rounds of the same operation here, on the same server and the same data:

    {"op": "resolve", "seconds": 2.0}   -> {"op": "resolve", "calls": 412, "ns": 2001234567}
    {"op": "register", "calls": 1}      -> the same, one call

Only ``mlflow``'s public client API is used. The operations:

- ``resolve``: ``MlflowClient.get_model_version_by_alias(model, "champion")``; ``resolve_busy`` the same on
  the model with 1,000 versions (BUSY_MODEL).
- ``search``: ``MlflowClient.search_model_versions("tags.`p8.team` = 'ml'")`` (its default page of 10,000
  holds all 1,000 matches).
- ``register``: what the Java store does for a version with one file, with MLflow's client: a run in
  experiment 0, ``log_artifact`` of the file through the artifact proxy, ``create_model_version`` with the
  run's artifact URI as source and the run id, and the run ended. (MLflow 3's ``mlflow.register_model`` needs
  a logged model of a flavour; this is the closest equivalent of registering plain files.)
- ``download``: ``mlflow.artifacts.download_artifacts("models:/<model>/1", dst_path=<fresh dir>)``, the
  directory removed after each call (untimed).
- ``get_model``: ``MlflowClient.get_registered_model(model)``, for reference.

Usage: python p8_real.py TRACKING_URI RESOLVE_MODEL SEARCH_TAG_FILTER REGISTER_MODEL DOWNLOAD_MODEL FILE BUSY_MODEL
"""

import json
import logging
import os
import shutil
import sys
import tempfile
import time


def main(argv):
    uri, resolve_model, search_filter, register_model, download_model, file, busy_model = argv[1:8]
    # stdout carries the protocol; whatever MLflow prints (it greets each ended run) goes to stderr
    protocol = sys.stdout
    sys.stdout = sys.stderr
    os.environ["MLFLOW_TRACKING_URI"] = uri
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(uri)
    try:
        client.get_registered_model(register_model)
    except MlflowException:
        client.create_registered_model(register_model)
    scratch = tempfile.mkdtemp(prefix="p8-real-py")

    def resolve():
        return client.get_model_version_by_alias(resolve_model, "champion")

    def resolve_busy():
        return client.get_model_version_by_alias(busy_model, "champion")

    def search():
        found = client.search_model_versions(search_filter)
        if len(found) != 1000:
            raise SystemExit(f"search found {len(found)} versions, 1000 expected")
        return found

    def register():
        run = client.create_run("0", run_name="p8-real-py")
        client.log_artifact(run.info.run_id, file)
        version = client.create_model_version(register_model, run.info.artifact_uri, run_id=run.info.run_id)
        client.set_terminated(run.info.run_id)
        return version

    def download():
        target = tempfile.mkdtemp(dir=scratch)
        try:
            path = mlflow.artifacts.download_artifacts(f"models:/{download_model}/1", dst_path=target)
            if not os.listdir(path):
                raise SystemExit("download_artifacts wrote nothing")
        finally:
            shutil.rmtree(target)

    def get_model():
        return client.get_registered_model(resolve_model)

    ops = {"resolve": resolve, "resolve_busy": resolve_busy, "search": search, "register": register, "download": download, "get_model": get_model}
    print(json.dumps({"ready": True}), file=protocol, flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        op = ops[command["op"]]
        calls = 0
        elapsed = 0
        if "seconds" in command:
            budget = int(command["seconds"] * 1e9)
            while elapsed < budget:
                start = time.perf_counter_ns()
                op()
                elapsed += time.perf_counter_ns() - start
                calls += 1
        else:
            for _ in range(command["calls"]):
                start = time.perf_counter_ns()
                op()
                elapsed += time.perf_counter_ns() - start
                calls += 1
        print(json.dumps({"op": command["op"], "calls": calls, "ns": elapsed}), file=protocol, flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
