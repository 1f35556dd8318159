"""Sending one text over one channel: SMTP e-mail, 企业微信 and 钉钉 group-robot webhooks.

Payloads follow the robots' documented formats:

* 企业微信: ``{"msgtype": "text", "text": {"content": …}}``, content at most 2048 bytes (UTF-8).
* 钉钉: ``{"msgtype": "text", "text": {"content": …}}``; with 加签 the URL gets ``timestamp`` (ms)
  and ``sign`` = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).
* Both answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any other errcode is a failure.

Every sender raises :class:`SendError` (with a Chinese reason) on failure and never hangs longer
than its timeout; the caller records the failure and retries on the next run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

WEBHOOK_TIMEOUT = 10  # seconds
WECOM_MAX_BYTES = 2048
DINGTALK_MAX_BYTES = 4000
ERROR_MAX = 1000


class SendError(Exception):
    """A delivery that did not go through; the message says why (recorded on the Delivery)."""


def clip_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary, marked with …."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode("utf-8", errors="ignore") + "…"


def robot_text(title: str, body: str, link: str = "") -> str:
    return "\n".join(part for part in (title, body, f"查看：{link}" if link else "") if part)


def wecom_payload(title: str, body: str, link: str = "") -> dict:
    return {
        "msgtype": "text",
        "text": {"content": clip_bytes(robot_text(title, body, link), WECOM_MAX_BYTES)},
    }


def dingtalk_payload(title: str, body: str, link: str = "") -> dict:
    return {
        "msgtype": "text",
        "text": {"content": clip_bytes(robot_text(title, body, link), DINGTALK_MAX_BYTES)},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str = "", timestamp_ms: int | None = None) -> str:
    """The webhook URL to post to: with ``timestamp`` and ``sign`` appended when a secret is set."""
    if not secret:
        return url
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def public_url(url: str) -> str:
    """A webhook URL without its query (the access token / key), fit to be stored and shown."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) + (
        "?…" if parts.query else ""
    )


def post_json(url: str, payload: dict, timeout: float = WEBHOOK_TIMEOUT) -> None:
    """POST ``payload`` as UTF-8 JSON; success is a 2xx answer whose JSON errcode (if any) is 0."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https only)
            answer = response.read(65536)
    except urllib.error.HTTPError as e:
        raise SendError(f"机器人地址返回 HTTP {e.code}") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SendError(f"无法连接机器人地址：{reason}") from e
    try:
        reply = json.loads(answer.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # not JSON: the HTTP status said it was accepted
    if isinstance(reply, dict) and reply.get("errcode", 0) not in (0, "0"):
        raise SendError(f"机器人拒收：errcode={reply.get('errcode')} {reply.get('errmsg', '')}".strip())


def send_wecom(url: str, title: str, body: str, link: str = "") -> None:
    post_json(url, wecom_payload(title, body, link))


def send_dingtalk(url: str, secret: str, title: str, body: str, link: str = "") -> None:
    post_json(dingtalk_url(url, secret), dingtalk_payload(title, body, link))


def send_email(address: str, title: str, body: str, link: str = "") -> None:
    """One plain-text e-mail through Django's e-mail backend (SMTP settings from the environment)."""
    text = body + (f"\n\n查看：{link}" if link else "")
    message = EmailMessage(subject=title, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
    try:
        sent = message.send(fail_silently=False)
    except (TimeoutError, smtplib.SMTPException, OSError) as e:
        raise SendError(f"邮件发送失败：{e}") from e
    if not sent:
        raise SendError("邮件服务器未接受该邮件")
