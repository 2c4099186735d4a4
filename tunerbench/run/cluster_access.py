"""What a session accepts from a Dask cluster: which scheduler it talks to, and how (TLS with
the certificates given or Dask's configuration), and which results (JSON text of the result
schema, for the very pipeline it asked for). Everything else is a ClusterError in one line."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from tunerbench.pipeline.spec import PipelineSpec
from tunerbench.records.run_result import RunResult


class ClusterError(RuntimeError):
    """The cluster cannot be used; the message names the scheduler or worker and what to do."""


# What the session reads of what a cluster sends: msgpack's basic types (a task's result is
# JSON text). Dask sends results and errors pickled, which the session would run as code.
SERIALIZERS = ["msgpack"]
DESERIALIZERS = ["msgpack", "error"]


def scheduler_name(target: str) -> str | None:
    """The host name in a ``tls://NAME:PORT`` address, which the scheduler's certificate must
    hold; None for an IP address (Dask's certificates are commonly made for none)."""
    host = target.removeprefix("tls://").rsplit(":", 1)[0].strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None


def _named(security_class: type) -> type:
    """Dask's Security, checking that the scheduler's certificate is for ``scheduler``.

    Dask turns off Python's host name check (it expects a CA of the cluster's own and IP
    addresses), so any certificate of the CA would do, a worker's as well as another host's;
    this turns it on for the connections the session opens, naming the host it was given."""

    class Named(security_class):  # type: ignore[misc, valid-type]
        scheduler: str

        def get_connection_args(self, role: str) -> dict[str, Any]:
            args = super().get_connection_args(role)
            args["ssl_context"].check_hostname = True
            return {**args, "server_hostname": self.scheduler}

    return Named


def security(target: str, tls: tuple[str, str, str] | None) -> Any:
    """Dask's Security for a ``tls://`` scheduler: the files given, else Dask's configuration
    (``distributed.comm.tls``); a ClusterError in one line when there are no certificates. None
    for ``tcp://`` and ``local:N``. Given by name, the scheduler must hold a certificate for
    that name (``scheduler_name``)."""
    if not target.startswith("tls://"):
        return None
    from distributed.security import Security

    name = scheduler_name(target)
    kind = _named(Security) if name else Security
    if tls is not None:
        ca, cert, key = tls
        made = kind(
            tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True
        )
    else:
        made = kind()
        if not made.tls_ca_file or not made.tls_client_cert:
            raise ClusterError(
                f"--tb-cluster {target}: TLS needs certificates; give --tb-tls-ca, --tb-tls-cert "
                "and --tb-tls-key, or set distributed.comm.tls.ca-file and "
                "distributed.comm.tls.client in Dask's configuration"
            )
    if name:
        made.scheduler = name
    return made


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
