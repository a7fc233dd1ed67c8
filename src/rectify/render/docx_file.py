"""The report as a Word document (.docx), in the house style of an official
document (公文): A4, margins 3.7 cm top, 3.5 bottom, 2.8 left, 2.6 right;
the title in 方正小标宋简体 at 二号 (22 pt), centred; 一、 headings in 黑体,
（一） headings in 楷体_GB2312, the body in 仿宋_GB2312, all at 三号 (16 pt),
lines at a fixed 28 pt, paragraphs indented two characters; the page number
in the footer as "— 1 —"; the signature (unit, date) on the right.

Those faces are installed with Chinese Office suites, not everywhere. Each
is named as the East Asian font of its runs (``w:eastAsia``), with a Latin
face for digits and Latin letters, and entered in the document's font table
with an alternative (``w:altName``), its family (serif or sans) and the
GB2312 character set, so that Word, WPS and LibreOffice put a face of the
same family in its place (宋体/仿宋/楷体/黑体 on Windows, Noto CJK on Linux).
The runs say their language is zh-CN, so a fallback picks simplified forms.

python-docx is imported here only, when a report is written as .docx.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rectify.i18n import is_zh

if TYPE_CHECKING:
    from docx.document import Document  # python-docx ships no types: Any to mypy, a name to the reader

# Each role's face: the East Asian face of the house style, the Latin face,
# the alternative written into the font table, and the faces (Windows, macOS,
# Linux) that stand in for it, which the HTML report names too.
FACES = {
    "title": {"east_asia": "方正小标宋简体", "latin": "Times New Roman", "alt": "宋体", "family": "roman",
              "fallbacks": ["华文中宋", "STZhongsong", "宋体", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC"]},
    "h1": {"east_asia": "黑体", "latin": "Arial", "alt": "SimHei", "family": "swiss",
           "fallbacks": ["SimHei", "Heiti SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"]},
    "h2": {"east_asia": "楷体_GB2312", "latin": "Times New Roman", "alt": "楷体", "family": "roman",
           "fallbacks": ["楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", "Source Han Serif SC"]},
    "body": {"east_asia": "仿宋_GB2312", "latin": "Times New Roman", "alt": "仿宋", "family": "roman",
             "fallbacks": ["仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC"]},
}
SIZES = {"title": 22, "h1": 16, "h2": 16, "body": 16}  # 二号, 三号
LINE_PT = 28  # fixed line pitch: 22 lines on a page of this type area
PAGE_NUMBER_FACE = "宋体"
PAGE_NUMBER_PT = 14  # 四号


def _fonts(run_or_style, role: str) -> None:
    """Set a run's (or a style's) faces: Latin, and the East Asian one."""
    from docx.oxml.ns import qn

    face = FACES[role]
    font = run_or_style.font
    font.name = face["latin"]
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), face["latin"])
    fonts.set(qn("w:hAnsi"), face["latin"])
    fonts.set(qn("w:eastAsia"), face["east_asia"])
    fonts.set(qn("w:cs"), face["latin"])


def _language(style) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN" if is_zh() else "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _defaults(doc) -> None:
    """The document's default run properties: the body's faces rather than
    the template's theme fonts, and Chinese as the East Asian language (a
    fallback face then has simplified forms, not Japanese ones)."""
    from docx.oxml.ns import qn

    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    face = FACES["body"]
    for attr, value in (("w:ascii", face["latin"]), ("w:hAnsi", face["latin"]), ("w:eastAsia", face["east_asia"]),
                        ("w:cs", face["latin"])):
        fonts.set(qn(attr), value)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "zh-CN" if is_zh() else "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(doc) -> dict:
    """The paragraph styles of the report, by block kind."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    _defaults(doc)
    normal = doc.styles["Normal"]
    _fonts(normal, "body")
    _language(normal)
    normal.font.size = Pt(SIZES["body"])
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(SIZES["body"] * 2)  # two characters
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if is_zh() else WD_ALIGN_PARAGRAPH.LEFT
    fmt.widow_control = True

    def style(name: str, role: str, *, bold: bool = False, align=None, indent: bool = True, keep: bool = False):
        s = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = normal
        _fonts(s, role)
        s.font.size = Pt(SIZES[role])
        s.font.bold = bold
        if align is not None:
            s.paragraph_format.alignment = align
        if not indent:
            s.paragraph_format.first_line_indent = Pt(0)
        s.paragraph_format.keep_with_next = keep
        return s

    title = style("Rectify Title", "title", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(LINE_PT)
    return {
        "title": title,
        "addressee": style("Rectify Addressee", "body", indent=False),
        "h1": style("Rectify Heading 1", "h1", keep=True),
        "h2": style("Rectify Heading 2", "h2", keep=True),
        "item": style("Rectify Item", "body", bold=True, keep=True),
        "para": normal,
        "sign": style("Rectify Signature", "body", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False),
    }


def _page(doc) -> None:
    """A4, the house margins, the page number centred in the footer."""
    from docx.shared import Cm

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    _page_number(section.footer.paragraphs[0])


def _page_number(paragraph) -> None:
    """``— PAGE —``: the page number as a field, between em dashes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)

    def run(text: str | None = None, field: str | None = None):
        r = paragraph.add_run(text or "")
        r.font.size = Pt(PAGE_NUMBER_PT)
        r.font.name = "Times New Roman"
        r.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), PAGE_NUMBER_FACE)
        if field:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), field)
            r._r.append(element)
        return r

    run("— ")
    run(field="begin")
    code = run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    code._r.append(instr)
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def _font_table(doc) -> None:
    """Enter each house face in the font table with its alternative, family
    and character set: what Word, WPS and LibreOffice go by when it is missing."""
    from lxml import etree

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    w = "{%s}" % ns
    root = etree.fromstring(part.blob)
    known = {f.get(w + "name") for f in root.findall(w + "font")}
    for face in FACES.values():
        if face["east_asia"] in known:
            continue
        font = etree.SubElement(root, w + "font")
        font.set(w + "name", face["east_asia"])
        for tag, value in (("altName", face["alt"]), ("charset", "86"), ("family", face["family"]),
                           ("pitch", "variable")):
            etree.SubElement(font, w + tag).set(w + "val", value)
        known.add(face["east_asia"])
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def document(blocks) -> Document:
    """A python-docx Document holding ``blocks`` (see ``document.build``)."""
    import docx

    doc = docx.Document()
    _page(doc)
    styles = _styles(doc)
    _font_table(doc)
    core = doc.core_properties
    core.title = blocks[0].text if blocks else ""
    core.author = "rectify"
    core.language = "zh-CN" if is_zh() else "en-US"
    # The template's empty first paragraph goes; each block is a paragraph.
    body = doc.element.body
    for p in list(body.iterchildren()):
        if p.tag.endswith("}p"):
            body.remove(p)
    first_sign = True
    for block in blocks:
        paragraph = doc.add_paragraph(style=styles[block.kind])
        run = paragraph.add_run(block.text)
        role = {"title": "title", "h1": "h1", "h2": "h2"}.get(block.kind, "body")
        _fonts(run, role)
        if block.kind == "sign" and first_sign:
            from docx.shared import Pt

            paragraph.paragraph_format.space_before = Pt(LINE_PT * 2)
            first_sign = False
    return doc


def write(blocks, path: Path) -> None:
    """Write the report as .docx at ``path``, whole or not at all."""
    from rectify.exchange.exporter import atomic_write

    doc = document(blocks)
    atomic_write(path, lambda tmp: doc.save(str(tmp)))
