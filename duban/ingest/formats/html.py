"""HTML pages (a plan published on a government site, saved): text of block elements one per line,
table rows as tab-separated cells with col/rowspans laid on the grid (:mod:`duban.ingest.formats.lines`);
scripts, styles and the head dropped; headings ``#``-prefixed and bold ``**``-wrapped like Markdown."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from duban.ingest.formats.base import Format
from duban.ingest.formats.encoding import read_text
from duban.ingest.formats.lines import join_pieces, table_lines


def html_lines(text: str) -> list[str]:
    """Text of block elements one per line, table rows as tab-separated cells; scripts, styles
    and the head dropped; headings ``#``-prefixed and bold ``**``-wrapped like markdown."""
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    return parser.finish()


_SKIP = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object", "select"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "li", "ul", "ol", "dl",
    "dt", "dd", "blockquote", "pre", "address", "figure", "figcaption", "form", "hr", "center", "body",
    "h1", "h2", "h3", "h4", "h5", "h6",
}
_WS = re.compile(r"[ \t\r\n\f]+")
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# a source line break between two Chinese characters is formatting, not a space
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*(?=[{_CJK}])")
_EMPTY_BOLD = re.compile(r"\*\*(\s*)\*\*")


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    v = dict(attrs).get(name) or "1"
    v = v.strip()
    return max(1, min(int(v), 200)) if v.isdigit() else 1


class _HtmlTable:
    def __init__(self):
        self.rows: list[list[tuple[str, int, int]]] = []  # (text, colspan, rowspan)
        self.cell: list[str] | None = None
        self.spans = (1, 1)
        self.caption: list[str] = []  # a <caption> is the table's title line
        self.in_caption = False

    def start_row(self):
        self.end_cell()
        self.rows.append([])

    def start_cell(self, colspan: int, rowspan: int):
        self.end_cell()
        if not self.rows:
            self.rows.append([])
        self.cell = []
        self.spans = (colspan, rowspan)

    def end_cell(self):
        if self.cell is not None:
            text = join_pieces("".join(self.cell).split("\n"))
            self.rows[-1].append((text, *self.spans))
            self.cell = None

    def grid(self) -> list[list[str]]:
        """Rows laid on the column grid: colspan leaves empty columns, rowspan fills down."""
        self.end_cell()
        out: list[list[str]] = []
        pending: dict[int, tuple[int, str]] = {}  # column -> (rows left, text)
        for cells in self.rows:
            row: list[str] = []
            queue = list(cells)
            col = 0
            while queue or any(c >= col for c in pending):
                if col in pending:
                    left, text = pending[col]
                    row.append(text)
                    if left > 1:
                        pending[col] = (left - 1, text)
                    else:
                        del pending[col]
                    col += 1
                    continue
                if not queue:
                    row.append("")
                    col += 1
                    continue
                text, colspan, rowspan = queue.pop(0)
                row.append(text)
                row.extend([""] * (colspan - 1))
                if rowspan > 1:
                    pending[col] = (rowspan - 1, text)
                col += colspan
            out.append(row)
        return out


class _HtmlLines(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.buf: list[str] = []
        self.skip = 0
        self.pre = 0
        self.heading = 0
        self.tables: list[_HtmlTable] = []

    # -- line buffer
    def flush(self):
        text = "".join(self.buf)
        self.buf = []
        pieces = text.split("\n") if self.pre else [_WS.sub(" ", _CJK_BREAK.sub("", text))]
        for piece in pieces:
            piece = _EMPTY_BOLD.sub(r"\1", piece).strip(" \t\r\f")
            if piece:
                self.out.append(("#" * self.heading + " " if self.heading else "") + piece)

    def write(self, s: str):
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append(s)
        elif table is not None and table.in_caption:
            table.caption.append(s)
        elif table is None:
            self.buf.append(s)
        # text between table tags outside any cell is layout noise

    # -- parser callbacks
    def handle_starttag(self, tag, attrs):
        if tag == "body":  # a head left open ends here
            self.skip = 0
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        in_table = bool(self.tables)
        if tag == "table":
            if not in_table:
                self.flush()
            self.tables.append(_HtmlTable())
        elif tag == "caption" and in_table:
            self.tables[-1].in_caption = True
        elif tag == "tr" and in_table:
            self.tables[-1].start_row()
        elif tag in ("td", "th") and in_table:
            self.tables[-1].start_cell(_span(attrs, "colspan"), _span(attrs, "rowspan"))
        elif tag == "br" and self.heading and not in_table:
            pass  # a title broken by <br> is still one title
        elif tag == "br" or (tag in _BLOCK and in_table):
            if in_table:
                self.write("\n")
            elif self.pre:
                self.buf.append("\n")
            else:
                self.flush()
        elif tag in _BLOCK:
            self.flush()
            if tag == "pre":
                self.pre += 1
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])
        elif tag in ("b", "strong") and not in_table:
            self.buf.append("**")

    def handle_startendtag(self, tag, attrs):
        if tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.tables:
            table = self.tables.pop()
            lines = table_lines(table.grid())
            caption = _WS.sub(" ", "".join(table.caption)).strip()
            if caption:
                lines.insert(0, caption)
            if self.tables:  # nested: flattened into the enclosing cell
                self.write("\n" + "\n".join(ln.replace("\t", " ") for ln in lines) + "\n")
            else:
                self.out.extend(ln for ln in lines if ln)
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].end_cell()
        elif tag == "caption" and self.tables:
            self.tables[-1].in_caption = False
        elif tag in _BLOCK and not self.tables:
            self.flush()
            if self.pre and tag == "pre":
                self.pre -= 1
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = 0
        elif tag in _BLOCK and self.tables:
            self.write("\n")
        elif tag in ("b", "strong") and not self.tables:
            self.buf.append("**")

    def handle_data(self, data):
        if not self.skip:
            self.write(data)

    def finish(self) -> list[str]:
        self.skip = 0  # an unclosed <script>/<style> must not stop the open tables from closing
        while self.tables:
            self.handle_endtag("table")
        self.flush()
        return self.out


def html_file_lines(path: str) -> list[str]:
    return html_lines(read_text(path))


FORMAT = Format(
    kind="html", suffixes=(".html", ".htm"), name="HTML 网页", load=html_file_lines,
    accepts=frozenset({"html", "text"}),
)
