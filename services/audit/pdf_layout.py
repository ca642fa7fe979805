"""Page layout for the legal-trail PDF: A4 pages with the Thai fonts, and tables and paragraphs laid out by hand.

fpdf2's table() re-shapes a cell's text for every character it adds to a line, which made a 1,000-event trail take
half a minute. Here each word is measured once, lines break between words (Thai words found by PyThaiNLP), and only
lines with Thai in them go through HarfBuzz."""

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
SANS, MONO = "laksaman", "tlwgmono"
Style = tuple[str, str, float]  # font family, "" or "B", size in points
BODY, BOLD, HEX, TEXT = (SANS, "", 10.0), (SANS, "B", 10.0), (MONO, "", 7.0), (SANS, "", 11.0)
LINE, PAD, GREY = 4.6, 1.2, 230  # line height and cell padding (mm), header fill
KEEP_WITH_NEXT = 35  # mm: a heading with less room than this under it starts a new page
Cell = tuple[str, Style]
ZWSP = "\u200b"
_THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")
_LEADING_VOWELS, _FOLLOWING_VOWELS = "เแโใไ", "ะาำๅๆ"


class TrailPDF(FPDF):
    """A4 pages with the Thai fonts and text shaping, and a footer naming the case and the page out of the total."""

    def __init__(self, case_id: str, total_pages: int, widths: dict[tuple[Style, str], float]) -> None:
        """Set up the pages and fonts of one case's trail; with no total yet, lay out only, to count the pages."""
        super().__init__(orientation="P", unit="mm", format="A4")
        self.case_id, self.total_pages, self.widths = case_id, total_pages, widths
        self.drawing = total_pages > 0
        self.add_font(SANS, "", str(FONTS / "Laksaman.ttf"))
        self.add_font(SANS, "B", str(FONTS / "Laksaman-Bold.ttf"))
        self.add_font(MONO, "", str(FONTS / "TlwgMono.ttf"))
        self.set_text_shaping(True)  # Thai vowels and tone marks stack only when shaped (HarfBuzz)
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=16)
        self.c_margin = 0  # cells are padded by the layout below
        self.alias_nb_pages("")  # the total is known (see render): a "{nb}" in the data stays as written

    def footer(self) -> None:
        """Print the case id and "หน้า n / N · page n of N" at the foot of every page."""
        n, total = self.page_no(), self.total_pages
        draw_line(self, (SANS, "", 9.0), self.l_margin, self.h - 12, self.epw / 2, self.case_id)
        text = f"หน้า {n} / {total} · page {n} of {total}"
        right = self.l_margin + self.epw
        small = (SANS, "", 9.0)
        draw_line(self, small, right - text_width(self, small, text), self.h - 12, self.epw / 2, text)


def section_heading(pdf: TrailPDF, thai: str, english: str) -> None:
    """Print a section heading, Thai then English."""
    pdf.ln(3)
    if pdf.will_page_break(KEEP_WITH_NEXT):
        pdf.add_page()
    paragraph(pdf, f"{thai} / {english}", (SANS, "B", 14.0), 7)


def paragraph(pdf: TrailPDF, text: str, style: Style = TEXT, height: float = 5.4) -> None:
    """Print text across the page, breaking lines between words and pages between lines."""
    for line in _wrap(pdf, style, text, pdf.epw):
        if pdf.will_page_break(height):
            pdf.add_page()
        draw_line(pdf, style, pdf.l_margin, pdf.get_y(), pdf.epw, line, height)
        pdf.set_y(pdf.get_y() + height)


def fields(pdf: TrailPDF, fields: list[tuple[str, str, Style]]) -> None:
    """Print labelled values without borders, the label on the left."""
    table(pdf, (66, 120), None, [[(label, BOLD), (value, style)] for label, value, style in fields], borders=False)


def table(pdf: TrailPDF, widths: Sequence[float], header: list[str] | None, rows: list[list[Cell]],
           borders: bool = True) -> None:
    """Print a table row by row: a row never splits, the header starts a page only with a row under it, and it is
    printed again on each page the table runs onto."""
    heading = [(text, BOLD) for text in header] if header else []
    heading_lines = _lines(pdf, widths, heading) if heading else []
    for index, cells in enumerate(rows):
        lines = _lines(pdf, widths, cells)
        new_page = pdf.will_page_break(_height(lines, borders) + (_height(heading_lines, borders) if index == 0 else 0))
        if new_page:
            pdf.add_page()
        if heading and (index == 0 or new_page):
            _row(pdf, widths, heading, heading_lines, borders, fill=True)
        _row(pdf, widths, cells, lines, borders)
    pdf.ln(2)


def _lines(pdf: TrailPDF, widths: Sequence[float], cells: list[Cell]) -> list[list[str]]:
    """Return each cell's text broken into the lines that fit its column."""
    return [_wrap(pdf, style, text, width - 2 * PAD) for (text, style), width in zip(cells, widths, strict=True)]


def _height(lines: list[list[str]], borders: bool) -> float:
    """Return the height of a row of cells."""
    return max(map(len, lines), default=0) * LINE + (2 * PAD if borders else 0.6)


def _row(pdf: TrailPDF, widths: Sequence[float], cells: list[Cell], lines: list[list[str]], borders: bool,
         fill: bool = False) -> None:
    """Print one table row at the current position and move below it."""
    x, y, height = pdf.l_margin, pdf.get_y(), _height(lines, borders)
    pdf.set_fill_color(GREY)
    for (_, style), width, cell_lines in zip(cells, widths, lines, strict=True):
        if borders and pdf.drawing:
            pdf.rect(x, y, width, height, style="DF" if fill else "D")
        for n, text in enumerate(cell_lines):
            draw_line(pdf, style, x + PAD, y + (PAD if borders else 0.3) + n * LINE, width - 2 * PAD, text)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def draw_line(pdf: TrailPDF, style: Style, x: float, y: float, width: float, text: str, height: float = LINE) -> None:
    """Print one line of text in a box of a line's height; only a line with Thai in it is shaped (it is slower)."""
    if not pdf.drawing:
        return
    pdf.set_font(*style)
    if text.isascii():
        pdf.text(x, y + 0.5 * height + 0.3 * pdf.font_size, text)
    else:
        pdf.set_xy(x, y)
        pdf.cell(width, height, text)


def _wrap(pdf: TrailPDF, style: Style, text: str, width: float) -> list[str]:
    """Return text broken into lines that fit a width: between words, inside a word only if it is wider than a line."""
    lines: list[str] = []
    for paragraph in _breakable(text).split("\n"):
        line = ""
        for token in re.split(f"(?<=[ {ZWSP}])", paragraph):
            if line and text_width(pdf, style, _plain(line + token)) > width:
                lines.append(_plain(line))
                line = ""
            line += token
            while text_width(pdf, style, _plain(line)) > width:
                cut = _cut(pdf, style, _plain(line), width)
                lines.append(_plain(line)[:cut])
                line = _plain(line)[cut:]
        lines.append(_plain(line))
    return lines


def _cut(pdf: TrailPDF, style: Style, word: str, width: float) -> int:
    """Return where to cut a word too wide for a line: the longest prefix that fits, never inside a Thai cluster."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if text_width(pdf, style, word[:middle]) <= width else (low, middle - 1)
    cut = low
    while cut > 1 and (unicodedata.category(word[cut]) == "Mn" or word[cut] in _FOLLOWING_VOWELS
                       or word[cut - 1] in _LEADING_VOWELS):
        cut -= 1
    return cut


def text_width(pdf: TrailPDF, style: Style, text: str) -> float:
    """Return the width of a line of text as _line prints it (shaped only when it has Thai), measured once."""
    key = (style, text)
    if key not in pdf.widths:
        pdf.set_font(*style)
        if text.isascii():
            assert pdf.current_font is not None
            pdf.widths[key] = pdf.current_font.get_text_width(text, pdf.font_size_pt, None)[1] / pdf.k
        else:
            pdf.widths[key] = pdf.get_string_width(text)
    return pdf.widths[key]


def _plain(line: str) -> str:
    """Return a line as printed: without the zero-width word breaks and the spaces at its end."""
    return line.replace(ZWSP, "").rstrip(" ")


@lru_cache(maxsize=4096)
def _breakable(text: str) -> str:
    """Return text with zero-width spaces between Thai words (Thai puts no spaces between words)."""
    if not _THAI_RUN.search(text):
        return text
    from pythainlp.tokenize import word_tokenize  # loads its dictionary: only when there is Thai to break

    return _THAI_RUN.sub(lambda run: ZWSP.join(word_tokenize(run.group(), engine="newmm")), text)
