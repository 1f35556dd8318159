"""Bytes that claim to be text: decoded (UTF-16 with a BOM, UTF-8, GB18030), or refused as binary,
naming what they are when the first bytes tell (:data:`FOREIGN_MAGIC`, shared with the upload check)."""

from __future__ import annotations

from duban.ingest.errors import IngestError

# content seen in the wild that is no plan text, named so the message says what the file really is
FOREIGN_MAGIC = [
    (b"%PDF-", "PDF 文档"),
    (b"PK\x03\x04", "压缩包（.zip/.docx/.xlsx）"),
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office（.doc/.xls/.wps）文件"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
]


def foreign_kind(data: bytes) -> str | None:
    """What ``data`` is by its first bytes, when it is a known non-text kind."""
    return next((name for magic, name in FOREIGN_MAGIC if data.startswith(magic)), None)


def _looks_binary(data: bytes, text: str | None = None) -> bool:
    """NUL bytes in the head, or (after decoding) many control characters: not a text file."""
    if text is None:
        return b"\x00" in data[:8192]
    head = text[:8192]
    controls = sum(1 for ch in head if ch < " " and ch not in "\t\n\r\f\v")
    return controls > max(8, len(head) // 100)


def _binary_error(data: bytes, path: str) -> IngestError:
    kind = foreign_kind(data)
    what = f"内容是 {kind}" if kind else "看起来是二进制数据"
    return IngestError(f"不是文本文件，{what}，与扩展名不符（binary file, not text）", path=path)


def decode(data: bytes, path: str) -> str:
    """Decode text bytes: UTF-16 with a BOM, UTF-8 (with or without BOM), then GB18030;
    refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise _binary_error(data, path)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(data, text):
            raise _binary_error(data, path)
        return text
    raise IngestError("无法识别的文字编码，应为 UTF-8 或 GB18030（unknown text encoding）", path=path)


def read_text(path: str) -> str:
    """The decoded contents of a text file."""
    with open(path, "rb") as f:
        return decode(f.read(), path)
