"""The deploy files stay in step with the code.

docker-compose.yml against each service's settings class, deploy/kafka/topics.txt against
``contracts.topics.all_topics()``, the Dockerfiles against the console scripts, and
``depends_on`` against the healthchecks. Static checks only: no Docker engine needed.
"""

from __future__ import annotations

import importlib
import json
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

from contracts.topics import all_topics
from eventkit.settings import ServiceSettings, hash_api_key

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
TOPICS_FILE = ROOT / "deploy" / "kafka" / "topics.txt"
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"

# Service short name -> HTTP port, by convention.
SERVICES: dict[str, int] = {"invoice": 8001, "dunning": 8002, "credit": 8003, "notification": 8004}

# Settings a service declares in its own ``<name>_service.settings.Settings``. While that
# module does not exist yet the base class stands in, and these names are not flagged.
PENDING_SETTINGS: dict[str, frozenset[str]] = {
    "notification": frozenset({"SMTP_HOST", "SMTP_PORT"}),
}

# Values for the ${VAR} placeholders of the compose file when a test needs real values.
FAKE_SECRETS: dict[str, str] = {
    "API_KEYS": f"acme:erp+ops:{hash_api_key('packaging-test-key-not-for-use')}",
    "POSTGRES_PASSWORD": "pg-secret",
    "INVOICE_DB_PASSWORD": "invoice-secret",
    "DUNNING_DB_PASSWORD": "dunning-secret",
    "CREDIT_DB_PASSWORD": "credit-secret",
    "NOTIFICATION_DB_PASSWORD": "notification-secret",
}


# --- helpers ---------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict), "docker-compose.yml is not a mapping"
    return loaded


def compose_service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    service = services[name]
    assert isinstance(service, dict)
    return service


def compose_environment(name: str) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or a list."""
    raw = compose_service(name).get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in raw)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in raw.items()}


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^${}]*))?\}")


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose-style ``${VAR}``, ``${VAR:-default}``, ``${VAR:?message}``; nested ones
    innermost first, as compose does."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3) or ""
        current = env.get(name)
        # With a colon an empty value counts as unset, as in compose.
        present = bool(current) if operator in (":-", ":?") else current is not None
        if present:
            return current or ""
        if operator in (":?", "?"):
            raise KeyError(f"required variable {name} is missing: {argument}")
        return argument if operator in (":-", "-") else ""

    previous = None
    while previous != value:
        previous, value = value, _PLACEHOLDER.sub(substitute, value)
    return value


def settings_class(service: str) -> type[BaseSettings]:
    """``<name>_service.settings.Settings`` when the module exists, else the shared base."""
    module_name = f"{service}_service.settings"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the module exists but is broken: that must fail, not fall back
        return ServiceSettings
    settings_cls = module.Settings
    assert isinstance(settings_cls, type) and issubclass(settings_cls, BaseSettings)
    return settings_cls


def env_names(cls: type[BaseSettings], *, required_only: bool) -> set[str]:
    prefix = str(cls.model_config.get("env_prefix") or "")
    names = set()
    for name, field in cls.model_fields.items():
        if required_only and not field.is_required():
            continue
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        names.add(f"{prefix}{alias or name}".upper())
    return names


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, f"{path}: dangling line continuation"
    return instructions


def topics_file() -> dict[str, tuple[int, str]]:
    topics: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(TOPICS_FILE.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        assert len(fields) == 3, f"topics.txt:{number}: want 'name partitions retention.ms'"
        name, partitions, retention = fields
        assert name not in topics, f"topics.txt:{number}: {name} listed twice"
        topics[name] = (int(partitions), retention)
    return topics


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency -> condition; the short (list) form means service_started."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


# --- (a) compose environment vs settings classes -----------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_compose_environment_names_every_required_setting(service: str) -> None:
    required = env_names(settings_class(service), required_only=True)
    environment = compose_environment(f"{service}-service")

    missing = sorted(required - environment.keys())

    assert not missing, f"{service}-service: compose environment lacks required {missing}"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_environment_names_only_known_settings(service: str) -> None:
    # The settings ignore unknown variables, so a misspelt name would silently do nothing.
    cls = settings_class(service)
    known = env_names(cls, required_only=False)
    if cls is ServiceSettings:
        known |= PENDING_SETTINGS.get(service, frozenset())

    unknown = sorted(compose_environment(f"{service}-service").keys() - known)

    assert not unknown, f"{service}-service: {unknown} are not settings of {cls.__qualname__}"


@pytest.mark.parametrize(("service", "port"), SERVICES.items())
def test_compose_runs_each_service_in_production_mode(service: str, port: int) -> None:
    environment = compose_environment(f"{service}-service")

    assert environment.get("ENVIRONMENT") == "production"
    assert environment.get("CLOCK_MODE") == "system"
    assert environment.get("KAFKA_IDEMPOTENCE") == "true"
    assert environment.get("LOG_JSON") == "true"
    assert environment.get("HTTP_HOST") == "0.0.0.0"  # noqa: S104 - inside the container
    assert environment.get("HTTP_PORT") == str(port)
    assert "${API_KEYS:?" in environment.get("API_KEYS", ""), "API_KEYS must be required"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_environment_builds_valid_settings(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = settings_class(service)
    environment = {
        name: interpolate(value, FAKE_SECRETS)
        for name, value in compose_environment(f"{service}-service").items()
    }
    for name in env_names(cls, required_only=False) | environment.keys():
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    settings = cls()

    assert str(getattr(settings, "environment", "")) == "production"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_database_and_role(service: str) -> None:
    raw_url = compose_environment(f"{service}-service")["DATABASE_URL"]
    url = make_url(interpolate(raw_url, FAKE_SECRETS))
    init_sql = INIT_SQL.read_text()

    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "postgres"
    assert url.database == service and url.username == service
    assert url.password == FAKE_SECRETS[f"{service.upper()}_DB_PASSWORD"]
    assert re.search(rf"CREATE ROLE {service} LOGIN PASSWORD", init_sql)
    assert re.search(rf"CREATE DATABASE {service} OWNER {service};", init_sql)


def test_postgres_container_gets_every_password_init_sql_reads() -> None:
    read_by_init_sql = set(re.findall(r"^\\getenv\s+\w+\s+(\w+)", INIT_SQL.read_text(), re.M))
    environment = compose_environment("postgres")

    assert read_by_init_sql == {f"{service.upper()}_DB_PASSWORD" for service in SERVICES}
    assert read_by_init_sql <= environment.keys()
    assert any(
        "init.sql:/docker-entrypoint-initdb.d/" in str(volume)
        for volume in compose_service("postgres").get("volumes", [])
    )


# --- (b) topics.txt vs contracts ---------------------------------------------------------


def test_topics_file_lists_every_topic_with_its_partitions() -> None:
    listed = topics_file()

    for spec in all_topics():
        assert spec.name in listed, f"{spec.name} missing from topics.txt: regenerate it"
        partitions, retention = listed[spec.name]
        assert partitions == spec.partitions, f"{spec.name}: partitions drifted: regenerate"
        assert retention == spec.config.get("retention.ms", "-1"), f"{spec.name}: retention"


def test_topics_file_lists_no_retired_topic() -> None:
    stale = sorted(topics_file().keys() - {spec.name for spec in all_topics()})

    assert not stale, f"topics.txt lists topics the contracts no longer have: {stale}"


def test_kafka_init_creates_the_topics_before_the_services_start() -> None:
    kafka_init = compose_service("kafka-init")
    launched = " ".join(
        " ".join(part) if isinstance(part, list) else str(part or "")
        for part in (kafka_init.get("entrypoint"), kafka_init.get("command"))
    )

    assert compose_environment("kafka")["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "create-topics.sh" in launched
    assert any(str(v).startswith("./deploy/kafka:") for v in kafka_init.get("volumes", []))
    assert "--if-not-exists" in (ROOT / "deploy" / "kafka" / "create-topics.sh").read_text()
    for service in SERVICES:
        conditions = depends_on(compose_service(f"{service}-service"))
        assert conditions.get("kafka-init") == "service_completed_successfully", service


# --- (c) Dockerfiles vs console scripts --------------------------------------------------


@pytest.mark.parametrize(("service", "port"), SERVICES.items())
def test_dockerfile_starts_the_service_console_script(service: str, port: int) -> None:
    service_dir = ROOT / "services" / f"{service}-service"
    project = tomllib.loads((service_dir / "pyproject.toml").read_text())["project"]
    script = f"{service}-service"
    instructions = dockerfile_instructions(service_dir / "Dockerfile")
    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"]
    exposed = [arguments for keyword, arguments in instructions if keyword == "EXPOSE"]
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")

    assert project["scripts"][script] == f"{service}_service.entrypoints.main:main"
    assert cmd, "no CMD"
    assert json.loads(cmd[-1]) == [script, "--migrate"]
    assert f"--package {script}" in runs
    assert exposed and exposed[-1].split()[0] == str(port)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "must not run as root"
    assert any(keyword == "HEALTHCHECK" and "/health" in args for keyword, args in instructions)


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_copies_only_its_own_service(service: str) -> None:
    text = (ROOT / "services" / f"{service}-service" / "Dockerfile").read_text()

    others = [other for other in SERVICES if other != service and f"{other}-service" in text]

    assert not others, f"{service}-service/Dockerfile names {others}: copy-paste slip?"


@pytest.mark.parametrize(("service", "port"), SERVICES.items())
def test_compose_builds_each_service_from_its_dockerfile(service: str, port: int) -> None:
    definition = compose_service(f"{service}-service")
    build = definition.get("build")

    assert isinstance(build, dict), "build must name context and dockerfile"
    assert build.get("context") == "."
    assert build.get("dockerfile") == f"services/{service}-service/Dockerfile"
    assert (ROOT / build["dockerfile"]).is_file()
    assert any(str(mapping).endswith(f":{port}") for mapping in definition.get("ports", []))


# --- (d) depends_on vs healthchecks ------------------------------------------------------


def test_every_service_waited_on_as_healthy_has_a_healthcheck() -> None:
    services = compose()["services"]
    waited_on = {
        dependency
        for definition in services.values()
        for dependency, condition in depends_on(definition).items()
        if condition == "service_healthy"
    }

    assert waited_on, "nothing waits for a healthy dependency"
    for name in sorted(waited_on):
        assert name in services, f"depends_on names unknown service {name!r}"
        healthcheck = services[name].get("healthcheck") or {}
        assert healthcheck.get("test") and not healthcheck.get("disable"), (
            f"{name} is waited on as service_healthy but has no healthcheck"
        )


def test_every_dependency_exists() -> None:
    services = compose()["services"]

    unknown = sorted(
        (name, dependency)
        for name, definition in services.items()
        for dependency in depends_on(definition)
        if dependency not in services
    )

    assert not unknown


@pytest.mark.parametrize("name", ["kafka", "postgres", *(f"{s}-service" for s in SERVICES)])
def test_infrastructure_and_services_have_healthchecks(name: str) -> None:
    healthcheck = compose_service(name).get("healthcheck") or {}

    assert healthcheck.get("test"), f"{name} has no healthcheck"


def test_notification_service_sends_mail_to_the_compose_smtp_server() -> None:
    environment = compose_environment("notification-service")
    smtp_host = environment.get("SMTP_HOST", "")

    assert smtp_host in compose()["services"]
    assert environment.get("SMTP_PORT") == "1025"
    assert depends_on(compose_service("notification-service")).get(smtp_host) == "service_healthy"
