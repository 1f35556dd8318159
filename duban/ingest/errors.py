"""The one error type the ingest library raises for bad input."""


class IngestError(Exception):
    """A document that cannot be read as a plan.

    ``str(err)`` is a one-line message in Chinese with an English gloss, naming the file
    (and the line where known) and the problem, e.g.
    ``plan.docx: 文件已损坏或不是有效的 .docx（truncated or invalid .docx）``.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.problem = message
        where = path or "<输入>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
