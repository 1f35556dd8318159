"""The one error type the ingest library raises for bad input."""

import os
import re

# an absolute path of two or more parts, as a library's reason may quote it ('/srv/duban/var/imports/…')
_ABSOLUTE = re.compile(r"(?<![^\s'\"(（：:=])(?:[A-Za-z]:)?(?:[/\\][^/\\\s'\"，。：；（）()<>]+){2,}")


def without_paths(message: str) -> str:
    """``message`` with every absolute file path cut to its last part: the user sees the file's name,
    never where the server keeps it (a reason from openpyxl or the OS may quote the full path)."""
    return _ABSOLUTE.sub(lambda m: os.path.basename(m.group(0).replace("\\", "/")), message)


class IngestError(Exception):
    """A document that cannot be read as a plan.

    ``str(err)`` is a one-line message in Chinese with an English gloss, naming the file
    (and the line where known) and the problem, e.g.
    ``plan.docx: 文件已损坏或不是有效的 Word 文档（.docx）（damaged or invalid .docx file）``.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.problem = without_paths(message)  # what pages show; str(err) (the command line) keeps the path
        where = path or "<输入>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
