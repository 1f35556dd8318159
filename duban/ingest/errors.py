"""The one error type the ingest library raises for bad input."""


# the names of the binary formats in messages ("不是有效的 Word 文档（.docx）")
FORMAT_NAMES = {".docx": " Word 文档（.docx）", ".xlsx": " Excel 表格（.xlsx）", ".pdf": " PDF 文档（.pdf）"}


class IngestError(Exception):
    """A document that cannot be read as a plan.

    ``str(err)`` is a one-line message in Chinese with an English gloss, naming the file
    (and the line where known) and the problem, e.g.
    ``plan.docx: 文件已损坏或不是有效的 Word 文档（.docx）（damaged or invalid .docx file）``.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.problem = message
        where = path or "<输入>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
