"""SMS through an HTTP provider, and webhooks signed per Standard Webhooks.

Standard Webhooks (https://www.standardwebhooks.com): headers ``webhook-id`` (the message id,
the same on every retry: receivers deduplicate on it), ``webhook-timestamp`` (Unix seconds of
this attempt) and ``webhook-signature`` = ``v1,`` + base64(HMAC-SHA256(key, id.timestamp.body))
where the key is the base64 part of the ``whsec_`` secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import httpx

from notification_service.adapters.outcome import Outcome

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
USER_AGENT = "creditmgmt-notification-service/0.1"


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: str) -> bool:
    """What a receiver does (used by the tests and documented for integrators)."""
    expected = sign(secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    offered = headers["webhook-signature"].split(" ")
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def _excerpt(response: httpx.Response) -> str:
    return response.text[:500]


async def post_webhook(
    client: httpx.AsyncClient, url: str, secret: str, msg_id: str, body: str, timestamp: int
) -> Outcome:
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    try:
        response = await client.post(url, content=body.encode(), headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        return Outcome("not_sent", f"{type(exc).__name__}: {exc}")
    except httpx.HTTPError as exc:
        return Outcome("unknown", f"{type(exc).__name__}: {exc}")
    detail = f"HTTP {response.status_code} {_excerpt(response)}".strip()
    if 200 <= response.status_code < 300:
        proof = {"status_code": response.status_code, "response": _excerpt(response), "url": url}
        return Outcome("accepted", detail, response.status_code, proof=proof)
    return Outcome("rejected", detail, response.status_code)


async def send_sms(
    client: httpx.AsyncClient,
    url: str,
    token: str | None,
    *,
    sender_id: str,
    to: str,
    text: str,
    idempotency_key: str,
) -> Outcome:
    headers = {"Idempotency-Key": idempotency_key, "user-agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body: dict[str, Any] = {"from": sender_id, "to": to, "text": text, "reference": idempotency_key}
    try:
        response = await client.post(url, json=body, headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        return Outcome("not_sent", f"{type(exc).__name__}: {exc}")
    except httpx.HTTPError as exc:
        return Outcome("unknown", f"{type(exc).__name__}: {exc}")
    detail = f"HTTP {response.status_code} {_excerpt(response)}".strip()
    code = response.status_code
    if 200 <= code < 300:
        provider_id = None
        try:
            data = response.json()
            provider_id = data.get("id") if isinstance(data, dict) else None
        except ValueError:
            pass
        proof = {"status_code": code, "provider_id": provider_id, "response": _excerpt(response)}
        return Outcome("accepted", detail, code, proof=proof)
    if code in (429, 503):
        return Outcome("not_sent", detail, code)
    if code >= 500:
        return Outcome("unknown", detail, code)
    return Outcome("rejected", detail, code)
