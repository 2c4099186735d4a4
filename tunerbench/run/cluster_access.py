"""What a session accepts from a Dask cluster: which scheduler it talks to, and how (TLS with
the certificates given or Dask's configuration), and which results (JSON text of the result
schema, for the very pipeline it asked for). Everything else is a ClusterError in one line."""

from __future__ import annotations

import json
from typing import Any

from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.run_result import RunResult


class ClusterError(RuntimeError):
    """The cluster cannot be used; the message names the scheduler or worker and what to do."""


def security(target: str, tls: tuple[str, str, str] | None) -> Any:
    """Dask's Security for a ``tls://`` scheduler: the files given, else Dask's configuration
    (``distributed.comm.tls``); a ClusterError in one line when there are no certificates. None
    for ``tcp://`` and ``local:N``."""
    if not target.startswith("tls://"):
        return None
    from distributed.security import Security

    if tls is not None:
        ca, cert, key = tls
        return Security(
            tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True
        )
    configured = Security()
    if not configured.tls_ca_file or not configured.tls_client_cert:
        raise ClusterError(
            f"--tb-cluster {target}: TLS needs certificates; give --tb-tls-ca, --tb-tls-cert and "
            "--tb-tls-key, or set distributed.comm.tls.ca-file and distributed.comm.tls.client "
            "in Dask's configuration"
        )
    return configured


def checked_result(sent: Any, spec: PipelineSpec) -> RunResult:
    """The result a worker sent, as a record checked against the schema and the pipeline the
    session asked for; a ClusterError in one line otherwise (the pipeline counts as failed)."""
    if not isinstance(sent, str):
        raise ClusterError(f"the worker sent {type(sent).__name__}, not a result as JSON text")
    try:
        result = RunResult.from_dict(json.loads(sent))
    except (ValueError, RecursionError) as exc:
        raise ClusterError(f"the worker's result is not a tunerbench record ({exc})") from None
    asked = (spec.tuner, spec.seed, spec.loop, spec.workers, spec.dataset, spec.profile.name)
    who = result.identity
    sent_for = (who.tuner, who.seed, who.loop, who.workers, who.dataset, who.profile)
    if sent_for != asked:
        raise ClusterError(
            f"the worker returned a result for {who.tuner} seed {who.seed} "
            f"({who.dataset}, {who.profile}, {who.loop}, {who.workers} workers), "
            f"not the pipeline asked for ({spec.label})"
        )
    problem = spec.tuned
    if (who.problem, who.problem_fingerprint) != (problem.name, problem.fingerprint):
        raise ClusterError(
            f"the worker ran {who.problem} as defined there ({who.problem_fingerprint}), not "
            f"as the session defines it ({problem.fingerprint}); give every worker the same "
            "module"
        )
    return result
