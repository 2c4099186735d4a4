"""``--tb-cluster`` for real: a dask scheduler and workers on 127.0.0.1 (or a LocalCluster), a
quick digits matrix of five tuners and two seeds, a worker SIGKILLed mid-pipeline, the session
killed and resumed, a worker of another version, a scheduler that is not there."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from tunerbench.records.results_file import load_results
from tunerbench.search.registry import TUNERS

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
DASK = str(Path(sys.executable).parent / "dask")  # the command the README tells users to run
MATRIX = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-seeds", "2"]

pytestmark = pytest.mark.cluster


def _bench(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "bench/", "-p", "no:cacheprovider", *args]


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=ENV, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    file = tmp_path / "scheduler.json"
    process = _start(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(file)],
        tmp_path / "scheduler.log",
    )  # fmt: skip
    try:
        yield _scheduler_address(file, process)
    finally:
        _stop(process)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Starts `dask worker` processes; every one is stopped when the test ends, passed or not."""
    started: list[subprocess.Popen[bytes]] = []

    def start(address: str, name: str, *flags: str, **env: str) -> subprocess.Popen[bytes]:
        command = [DASK, "worker", address, "--nthreads", "1",
                   "--no-nanny", "--no-dashboard", "--name", name,
                   "--local-directory", str(tmp_path / name), *flags]  # fmt: skip
        with open(tmp_path / f"{name}.log", "ab") as output:
            process = subprocess.Popen(
                command, env={**ENV, **env}, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        _stop(process)


def _events(output: Path) -> list[dict]:
    journal = next(output.glob("runs/*/journal.jsonl"), None)
    if journal is None:
        return []
    return [json.loads(line) for line in journal.read_text().splitlines() if line.endswith("}")]


def _wait_for(condition, what: str, process: subprocess.Popen[bytes], timeout: float = 600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        assert process.poll() is None, f"the session ended before {what}"
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _scheduler_address(file: Path, process: subprocess.Popen[bytes]) -> str:
    """The address in a scheduler file once it is whole: the scheduler creates the file before
    it writes it, so a file that merely exists may still be empty."""

    def address() -> str | None:
        try:
            return json.loads(file.read_text())["address"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return None

    return _wait_for(address, "the scheduler's address", process, timeout=60)


def _pipeline_with_trials(output: Path) -> dict | None:
    """The start event of a pipeline running on a worker that has journaled a trial."""
    events = _events(output)
    started = {e["run"]: e for e in events if e["event"] == "start" and e.get("worker_pid")}
    done = {e["run"] for e in events if e["event"] == "result"}
    trials = {e["run"] for e in events if e["event"] == "trial"}
    return next((e for run, e in started.items() if run in trials and run not in done), None)


def _check_matrix(output: Path, log: Path) -> dict:
    """Every pipeline of the matrix recorded exactly once, with plausible figures."""
    (results_file,) = output.glob("tunerbench-*.json")
    results = load_results(results_file)
    keys = sorted((r.identity.tuner, r.identity.seed) for r in results)
    assert keys == sorted((t, s) for t in TUNERS.names for s in (1, 2)), log.read_text()[-3000:]
    for result in results:
        assert result.provenance.worker.startswith("tcp://127.0.0.1:")
        assert all(p.wall_s > 0 for p in result.cost.phases.values())
        assert result.cost.startup_s is not None and 0 < result.cost.startup_s < 120
        assert result.cost.peak_rss_mb is not None and result.cost.peak_rss_mb > 100
        # the cores over the pipelines running on this host when it started: 1 or 2 here
        assert 1 <= result.provenance.threads <= (os.cpu_count() or 1)
    events = _events(output)
    assert sum(e["event"] == "result" for e in events) == len(results)
    return {(r.identity.tuner, r.identity.seed): r for r in results}


def test_a_worker_killed_mid_pipeline_costs_a_retry_not_a_result(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    output, log = tmp_path / "out", tmp_path / "bench.log"
    for name in ("w1", "w2"):
        worker(scheduler, name)
    bench = _start(
        _bench("--tb-cluster", scheduler, *MATRIX, "--tb-output", str(output),
               "--benchmark-json", str(output / "bench.json")),
        log,
    )  # fmt: skip
    victim = _wait_for(lambda: _pipeline_with_trials(output), "a pipeline's first trial", bench)
    os.kill(victim["worker_pid"], signal.SIGKILL)
    assert bench.wait(timeout=900) == 0, log.read_text()[-3000:]
    results = _check_matrix(output, log)
    retried = results[(victim["tuner"], victim["seed"])]
    how = retried.provenance
    assert how.attempts == 2 and "started 2 times" in how.notes[-1]
    assert victim["worker"] in how.notes[-1] and how.worker != victim["worker"]
    assert all(r.provenance.attempts == 1 for k, r in results.items() if r is not retried)
    # pytest-benchmark's JSON holds each pipeline's own wall time, not the wait for it.
    for bench_record in json.loads((output / "bench.json").read_text())["benchmarks"]:
        info = bench_record["extra_info"]
        own = sum(p["wall_s"] for p in info["phases"].values())
        assert bench_record["stats"]["mean"] == pytest.approx(own)
        assert info["waited_s"] > 0


def test_local_cluster_survives_a_lost_worker_and_the_session_resumes(tmp_path: Path) -> None:
    output, log = tmp_path / "out", tmp_path / "bench.log"
    args = ["--tb-cluster", "local:2", *MATRIX, "--tb-output", str(output)]
    first = _start(_bench(*args), log)
    victim = _wait_for(lambda: _pipeline_with_trials(output), "a pipeline's first trial", first)
    os.kill(victim["worker_pid"], signal.SIGKILL)  # the nanny starts a new worker
    _wait_for(
        lambda: sum(e["event"] == "result" for e in _events(output)) >= 4, "four results", first
    )
    _stop(first)  # the session dies with its LocalCluster
    kept = {(e["tuner"], e["seed"]) for e in _events(output) if e["event"] == "result"}
    again = subprocess.run(_bench(*args, "--tb-resume", "-rs"), cwd=ROOT, env=ENV,
                           capture_output=True, text=True, timeout=900)  # fmt: skip
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert f"{len(kept)} skipped" in again.stdout.splitlines()[-1]
    (results_file,) = output.glob("tunerbench-*.json")
    results = load_results(results_file)
    assert sorted((r.identity.tuner, r.identity.seed) for r in results) == sorted(
        (t, s) for t in TUNERS.names for s in (1, 2)
    )
    # local:N speaks TLS with credentials of the session's own
    assert all(r.provenance.worker.startswith("tls://127.0.0.1:") for r in results)
    assert len(list(output.glob("runs/*"))) == 1  # the same session was continued


def _wheel_of_another_version(tmp_path: Path) -> Path:
    """tunerbench as it is, but installed as version 0.0.0 into a folder of its own."""
    source = tmp_path / "src"
    for name in ("tunerbench", "report_templates"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", source / "README.md")
    pyproject = (ROOT / "pyproject.toml").read_text()
    (source / "pyproject.toml").write_text(pyproject.replace('version = "', 'version = "0.0.0+', 1))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp_path / "dist", source], check=True)
    target = tmp_path / "other"
    wheel = next((tmp_path / "dist").glob("tunerbench-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True)
    return target


def test_a_worker_of_another_version_is_named_before_anything_runs(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    worker(scheduler, "odd", PYTHONPATH=str(_wheel_of_another_version(tmp_path)))
    done = subprocess.run(
        _bench("--tb-cluster", scheduler, *MATRIX, "--tb-output", str(tmp_path / "out")),
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 4
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, done.stderr
    assert "worker tcp://127.0.0.1:" in errors[0] and "tunerbench 0.0.0+" in errors[0]
    assert not (tmp_path / "out").exists()  # nothing was started


def test_a_scheduler_that_is_not_there_is_one_line() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        _bench("--tb-cluster", f"tcp://127.0.0.1:{port}", "--tb-dataset", "digits"),
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 4
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "no Dask scheduler answers there" in errors[0], done.stderr


@pytest.fixture
def certificates(tmp_path: Path) -> dict[str, Path]:
    """Throwaway TLS files (one self-signed certificate, as Dask's Security.temporary makes)."""
    from distributed.security import Security

    made = Security.temporary()
    files = {}
    for name, pem in (("ca", made.tls_ca_file), ("cert", made.tls_client_cert),
                      ("key", made.tls_client_key)):  # fmt: skip
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_text(pem)
    return files


def _tls_flags(files: dict[str, Path]) -> list[str]:
    return ["--tls-ca-file", str(files["ca"]), "--tls-cert", str(files["cert"]),
            "--tls-key", str(files["key"])]  # fmt: skip


def test_a_tls_cluster_runs_the_study_and_needs_certificates(
    certificates: dict[str, Path], worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    file = tmp_path / "tls-scheduler.json"
    scheduler = _start(
        [DASK, "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(file), *_tls_flags(certificates)],
        tmp_path / "tls-scheduler.log",
    )  # fmt: skip
    try:
        address = _scheduler_address(file, scheduler)
        assert address.startswith("tls://127.0.0.1:")
        for name in ("t1", "t2"):
            worker(address, name, *_tls_flags(certificates))
        plain = subprocess.run(
            _bench("--tb-cluster", address, "--tb-dataset", "digits"),
            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert plain.returncode == 4 and "TLS needs certificates" in plain.stderr, plain.stderr
        args = ["--tb-tls-ca", str(certificates["ca"]), "--tb-tls-cert",
                str(certificates["cert"]), "--tb-tls-key", str(certificates["key"])]  # fmt: skip
        output = tmp_path / "out"
        done = subprocess.run(
            _bench("--tb-cluster", address, *args, "--tb-profile", "quick", "--tb-dataset",
                   "digits", "--tb-tuners", "random", "--tb-seeds", "2", "--tb-output",
                   str(output)),
            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        results = load_results(next(output.glob("tunerbench-*.json")))
        assert sorted(r.identity.seed for r in results) == [1, 2]
        assert all(r.provenance.worker.startswith("tls://127.0.0.1:") for r in results)
    finally:
        _stop(scheduler)


def _executing(address: str) -> int:
    """Tasks executing on the cluster's workers right now."""
    from distributed import Client

    with Client(address, timeout=10) as monitor:
        counts = monitor.run(lambda dask_worker: len(dask_worker.state.executing))
    return sum(counts.values())


def test_a_killed_session_stops_its_pipelines_and_resumes_with_nothing_lost_or_doubled(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    output, log = tmp_path / "out", tmp_path / "bench.log"
    for name in ("w1", "w2"):
        worker(scheduler, name)
    args = ["--tb-cluster", scheduler, *MATRIX, "--tb-output", str(output)]
    bench = _start(_bench(*args), log)
    _wait_for(lambda: _pipeline_with_trials(output), "a pipeline's first trial", bench)
    assert _executing(scheduler) > 0
    _stop(bench)  # SIGKILL: no chance to cancel anything
    trials_then = sum(e["event"] == "trial" for e in _events(output))
    deadline = time.monotonic() + 30  # a quick trial takes a second or two
    while _executing(scheduler) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _executing(scheduler) == 0  # its pipelines stopped at their next trial
    assert sum(e["event"] == "trial" for e in _events(output)) == trials_then
    again = subprocess.run(_bench(*args, "--tb-resume"), cwd=ROOT, env=ENV,
                           capture_output=True, text=True, timeout=900)  # fmt: skip
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    _check_matrix(output, log)  # every pipeline once: nothing lost, nothing doubled


def test_a_worker_that_sends_another_pipelines_result_is_caught(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """A worker whose tunerbench answers with seed + 100: the session refuses the result in one
    line and counts the pipeline as failed."""
    liar = tmp_path / "liar"
    liar.mkdir()
    (liar / "sitecustomize.py").write_text(
        "import json\n"
        "import tunerbench.run.cluster_task as cluster\n"
        "honest = cluster.pipeline_on_worker\n"
        "def lying(spec, topic, log_dir=None):\n"
        "    sent = json.loads(honest(spec, topic, log_dir))\n"
        "    return json.dumps({**sent, 'seed': sent['seed'] + 100})\n"
        "cluster.pipeline_on_worker = lying\n"
    )
    worker(scheduler, "liar", PYTHONPATH=str(liar))
    done = subprocess.run(
        _bench("--tb-cluster", scheduler, "--tb-profile", "quick", "--tb-dataset", "digits",
               "--tb-tuners", "sklearn", "--tb-output", str(tmp_path / "out")),
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:]
    assert "returned a result for sklearn seed 101" in done.stdout
    assert "not the pipeline asked for (sklearn-seed1)" in done.stdout


def test_a_session_killed_on_a_cluster_resumes_here_within_its_budget(tmp_path: Path) -> None:
    """Its search lived in a scratch folder on the worker: resumed without --tb-cluster, the
    pipeline starts over here instead of adding a new search to the trials journaled there."""
    output, log = tmp_path / "out", tmp_path / "bench.log"
    args = ["--tb-profile", "quick", "--tb-dataset", "digits", "--tb-tuners", "random",
            "--tb-seeds", "1", "--tb-output", str(output)]  # fmt: skip
    first = _start(_bench("--tb-cluster", "local:1", *args), log)
    trials = lambda: sum(e["event"] == "trial" for e in _events(output)) >= 2  # noqa: E731
    _wait_for(trials, "two trials", first)
    _stop(first)
    again = subprocess.run(_bench(*args, "--tb-resume"), cwd=ROOT, env=ENV,
                           capture_output=True, text=True, timeout=600)  # fmt: skip
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    (result,) = load_results(next(output.glob("tunerbench-*.json")))
    search = result.search
    ids = [t.trial_id for t in search.trials]
    assert len(ids) == len(set(ids)) == search.n_trials == search.budget.max_trials
    assert search.search_epochs <= search.budget.total_epochs
    assert result.provenance.worker == "" and result.provenance.attempts == 2


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_local_cluster_has_no_dashboard_and_admits_only_its_session() -> None:
    """local:N: nothing answers on Dask's dashboard port, and its scheduler speaks TLS with
    credentials of the session's own, so a plain client of another local user is turned away."""
    from distributed import Client

    from tunerbench.pipeline.provenance import installed_versions
    from tunerbench.run.cluster import DaskExecutor

    if _listening(8787):
        pytest.skip("something else listens on 8787 here")
    executor = DaskExecutor("local:1", "s", installed_versions())
    try:
        assert not _listening(8787)
        address = executor.cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        with pytest.raises(OSError):
            Client(address.replace("tls://", "tcp://"), timeout=5)
    finally:
        executor.close()


EVIL = (
    "import os\n"
    "class Evil:\n"
    "    def __reduce__(self):\n"
    "        return (open, (os.environ['TB_EVIL_FILE'], 'w'))\n"
)


def test_a_worker_sending_a_pickled_object_runs_no_code_in_the_session(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """A worker answers the version check, then a pipeline, with an object whose unpickling
    would create a file: the session refuses each in one line and the file never appears."""
    evil = tmp_path / "ran-in-the-session"
    for name, patch in (
        ("versions", "import tunerbench.pipeline.provenance as p\n"
                     "p.installed_versions = lambda: Evil()\n"),
        ("result", "import tunerbench.run.cluster_task as c\n"
                   "c.pipeline_on_worker = lambda *args, **kwargs: Evil()\n"),
    ):  # fmt: skip
        folder = tmp_path / name
        folder.mkdir()
        (folder / "sitecustomize.py").write_text(EVIL + patch)
        path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
        hostile = worker(scheduler, name, PYTHONPATH=path, TB_EVIL_FILE=str(evil))
        done = subprocess.run(
            _bench("--tb-cluster", scheduler, "--tb-profile", "quick", "--tb-dataset", "digits",
                   "--tb-tuners", "sklearn", "--tb-output", str(tmp_path / name / "out")),
            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        _stop(hostile)
        assert not evil.exists(), name
        if name == "versions":
            errors = [line for line in done.stderr.splitlines() if line.strip()]
            assert done.returncode == 4 and len(errors) == 1, done.stderr
            assert "did not answer with its versions" in errors[0]
        else:
            assert done.returncode == 1, done.stdout[-3000:]
            assert "sklearn-seed1: ClusterError: the worker sent something other than plain data" \
                in done.stdout  # fmt: skip


def _certificate_for(name: str, folder: Path) -> list[str]:
    """A self-signed certificate for host ``name`` (its own CA), as `dask` TLS flags."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder.mkdir()
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return [str(folder / "cert.pem"), str(folder / "cert.pem"), str(folder / "key.pem")]


def test_a_tls_scheduler_named_by_host_must_hold_a_certificate_for_that_name(
    tmp_path: Path,
) -> None:
    """tls://localhost:PORT: a scheduler whose certificate is for another host is refused in
    one line; one for localhost is accepted (an IP address is not checked: the TLS test above)."""
    from distributed import Client

    from tunerbench.run.cluster_access import security

    for name in ("elsewhere.example", "localhost"):
        ca, cert, key = _certificate_for(name, tmp_path / name)
        file = tmp_path / name / "scheduler.json"
        scheduler = _start(
            [DASK, "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(file), "--tls-ca-file", ca,
             "--tls-cert", cert, "--tls-key", key],
            tmp_path / name / "scheduler.log",
        )  # fmt: skip
        try:
            port = _scheduler_address(file, scheduler).rsplit(":", 1)[1]
            target = f"tls://localhost:{port}"
            if name == "localhost":
                with Client(target, timeout=10, security=security(target, (ca, cert, key))):
                    pass
                continue
            done = subprocess.run(
                _bench("--tb-cluster", target, "--tb-dataset", "digits", "--tb-tls-ca", ca,
                       "--tb-tls-cert", cert, "--tb-tls-key", key),
                cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            errors = [line for line in done.stderr.splitlines() if line.strip()]
            assert done.returncode == 4 and len(errors) == 1, done.stderr
            assert "the scheduler's certificate is not for localhost" in errors[0]
        finally:
            _stop(scheduler)


def _children(pid: int) -> list[int]:
    """The pipeline processes (a spare too) whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
            if parent == pid and b"tunerbench.run.child_process" in command:
                found.append(int(stat.parent.name))
    return found


def test_a_killed_session_leaves_no_process_on_its_worker(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """The pipeline running and the spare started for the next one both end within seconds of
    the session's death; the worker stays for other sessions."""
    output, log = tmp_path / "out", tmp_path / "bench.log"
    alone = worker(scheduler, "w1")
    bench = _start(
        _bench("--tb-cluster", scheduler, "--tb-profile", "quick", "--tb-dataset", "digits",
               "--tb-tuners", "random", "--tb-seeds", "2", "--tb-output", str(output)),
        log,
    )  # fmt: skip
    _wait_for(lambda: _pipeline_with_trials(output), "a pipeline's first trial", bench)
    assert len(_children(alone.pid)) == 2  # the pipeline and the spare for the next one
    _stop(bench)
    deadline = time.monotonic() + 10
    while _children(alone.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _children(alone.pid) == []
    assert alone.poll() is None


def test_a_table_is_trained_on_the_workers_and_each_cell_saved_by_the_session(
    scheduler: str, worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """``--tb-tabulate`` on a scheduler's workers, which share no folder with the session:
    every cell comes back and is saved here, the workers keep none, the table is whole; run
    again, nothing is trained."""
    from tunerbench.replay.table import load_table

    output = tmp_path / "out"
    for name in ("w1", "w2"):
        worker(scheduler, name)
    args = _bench("--tb-tabulate", "--tb-table-seeds", "1", "--tb-problem", "digits",
                  "--tb-profile", "quick", "--tb-tuners", "random", "--tb-cluster", scheduler,
                  "--tb-output", str(output))  # fmt: skip
    made = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    assert "24 cells trained now" in made.stdout
    (table_file,) = output.glob("tables/*.npz")
    table = load_table(table_file)
    assert (len(table.points), table.seeds) == (24, [1])
    assert np.isfinite(table.curves["val_accuracy"]).all()
    assert len(list(output.glob("tables/*.cells/p*-seed1.npz"))) == 24
    assert not [p for w in ("w1", "w2") for p in (tmp_path / w).rglob("p*-seed*.npz")]
    logs = list(output.glob("runs/*/logs/tabulate-keras-*.log"))
    assert not logs  # a scheduler's workers keep their logs in their own folders
    again = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and "0 cells trained now" in again.stdout, again.stdout[-3000:]
