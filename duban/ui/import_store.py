"""Where an uploaded plan file waits between the wizard's steps (upload → preview → confirm).

Each upload gets a random token (``secrets.token_urlsafe``) naming a folder under
``settings.DUBAN_IMPORT_DIR`` (default ``DATA_DIR/imports``) that holds the file, a small JSON
of what is known about it and the parse result (parsed once, by the background job the upload
queues, :mod:`duban.ui.tasks`; removed with the folder). A token is only honoured for the session that uploaded it (its list
in the session) and for the same user, so guessing or sharing a link opens nothing. Uploads
expire after :data:`TTL`; every new upload sweeps the expired ones.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from duban.ingest.model import ParseResult

TTL = 2 * 60 * 60  # seconds an upload may wait for its confirmation
SESSION_KEY = "duban_import_tokens"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_EXT = re.compile(r"^\.[a-z]{2,8}$")


class StoreMiss(LookupError):
    """No upload under this token for this session (never uploaded, expired or not yours)."""


@dataclass
class Upload:
    """One waiting upload: the file as saved, its original name and the wizard's choices so far."""

    token: str
    user_id: int
    file_name: str  # as the user's computer named it
    stored_name: str  # the file inside the token folder ("upload.docx")
    created: float
    region_id: int | None = None  # chosen by the user when the issuer was not recognised
    unit_map: dict[str, int] = field(default_factory=dict)  # written name -> existing unit id
    year: int | None = None  # the programme year as the office corrected it (None: as read from the file)
    job_id: int | None = None  # the background job that parses the file (duban.jobs)

    @property
    def path(self) -> str:
        return str(root() / self.token / self.stored_name)

    def expired(self, now: float | None = None) -> bool:
        return (now or time.time()) - self.created > TTL


def root() -> Path:
    return Path(getattr(settings, "DUBAN_IMPORT_DIR", Path(settings.DATA_DIR) / "imports"))


def safe_extension(file_name: str) -> str:
    ext = os.path.splitext(file_name or "")[1].lower()
    return ext if _EXT.match(ext) else ".bin"


def save(request, uploaded) -> Upload:
    """Write ``uploaded`` (a Django UploadedFile) under a new token remembered by the session."""
    sweep()
    token = secrets.token_urlsafe(24)
    folder = root() / token
    folder.mkdir(parents=True, mode=0o700)
    stored = "upload" + safe_extension(uploaded.name)
    with open(folder / stored, "wb") as f:
        for chunk in uploaded.chunks():
            f.write(chunk)
    upload = Upload(token, request.user.pk, os.path.basename(uploaded.name)[:200], stored, time.time())
    write(upload)
    tokens = [t for t in request.session.get(SESSION_KEY, []) if (root() / t).is_dir()]
    request.session[SESSION_KEY] = [*tokens, token]
    return upload


def write(upload: Upload) -> None:
    """Replace meta.json whole (the parse job may read it meanwhile); StoreMiss if the folder is gone
    (a parse job that failed has removed it)."""
    folder = root() / upload.token
    try:
        with open(folder / "meta.json.new", "w", encoding="utf-8") as f:
            json.dump(asdict(upload), f, ensure_ascii=False)
        os.replace(folder / "meta.json.new", folder / "meta.json")
    except FileNotFoundError as e:
        raise StoreMiss(upload.token) from e


RESULT = "parse.json"


def write_result(upload: Upload, result: ParseResult) -> None:
    """Keep the parse of the upload beside it (0600), so preview and confirm do not parse again."""
    fd = os.open(root() / upload.token / RESULT, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(result.to_store(), f, ensure_ascii=False)


def read_result(upload: Upload) -> ParseResult | None:
    """The kept parse, or None when there is none (an upload from before it was kept)."""
    try:
        with open(root() / upload.token / RESULT, encoding="utf-8") as f:
            return ParseResult.from_store(json.load(f))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def read(token: str) -> Upload:
    """The upload under ``token``, for no session in particular (the parse job); StoreMiss if gone."""
    if not _TOKEN.match(token or ""):
        raise StoreMiss(token)
    try:
        with open(root() / token / "meta.json", encoding="utf-8") as f:
            return Upload(**json.load(f))
    except (OSError, ValueError, TypeError) as e:
        raise StoreMiss(token) from e


def load(request, token: str) -> Upload:
    """The upload under ``token`` if this session made it, this user owns it and it is not expired."""
    if not _TOKEN.match(token or "") or token not in request.session.get(SESSION_KEY, []):
        raise StoreMiss(token)
    upload = read(token)
    if upload.user_id != request.user.pk or upload.expired():
        discard(request, token)
        raise StoreMiss(token)
    return upload


def remove(token: str) -> None:
    """Delete the upload's folder (the session forgets the token when it next saves one)."""
    if _TOKEN.match(token or ""):
        shutil.rmtree(root() / token, ignore_errors=True)


def discard(request, token: str) -> None:
    """Delete the upload and forget its token."""
    remove(token)
    request.session[SESSION_KEY] = [t for t in request.session.get(SESSION_KEY, []) if t != token]


def sweep(now: float | None = None) -> int:
    """Remove every expired upload folder; returns how many."""
    base = root()
    if not base.is_dir():
        return 0
    now = now or time.time()
    gone = 0
    for folder in base.iterdir():
        if not (folder.is_dir() and _TOKEN.match(folder.name)):
            continue
        try:
            created = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["created"]
        except (OSError, ValueError, KeyError):
            created = folder.stat().st_mtime
        if now - created > TTL:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone
