"""Notification changes: a unit's channels, sending a notice once over every channel.

Sending is at-most-once per idempotency key, across runs and processes, by the database's UNIQUE
constraint on :attr:`Delivery.key`: a delivery is *claimed* by inserting its row (or by flipping a
failed row back to 发送中 with a compare-and-set update) before anything is sent, so two runs
never both send it. A failure is recorded on the row and retried by a later run, up to
:data:`MAX_ATTEMPTS`; a run never stops on one failure. Claims are committed one by one, so call
:func:`deliver` outside a transaction in production (the ``remind`` command does).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from duban.accounts.models import UserProfile
from duban.accounts.roles import ROLES, UNIT
from duban.audit.trail import record
from duban.notify import channels
from duban.notify.models import ChannelConfig, Delivery, Message
from duban.plans import clock
from duban.plans.models import Unit

UNIT_ROLES = [r.key for r in ROLES.values() if r.scope == UNIT]  # the roles that act for a unit (单位填报员)
MAX_ATTEMPTS = 5  # a delivery that failed this often is given up (放弃) until someone looks at it
STALE_SENDING = timedelta(minutes=15)  # a claim this old was left by a run that died: retry it


class ChannelError(ValueError):
    """Channel settings that cannot be saved; the message (Chinese) names the problem."""


@dataclass(frozen=True)
class Notice:
    """What to tell one unit, once: ``ref`` identifies it (with channel and recipient, the key)."""

    kind: str
    unit: Unit
    title: str
    body: str
    link: str
    ref: tuple[str, ...]


@dataclass
class Counts:
    """What a run did: sent now, skipped as already sent (or in another run's hands), failed."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.failed += other.failed
        self.gave_up += other.gave_up
        self.errors.extend(other.errors)


def delivery_key(ref: tuple[str, ...], channel: str, recipient: str) -> str:
    """SHA-256 of the notice's identity, the channel and the recipient (64 hex characters)."""
    text = "\x1f".join([*ref, channel, recipient])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- channel settings --------------------------------------------------------------------------


def _clean_emails(emails) -> list[str]:
    out: list[str] = []
    check = EmailValidator()
    for address in emails or ():
        address = address.strip()
        if not address:
            continue
        try:
            check(address)
        except ValidationError as e:
            raise ChannelError(f"邮箱“{address}”格式不对") from e
        if address.lower() not in {a.lower() for a in out}:
            out.append(address)
    return out


def _clean_url(url: str | None, what: str) -> str:
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as e:
            raise ChannelError(f"{what}“{url}”不是有效的 http(s) 地址") from e
    return url


def _config_view(config: ChannelConfig | None) -> dict:
    """The settings as the audit trail shows them: webhook tokens and secrets never written out."""
    if config is None:
        return {"emails": [], "wecom": "", "dingtalk": "", "dingtalk_secret": ""}
    return {
        "emails": list(config.emails),
        "wecom": channels.public_url(config.wecom_webhook) if config.wecom_webhook else "",
        "dingtalk": channels.public_url(config.dingtalk_webhook) if config.dingtalk_webhook else "",
        "dingtalk_secret": "（已设置）" if config.dingtalk_secret else "",
    }


_UNSET = object()


@transaction.atomic
def do_set_channels(
    unit: Unit, *, emails=_UNSET, wecom=_UNSET, dingtalk=_UNSET, dingtalk_secret=_UNSET
) -> ChannelConfig:
    """Set a unit's channels; a part not passed keeps its value, an empty value clears it."""
    config = ChannelConfig.objects.select_for_update().filter(unit=unit).first()
    before = _config_view(config)
    config = config or ChannelConfig(unit=unit)
    if emails is not _UNSET:
        config.emails = _clean_emails(emails)
    if wecom is not _UNSET:
        config.wecom_webhook = _clean_url(wecom, "企业微信机器人地址")
    if dingtalk is not _UNSET:
        config.dingtalk_webhook = _clean_url(dingtalk, "钉钉机器人地址")
    if dingtalk_secret is not _UNSET:
        config.dingtalk_secret = (dingtalk_secret or "").strip()
    if config.dingtalk_secret and not config.dingtalk_webhook:
        raise ChannelError("设置了钉钉加签密钥，但没有钉钉机器人地址（--dingtalk）")
    config.save()
    after = _config_view(config)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        record(
            "notify.channels",
            config,
            summary=f"修改 {unit.name} 的通知渠道：{'、'.join(changed)}",
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return config


# --- sending -----------------------------------------------------------------------------------


def reporter_emails(unit_ids) -> dict[int, list[str]]:
    """{unit id: e-mail of each active 单位填报员 of the unit} in one query."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        UserProfile.objects.filter(unit_id__in=set(unit_ids), role__in=UNIT_ROLES, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__username")
        .values_list("unit_id", "user__email")
    )
    for unit_id, address in rows:
        out[unit_id].append(address)
    return out


def email_recipients(
    unit: Unit, config: ChannelConfig | None, reporters: list[str] | None = None
) -> list[str]:
    """The unit's configured addresses, then the e-mail of each active 单位填报员 of the unit."""
    if reporters is None:
        reporters = reporter_emails([unit.pk])[unit.pk]
    seen, out = set(), []
    for a in [*(config.emails if config else []), *reporters]:
        if a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return out


def _targets(notice: Notice, config: ChannelConfig | None, reporters: list[str] | None = None):
    """(channel, recipient, recipient as stored, send function) for each external channel of the unit."""
    title, body, link = notice.title, notice.body, notice.link
    out = []
    for address in email_recipients(notice.unit, config, reporters):
        out.append(
            (Delivery.EMAIL, address, address, partial(channels.send_email, address, title, body, link))
        )
    if config and config.wecom_webhook:
        url = config.wecom_webhook
        send = partial(channels.send_wecom, url, title, body, link)
        out.append((Delivery.WECOM, url, channels.public_url(url), send))
    if config and config.dingtalk_webhook:
        url, secret = config.dingtalk_webhook, config.dingtalk_secret
        send = partial(channels.send_dingtalk, url, secret, title, body, link)
        out.append((Delivery.DINGTALK, url, channels.public_url(url), send))
    return out


def _inapp_key(notice: Notice) -> str:
    return delivery_key(notice.ref, Delivery.INAPP, f"unit:{notice.unit.pk}")


def _inapp(notice: Notice, now: datetime, dry_run: bool) -> tuple[Message | None, bool]:
    """The notice's in-app message and whether it was created now (False: it existed already)."""
    key = _inapp_key(notice)
    found = Delivery.objects.select_related("message").filter(key=key).first()
    if found is not None:
        return found.message, False
    if dry_run:
        return None, True
    try:
        with transaction.atomic():
            message = Message.objects.create(
                unit=notice.unit, kind=notice.kind, title=notice.title, body=notice.body, link=notice.link
            )
            Delivery.objects.create(
                key=key,
                message=message,
                channel=Delivery.INAPP,
                recipient=notice.unit.name,
                state=Delivery.SENT,
                attempts=1,
                sent_at=now,
            )
    except IntegrityError:  # another run created it a moment ago
        return Delivery.objects.select_related("message").get(key=key).message, False
    return message, True


def _claim(key: str, message: Message | None, channel: str, shown: str, now: datetime, dry_run: bool):
    """Take the right to send this delivery: the Delivery row, or None (sent, busy or given up).

    Returns (delivery or None, verdict) with verdict 'send' | 'skip' | 'gave_up'.
    """
    found = Delivery.objects.filter(key=key).first()
    if found is None:
        if dry_run:
            return None, "send"
        try:
            with transaction.atomic():
                row = Delivery.objects.create(
                    key=key,
                    message=message,
                    channel=channel,
                    recipient=shown,
                    state=Delivery.SENDING,
                    attempts=1,
                )
            return row, "send"
        except IntegrityError:
            return None, "skip"
    if found.state == Delivery.SENT:
        return None, "skip"
    retry = found.state == Delivery.FAILED or (
        found.state == Delivery.SENDING and found.updated_at < now - STALE_SENDING
    )
    if not retry:
        return None, "skip"
    if found.attempts >= MAX_ATTEMPTS:
        return None, "gave_up"
    if dry_run:
        return None, "send"
    taken = Delivery.objects.filter(pk=found.pk, state=found.state, attempts=found.attempts).update(
        state=Delivery.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not taken:  # another run took it between our read and our update
        return None, "skip"
    found.refresh_from_db()
    return found, "send"


_NO_CONFIG = object()


def deliver(
    notice: Notice,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    config=_NO_CONFIG,
    reporters: list[str] | None = None,
    inapp: tuple[Message | None, bool] | None = None,
) -> Counts:
    """Send ``notice`` to its unit over every channel it has, each at most once (see module doc).

    ``dry_run`` writes nothing and sends nothing; the counts say what a real run would do.
    ``config`` and ``reporters`` (the unit's channels and reporters' e-mail) may be passed preloaded,
    and ``inapp`` (message, created now) when the in-app message was already written.
    """
    now = now or clock.now()
    counts = Counts()
    message, created = inapp if inapp is not None else _inapp(notice, now, dry_run)
    if created:
        counts.sent += 1
    else:
        counts.skipped += 1
    if config is _NO_CONFIG:
        config = ChannelConfig.objects.filter(unit=notice.unit).first()
    for channel, recipient, shown, send in _targets(notice, config, reporters):
        key = delivery_key(notice.ref, channel, recipient)
        row, verdict = _claim(key, message, channel, shown, now, dry_run)
        if verdict == "skip":
            counts.skipped += 1
            continue
        if verdict == "gave_up":
            counts.gave_up += 1
            continue
        if dry_run:
            counts.sent += 1
            continue
        try:
            send()
        except channels.SendError as e:
            _finish(row, Delivery.FAILED, str(e))
            counts.failed += 1
            counts.errors.append(f"{notice.unit.name} {row.get_channel_display()} {shown}：{e}")
        except Exception as e:  # noqa: BLE001 — one bad channel must not stop the run
            _finish(row, Delivery.FAILED, f"{type(e).__name__}: {e}")
            counts.failed += 1
            counts.errors.append(f"{notice.unit.name} {row.get_channel_display()} {shown}：{e}")
        else:
            _finish(row, Delivery.SENT, "")
            counts.sent += 1
    return counts


def deliver_all(notices, *, now: datetime | None = None, dry_run: bool = False) -> Counts:
    """:func:`deliver` each notice; notices whose every delivery is already sent are skipped from
    one bulk lookup (a cron run that has nothing new to send reads a few rows, not a few per notice).
    """
    notices = list(notices)
    unit_ids = {n.unit.pk for n in notices}
    configs = {c.unit_id: c for c in ChannelConfig.objects.filter(unit_id__in=unit_ids)}
    emails = reporter_emails(unit_ids)
    keys = []
    for n in notices:
        targets = _targets(n, configs.get(n.unit.pk), emails.get(n.unit.pk, []))
        keys.append([_inapp_key(n), *(delivery_key(n.ref, ch, to) for ch, to, _, _ in targets)])
    wanted = [k for ks in keys for k in ks]
    done: set[str] = set()
    for i in range(0, len(wanted), _KEY_CHUNK):
        chunk = wanted[i : i + _KEY_CHUNK]
        done.update(Delivery.objects.filter(key__in=chunk, state=Delivery.SENT).values_list("key", flat=True))
    counts = Counts()
    todo = [(n, ks) for n, ks in zip(notices, keys, strict=True) if not all(k in done for k in ks)]
    counts.skipped += sum(len(ks) for ks in keys) - sum(len(ks) for _, ks in todo)
    now = now or clock.now()
    fresh = [n for n, ks in todo if ks[0] not in done]  # ks[0]: the in-app key (see keys above)
    written = {} if dry_run else _inapp_bulk(fresh, now)
    for notice, _keys in todo:
        unit_id = notice.unit.pk
        counts.add(
            deliver(
                notice,
                now=now,
                dry_run=dry_run,
                config=configs.get(unit_id),
                reporters=emails.get(unit_id, []),
                inapp=written.get(id(notice)),
            )
        )
    return counts


_KEY_CHUNK = 500


def _inapp_bulk(notices: list[Notice], now: datetime) -> dict[int, tuple[Message, bool]]:
    """Write the in-app message and its delivery row of each of ``notices`` (none has one yet) in
    bulk, :data:`_KEY_CHUNK` at a time: {id(notice): (message, True)}.

    A province's 催报 is ten thousand messages; one by one that was five statements each. A chunk
    in which another run wrote some key first is rolled back whole and left to :func:`_inapp`,
    one by one, which sees those rows (the UNIQUE key still decides who writes).
    """
    out: dict[int, tuple[Message, bool]] = {}
    for i in range(0, len(notices), _KEY_CHUNK):
        chunk = notices[i : i + _KEY_CHUNK]
        try:
            with transaction.atomic():
                messages = Message.objects.bulk_create(
                    [Message(unit=n.unit, kind=n.kind, title=n.title, body=n.body, link=n.link) for n in chunk]
                )
                Delivery.objects.bulk_create(
                    [
                        Delivery(
                            key=_inapp_key(n), message=m, channel=Delivery.INAPP, recipient=n.unit.name,
                            state=Delivery.SENT, attempts=1, sent_at=now,
                        )  # fmt: skip
                        for n, m in zip(chunk, messages, strict=True)
                    ]
                )
        except IntegrityError:
            continue
        out.update((id(n), (m, True)) for n, m in zip(chunk, messages, strict=True))
    return out


def _finish(row: Delivery, state: str, error: str) -> None:
    sent_at = timezone.now() if state == Delivery.SENT else None
    Delivery.objects.filter(pk=row.pk).update(
        state=state, error=error[: channels.ERROR_MAX], sent_at=sent_at, updated_at=timezone.now()
    )
