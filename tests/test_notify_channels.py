"""Notification channels against a real local SMTP server and a real local HTTP receiver.

What arrives is checked: subjects and bodies, 企业微信 / 钉钉 payload formats, the 钉钉 加签
parameters; a delivery is made once per idempotency key; failures are recorded and retried.
"""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import io
import json
import socket
import threading
import urllib.parse
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.audit.models import AuditEntry
from duban.notify import channels
from duban.notify.actions import MAX_ATTEMPTS, ChannelError, Notice, deliver, do_set_channels
from duban.notify.models import ChannelConfig, Delivery, Message
from duban.plans.models import Region, Unit, UnitAlias

# --- local servers (also used by tests/test_remind.py) ------------------------------------------


class _Sink:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.sink = _Sink()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=policy.default) for e in self.sink.envelopes
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages() if address in m["To"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebhookReceiver:
    """A local HTTP server recording every POST (path, query, JSON body); answers ``self.status``
    (500 for the paths in ``self.failing``)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.failing: set[str] = set()
        self.reply = {"errcode": 0, "errmsg": "ok"}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's hook name)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                receiver.requests.append(
                    {
                        "path": parts.path,
                        "query": dict(urllib.parse.parse_qsl(parts.query)),
                        "raw_query": parts.query,
                        "content_type": self.headers.get("Content-Type", ""),
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
                body = json.dumps(receiver.reply).encode()
                self.send_response(500 if parts.path in receiver.failing else receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def on(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "督办系统 <duban@example.cn>"
    yield server
    server.controller.stop()


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


# --- pure parts -------------------------------------------------------------------------------


def test_dingtalk_sign_is_documented_hmac_sha256():
    secret, ts = "SECtest-secret", 1678867200000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert urllib.parse.unquote_plus(channels.dingtalk_sign(secret, ts)) == expected
    url = channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, ts)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query == {"access_token": "abc", "timestamp": str(ts), "sign": expected}
    assert (
        channels.dingtalk_url("https://x/robot/send?access_token=abc")
        == "https://x/robot/send?access_token=abc"
    )


def test_wecom_text_is_clipped_to_2048_bytes_on_a_character_boundary():
    payload = channels.wecom_payload("【督办提醒】标题", "任务" * 2000)
    content = payload["text"]["content"]
    assert payload["msgtype"] == "text"
    assert len(content.encode("utf-8")) <= channels.WECOM_MAX_BYTES
    assert content.startswith("【督办提醒】标题\n任务") and content.endswith("…")


def test_public_url_hides_the_token():
    assert channels.public_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
    )


# --- database ---------------------------------------------------------------------------------


@pytest.fixture
def unit(db):
    region = Region.objects.get(name="邵阳市")
    unit = Unit.objects.create(region=region, name="市发展和改革委员会")
    UnitAlias.objects.create(unit=unit, name="市发改委")
    return unit


def notice(
    unit, ref="1", title="【督办提醒】市发展和改革委员会：2023年第一季度报送将于2023年3月15日 23:59截止"
):
    return Notice(
        kind="reminder.due_soon",
        unit=unit,
        title=title,
        body="以下任务尚未报送：\n1. 推进重大项目建设",
        link="http://127.0.0.1:8000/tasks/1/",
        ref=("test", ref),
    )


@pytest.mark.django_db
def test_notice_arrives_by_smtp_wecom_and_signed_dingtalk_exactly_once(unit, smtp, webhook):
    do_set_channels(
        unit,
        emails=["fgw@example.cn", "duty@example.cn"],
        wecom=webhook.url("/wecom?key=K1"),
        dingtalk=webhook.url("/ding?access_token=T1"),
        dingtalk_secret="SECabc",
    )
    counts = deliver(notice(unit))
    assert (counts.sent, counts.skipped, counts.failed) == (5, 0, 0)  # in-app + 2 mails + 2 robots

    mails = smtp.messages()
    assert sorted(m["To"] for m in mails) == ["duty@example.cn", "fgw@example.cn"]
    assert (
        mails[0]["Subject"].strip()
        == "【督办提醒】市发展和改革委员会：2023年第一季度报送将于2023年3月15日 23:59截止"
    )
    body = mails[0].get_body().get_content()
    assert "推进重大项目建设" in body and "http://127.0.0.1:8000/tasks/1/" in body

    (wecom,) = webhook.on("/wecom")
    assert wecom["query"] == {"key": "K1"} and wecom["content_type"].startswith("application/json")
    assert wecom["json"]["msgtype"] == "text"
    assert "2023年第一季度" in wecom["json"]["text"]["content"]
    (ding,) = webhook.on("/ding")
    assert ding["json"]["msgtype"] == "text" and "推进重大项目建设" in ding["json"]["text"]["content"]
    ts, sign = ding["query"]["timestamp"], ding["query"]["sign"]
    expected = base64.b64encode(
        hmac.new(b"SECabc", f"{ts}\nSECabc".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding["query"]["access_token"] == "T1" and sign == expected

    (message,) = Message.objects.filter(unit=unit)
    assert message.title.startswith("【督办提醒】") and message.read_at is None
    assert Delivery.objects.filter(state=Delivery.SENT).count() == 5
    assert "T1" not in "".join(Delivery.objects.values_list("recipient", flat=True))  # no tokens stored

    again = deliver(notice(unit))
    assert (again.sent, again.skipped, again.failed) == (0, 5, 0)
    assert len(smtp.messages()) == 2 and len(webhook.requests) == 2
    assert Message.objects.count() == 1

    other = deliver(notice(unit, ref="2"))  # another reminder is another key
    assert other.sent == 5 and len(smtp.messages()) == 4


@pytest.mark.django_db
def test_failures_are_recorded_and_retried_next_run_without_resending_the_rest(unit, smtp, webhook):
    closed = f"http://127.0.0.1:{free_port()}/ding?access_token=T"
    do_set_channels(unit, emails=["fgw@example.cn"], wecom=webhook.url("/wecom?key=K"), dingtalk=closed)
    webhook.status = 500
    first = deliver(notice(unit))
    assert (first.sent, first.failed) == (2, 2)  # in-app and mail went, both robots failed
    wecom = Delivery.objects.get(channel=Delivery.WECOM)
    ding = Delivery.objects.get(channel=Delivery.DINGTALK)
    assert wecom.state == ding.state == Delivery.FAILED and wecom.attempts == 1
    assert "HTTP 500" in wecom.error and "无法连接" in ding.error

    webhook.status = 200
    second = deliver(notice(unit))
    assert (second.sent, second.skipped, second.failed) == (1, 2, 1)
    wecom.refresh_from_db()
    assert wecom.state == Delivery.SENT and wecom.attempts == 2 and wecom.error == ""
    assert len(webhook.on("/wecom")) == 2 and len(smtp.messages()) == 1  # the mail was not sent again

    webhook.reply = {"errcode": 310000, "errmsg": "sign not match"}  # HTTP 200 but refused
    do_set_channels(unit, dingtalk=webhook.url("/ding2?access_token=T"))
    refused = deliver(notice(unit, ref="3"))
    assert refused.failed == 2
    assert "errcode=310000" in Delivery.objects.get(recipient__contains="/ding2").error

    for _ in range(MAX_ATTEMPTS):  # both robots keep refusing reminder 3
        deliver(notice(unit, ref="3"))
    given_up = Delivery.objects.filter(state=Delivery.FAILED, attempts=MAX_ATTEMPTS)
    assert sorted(given_up.values_list("channel", flat=True)) == [Delivery.DINGTALK, Delivery.WECOM]
    posts = len(webhook.requests)
    assert deliver(notice(unit, ref="3")).gave_up == 2 and len(webhook.requests) == posts


@pytest.mark.django_db
def test_smtp_server_down_is_a_recorded_failure(unit, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    do_set_channels(unit, emails=["fgw@example.cn"])
    counts = deliver(notice(unit))
    assert (counts.sent, counts.failed) == (1, 1)
    row = Delivery.objects.get(channel=Delivery.EMAIL)
    assert row.state == Delivery.FAILED and row.error.startswith("邮件发送失败")


@pytest.mark.django_db
def test_dry_run_writes_and_sends_nothing(unit, smtp):
    do_set_channels(unit, emails=["fgw@example.cn"])
    counts = deliver(notice(unit), dry_run=True)
    assert counts.sent == 2
    assert not Delivery.objects.exists() and not Message.objects.exists() and not smtp.messages()


@pytest.mark.django_db
def test_reporters_of_the_unit_get_the_mail_and_a_message(unit, smtp):
    from duban.accounts.actions import Scope, do_add_user, do_set_active
    from duban.accounts.roles import LEADER, REPORTER

    do_add_user("fgw_clerk", REPORTER, Scope(unit=unit), email="clerk@example.cn")
    gone = do_add_user("fgw_gone", REPORTER, Scope(unit=unit), email="gone@example.cn")
    do_set_active(gone, False)
    do_add_user("leader", LEADER, Scope(region=unit.region), email="leader@example.cn")
    deliver(notice(unit))
    assert [m["To"] for m in smtp.messages()] == ["clerk@example.cn"]
    assert [(m.unit, m.user, m.title) for m in Message.objects.all()] == [(unit, None, notice(unit).title)]


@pytest.mark.django_db
def test_channel_command_validates_and_audits_without_secrets(unit, webhook):
    out = io.StringIO()
    call_command(
        "channel", "set", "市发改委", "--region", "邵阳市", "--email", "a@example.cn,b@example.cn",
        "--wecom", webhook.url("/w?key=SECRETKEY"), "--dingtalk", webhook.url("/d?access_token=TOKEN"),
        "--dingtalk-secret", "SECxyz", stdout=out,
    )  # fmt: skip
    assert "市发展和改革委员会" in out.getvalue() and "SECRETKEY" not in out.getvalue()
    config = ChannelConfig.objects.get(unit=unit)
    assert config.emails == ["a@example.cn", "b@example.cn"] and config.dingtalk_secret == "SECxyz"
    entry = AuditEntry.objects.get(action="notify.channels")
    trail = json.dumps([entry.summary, entry.before, entry.after], ensure_ascii=False)
    assert "SECRETKEY" not in trail and "TOKEN" not in trail and "SECxyz" not in trail
    assert entry.after["dingtalk_secret"] == "（已设置）"

    with pytest.raises(CommandError, match="邮箱“not-an-address”格式不对"):
        call_command("channel", "set", "市发改委", "--region", "邵阳市", "--email", "not-an-address")
    with pytest.raises(CommandError, match="不是有效的 http"):
        call_command("channel", "set", "市发改委", "--region", "邵阳市", "--wecom", "ftp://x")
    with pytest.raises(CommandError, match="找不到邵阳市的单位“市发该委”，是否指：市发改委"):
        call_command("channel", "set", "市发该委", "--region", "邵阳市", "--email", "c@example.cn")
    assert ChannelConfig.objects.get(unit=unit).emails == ["a@example.cn", "b@example.cn"]  # unchanged

    call_command("channel", "set", "市发改委", "--region", "邵阳市", "--email", "", stdout=io.StringIO())
    assert ChannelConfig.objects.get(unit=unit).emails == []
    with pytest.raises(ChannelError, match="没有钉钉机器人地址"):
        do_set_channels(unit, dingtalk="", dingtalk_secret="SEC")
