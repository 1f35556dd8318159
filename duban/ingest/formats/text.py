"""Plain text and Markdown, as published: decoded (:mod:`duban.ingest.formats.encoding`) and split on
line feeds; a text file that opens like an HTML page is read as HTML."""

from __future__ import annotations

from duban.ingest.formats.base import Format
from duban.ingest.formats.encoding import read_text
from duban.ingest.formats.html import html_lines

HTML_HEADS = ("<!doctype", "<html")


def split_lines(text: str) -> list[str]:
    """Split on LF (line numbers are those ``sed -n`` prints); old Mac files use bare CR."""
    if "\n" not in text and "\r" in text:
        return text.split("\r")
    return text.split("\n")


def text_lines(path: str) -> list[str]:
    """The lines of a text file; one that opens like an HTML page is read as HTML."""
    text = read_text(path)
    if text.lstrip("\ufeff \t\r\n")[:15].lower().startswith(HTML_HEADS):
        return html_lines(text)
    return split_lines(text)


FORMAT = Format(
    kind="text", suffixes=(".txt", ".md", ".markdown", ".text"), name="文本", load=text_lines,
    accepts=frozenset({"text", "html"}),
)
