"""What every format shares: its registry entry (:class:`Format`), the one error for a file a library
could not read, the one error for a file beyond a limit, and the checks of a zip container.

Zip containers (.docx/.xlsx) are checked for size and compression ratio before any parser sees them,
judged from the central directory alone, so a zip bomb is refused without being decompressed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from duban.ingest.errors import IngestError
from duban.ingest.limits import Limits

MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all members of a .docx/.xlsx together
MAX_ZIP_RATIO = 100  # uncompressed / compressed, above MIN_BOMB_BYTES
MIN_BOMB_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000


@dataclass(frozen=True)
class Format:
    """One document format a plan may arrive in: how it is recognised, read and bounded. Each format
    module ends with its ``FORMAT``; :mod:`duban.ingest.formats.registry` lists them, and loading
    (:func:`duban.ingest.load.load_lines`) and the upload check (:func:`duban.ingest.uploads.check_upload`)
    both look formats up there, so neither names a format itself."""

    kind: str  # what the content is called once detected ("docx")
    suffixes: tuple[str, ...]  # extensions that promise it, lower case, the usual one first
    name: str  # in messages: "Word 文档（.docx）"
    load: Callable[[str], list[str]]  # path -> source lines (the shapes of duban.ingest.formats.lines)
    accepts: frozenset[str] = frozenset()  # content kinds a file with these suffixes may hold; empty: ``kind``
    magic: bytes = b""  # how the content starts, when that alone tells the kind
    package: str = ""  # a zip package: its main part ("word/document.xml"), whose folder marks the kind
    check: Callable[[str, Limits], None] | None = None  # bounds judged before any library loads the file
    converts_from: tuple[str, ...] = ()  # extensions people send that must be saved as this format first

    @property
    def binary(self) -> bool:
        return bool(self.magic or self.package)

    def accepted(self) -> frozenset[str]:
        return self.accepts or frozenset({self.kind})


def damaged(path: str, fmt: Format, exc: BaseException | None = None) -> IngestError:
    """The one error for a file a library could not read; the library's reason as a short gloss."""
    gloss = f"damaged or invalid {fmt.suffixes[0]} file"
    if exc is not None:
        reason = " ".join(str(exc).split())[:80]
        gloss += f": {type(exc).__name__}" + (f" {reason}" if reason else "")
    return IngestError(f"文件已损坏或不是有效的 {fmt.name}（{gloss}）", path=path)


def too_big(path: str, what: str, value: str, limit: str, gloss: str) -> IngestError:
    """The one error for a file beyond a limit of :mod:`duban.ingest.limits`."""
    return IngestError(f"{what}（{value}）超过上限 {limit}，疑似恶意构造或内容过多，已拒绝；"
                       f"请精简或拆分后再导入（{gloss}）", path=path)


def legacy_office(path: str, fmt: Format) -> IngestError:
    """An OLE2 file (Office 97-2003, or an encrypted .docx/.xlsx) sent as ``fmt``."""
    suffix = fmt.suffixes[0]
    return IngestError(f"这是旧版 Office（97-2003）格式或已加密的文件，请另存为 {suffix} 后再导入"
                       f"（legacy or encrypted Office file, not {suffix}）", path=path)


def missing_part(path: str, fmt: Format) -> IngestError:
    """A zip that is not ``fmt``'s package: its main part is missing."""
    return IngestError(f"不是有效的 {fmt.name}：压缩包里没有 {fmt.package}（not a {fmt.suffixes[0]} package）",
                       path=path)


def zip_bomb_problem(infos: list[zipfile.ZipInfo]) -> str:
    """Why a zip's central directory looks like a zip bomb ('' when it does not): too many members,
    or too much inflated data for its size. Shared by plan files and report attachments."""
    if len(infos) > MAX_ZIP_MEMBERS:
        return f"压缩包内文件过多（{len(infos)} 个），疑似恶意文件（too many zip members）"
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNZIPPED_BYTES or (total > MIN_BOMB_BYTES and total / packed > MAX_ZIP_RATIO):
        return (f"解压后体积异常（{total // 1024 // 1024} MB，压缩比 {total // packed}:1），疑似压缩炸弹，已拒绝"
                f"（zip bomb suspected）")
    return ""


def check_zip(path: str, fmt: Format) -> None:
    """Refuse a container that is not a zip, lacks ``fmt``'s main part, or would inflate far beyond
    its size (a zip bomb) — judged from the central directory, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as e:
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise legacy_office(path, fmt) from e
        raise damaged(path, fmt, e) from e
    except PermissionError:
        raise
    except (OSError, ValueError, EOFError, NotImplementedError) as e:  # NotImplementedError: bad version field
        raise damaged(path, fmt, e) from e
    problem = zip_bomb_problem(infos)
    if problem:
        raise IngestError(problem, path=path)
    if fmt.package not in names:
        raise missing_part(path, fmt)
