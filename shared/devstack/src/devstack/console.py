"""The ops console for local runs: build it from its lockfile when needed, then serve it.

The console (``services/ops-console``) is a static single-page application; it talks to the
four services' public APIs from the browser. Here a small threaded HTTP server hands out the
built files, answers ``/config.json`` with the services' URLs (and, in development, the
development key so the login form comes prefilled) and sends a Content-Security-Policy that
lets the page talk to those four URLs and nowhere else.

Type-checking is ``make typecheck``'s job (``npm run typecheck``), not the build's, so that
``make run`` stays fast. Nothing is built when nothing changed: ``npm ci`` runs only when
``package-lock.json`` differs from the one the installed ``node_modules`` came from, and
``npm run build`` only when a source differs from the ones the last build was made from
(content hashes: a fresh clone or a ``git checkout`` that only touches timestamps builds nothing).
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import shutil
import subprocess
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
# Module scripts and workers (pdf.js) need a JavaScript type; not every mimetypes table has it.
mimetypes.add_type("text/javascript", ".mjs")

CONSOLE_PORT = 8000
INSTALL_STAMP = ".lock-sha256"  # inside node_modules: hash of the lockfile it was installed from
BUILD_STAMP = ".source-sha256"  # inside dist: hash of the sources it was built from
# What a build reads; node_modules and dist are outputs.
BUILD_INPUTS = (
    "index.html",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "vite.config.ts",
    "src",
    "public",
)


class ConsoleBuildError(RuntimeError):
    pass


def find_console_dir(start: Path | None = None) -> Path:
    """``services/ops-console`` of the repository this package (or ``start``) lives in."""
    candidates: list[Path] = []
    for base in (start or Path.cwd(), Path(__file__).resolve()):
        candidates.extend([base, *base.parents])
    for candidate in candidates:
        console = candidate / "services" / "ops-console"
        if (console / "package.json").is_file():
            return console
    raise ConsoleBuildError("services/ops-console not found above the working directory")


def _hash_files(root: Path, names: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in names:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if not file.is_file():
                continue
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _stamp_matches(stamp: Path, value: str) -> bool:
    return stamp.is_file() and stamp.read_text().strip() == value


def _npm(console_dir: Path, *args: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise ConsoleBuildError("npm is not installed (Node.js 20 with npm is needed)")
    completed = subprocess.run(  # noqa: S603 - npm from PATH with fixed arguments
        [npm, *args],
        cwd=console_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise ConsoleBuildError(
            f"npm {' '.join(args)} failed ({completed.returncode}):\n"
            + (completed.stdout + completed.stderr)[-4000:]
        )


@dataclass(frozen=True)
class BuildOutcome:
    installed: bool
    built: bool
    dist: Path


def ensure_console_built(console_dir: Path | None = None) -> BuildOutcome:
    """Install from the lockfile and build, each only when its inputs changed."""
    console = console_dir or find_console_dir()
    lock_hash = hashlib.sha256((console / "package-lock.json").read_bytes()).hexdigest()
    install_stamp = console / "node_modules" / INSTALL_STAMP
    installed = False
    if not _stamp_matches(install_stamp, lock_hash):
        _npm(console, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error")
        install_stamp.write_text(lock_hash + "\n")
        installed = True
    dist = console / "dist"
    source_hash = _hash_files(console, BUILD_INPUTS)
    built = False
    if installed or not _stamp_matches(dist / BUILD_STAMP, source_hash):
        _npm(console, "run", "build", "--silent")
        (dist / BUILD_STAMP).write_text(source_hash + "\n")
        built = True
    return BuildOutcome(installed=installed, built=built, dist=dist)


# --- serving ---------------------------------------------------------------------------------


def console_config(
    services: Mapping[str, str], *, environment: str, clock_mode: str, api_key: str | None
) -> dict[str, Any]:
    """What the page reads at start: where each service is, and the key to prefill."""
    return {
        "services": {name.removesuffix("-service"): url for name, url in services.items()},
        "environment": environment,
        "clock": clock_mode,
        "apiKey": api_key,
    }


def content_security_policy(service_urls: Iterable[str]) -> str:
    connect = " ".join(sorted({_origin(u) for u in service_urls}))
    return (
        "default-src 'self'; "
        f"connect-src 'self' {connect}; "
        "img-src 'self' data: blob:; "
        "style-src 'self' 'unsafe-inline'; "  # Chromium's PDF viewer styles itself inline
        "script-src 'self'; "
        "frame-src 'self' blob:; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'none'; "
        "frame-ancestors 'none'"
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ConsoleServer:
    """Serves the built console and its ``config.json`` on one port (threaded)."""

    def __init__(
        self, dist: Path, config: Mapping[str, Any], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.dist = dist.resolve()
        self.config = dict(config)
        self.host = host
        self._requested_port = port
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return self.url

    def start(self) -> None:
        if not (self.dist / "index.html").is_file():
            raise ConsoleBuildError(f"{self.dist} has no index.html: build the console first")
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer((self.host, self._requested_port), handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ops-console", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def _handler_for(server: ConsoleServer) -> type[BaseHTTPRequestHandler]:
    csp = content_security_policy(server.config.get("services", {}).values())
    config_body = json.dumps(server.config, indent=2).encode()

    class Handler(BaseHTTPRequestHandler):
        server_version = "ops-console"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("console: " + format, *args)

        def _send(self, status: int, body: bytes, content_type: str, *, cache: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", cache)
            self.send_header("Content-Security-Policy", csp)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            host = self.headers.get("Host", "")
            if host.split(":")[0] == "localhost" and server.host == "127.0.0.1":
                # The services allow exactly one origin: send the browser to it.
                self.send_response(HTTPStatus.TEMPORARY_REDIRECT)
                self.send_header("Location", server.url + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = urlsplit(self.path).path
            if path == "/config.json":
                self._send(200, config_body, "application/json", cache="no-store")
                return
            file = (server.dist / path.lstrip("/")).resolve()
            inside = file.is_relative_to(server.dist)
            if inside and file.is_file() and file.name != BUILD_STAMP:
                content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                # Vite fingerprints everything under assets/: those never change.
                cache = (
                    "public, max-age=31536000, immutable"
                    if file.parent.name == "assets"
                    else "no-cache"
                )
                self._send(200, file.read_bytes(), content_type, cache=cache)
                return
            if not inside or "." in path.rsplit("/", 1)[-1]:
                self._send(404, b"not found\n", "text/plain; charset=utf-8", cache="no-store")
                return
            # A client-side route: the page itself.
            index = (server.dist / "index.html").read_bytes()
            self._send(200, index, "text/html; charset=utf-8", cache="no-cache")

    return Handler
