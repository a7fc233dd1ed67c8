"""The reader layer through the real CLI: every format an office keeps its
ledger in, with merged cells; CSV in every encoding Chinese Excel and WPS
write; and hostile files, each refused with one line (exit 6) in bounded
memory and time (issue 12 items 6, 12, 13; issue 14 formats).

Fixtures are built here in tmp_path, by hand with zipfile where the file is
hostile; the .xls files are committed, made by tests/fixtures/make_xls.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from fixtures import make_xls as X

ROOT = Path(__file__).resolve().parent.parent
SHEETS = Path(__file__).resolve().parent / "fixtures" / "sheets"

# What the small office ledger (make_xls.ROWS) must import as, in every format:
# the problem merged down over both measures reaches both tasks.
EXPECTED = [("全面清理公务接待报销凭证", X.PROBLEM, "财务处", "2026-12-31"),
            ("修订公务接待管理办法", X.PROBLEM, "办公室", "2027-03-31")]


def imported(cli) -> list[tuple]:
    tasks = cli.json("list", "--all")
    return sorted((t["title"], (t["problem"] or {}).get("description"), t["unit"], t["due"]) for t in tasks)


# -- formats, each with merged cells -------------------------------------------------


def _ods(path: Path, rows_xml: str, extra_member: tuple[str, str] | None = None) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice lays out its content.xml."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
               '<office:body><office:spreadsheet><table:table table:name="台账">'
               f'{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest)
        if extra_member:
            zf.writestr(*extra_member)
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _ods_cell(value=None, across: int = 1, down: int = 1) -> str:
    span = (f' table:number-columns-spanned="{across}"' if across > 1 else "") + (
        f' table:number-rows-spanned="{down}"' if down > 1 else "")
    if value is None:
        return f"<table:table-cell{span}/>"
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"{span}>'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    if isinstance(value, int):
        return f'<table:table-cell office:value-type="float" office:value="{value}"{span}><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"{span}><text:p>{value}</text:p></table:table-cell>'


def office_ods(path: Path) -> None:
    covered = "<table:covered-table-cell/>"
    rows = [
        _ods_cell(X.TITLE, across=5) + covered * 4,
        "".join(_ods_cell(h) for h in X.HEADER),
        _ods_cell(1, down=2) + _ods_cell(X.PROBLEM, down=2) + "".join(_ods_cell(v) for v in X.ROWS[0][2:]),
        covered * 2 + "".join(_ods_cell(v) for v in X.ROWS[1][2:]),
    ]
    _ods(path, "".join(f"<table:table-row>{r}</table:table-row>" for r in rows)
         + '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
           'table:number-columns-repeated="1024"/></table:table-row>')  # the empty rest, as LibreOffice writes it


def office_docx(path: Path, nested: bool = False) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(X.TITLE)
    table = document.add_table(rows=4, cols=5)
    table.cell(0, 0).merge(table.cell(0, 4)).text = "附表：" + X.TITLE  # a title row across (gridSpan)
    for c, head in enumerate(X.HEADER):
        table.cell(1, c).text = head
    for r, row in enumerate(X.ROWS, start=2):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = value.isoformat() if isinstance(value, date) else str(value)
    table.cell(2, 0).merge(table.cell(3, 0))  # 序号 and the problem merged down (vMerge)
    table.cell(2, 1).merge(table.cell(3, 1))
    if nested:
        inner = table.cell(3, 2).add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "子项"
        inner.cell(0, 1).text = "另见附件"
    document.add_paragraph("填表人：张三")
    document.save(path)


def office_xlsx(path: Path) -> None:
    X.office_xlsx(path)


@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "xls", "ods", "docx"])
def test_every_sheet_format_imports_with_its_merged_cells(cli, tmp_path, kind):
    path = tmp_path / f"ledger.{kind}"
    if kind in ("xlsx", "xlsm"):
        office_xlsx(path)
    elif kind == "xls":
        path.write_bytes((SHEETS / "office.xls").read_bytes())
    elif kind == "ods":
        office_ods(path)
    else:
        office_docx(path)
    res = cli.ok("import", path, "--dry-run", "--json")
    plan = res.json()
    assert plan["format"] == kind and plan["sheet"] == ("Table 1" if kind == "docx" else "台账")
    cli.ok("import", path)
    assert imported(cli) == sorted(EXPECTED)


def test_a_docx_table_names_itself_in_the_interface_language(cli, tmp_path):
    path = tmp_path / "ledger.docx"
    office_docx(path)
    assert cli.ok("import", path, "--dry-run", "--json").json()["sheet"] == "Table 1"
    assert cli.ok("--lang", "zh", "import", path, "--dry-run", "--json").json()["sheet"] == "表格 1"


def test_a_table_nested_in_a_docx_cell_is_kept_as_lines_of_that_cell(cli, tmp_path):
    path = tmp_path / "nested.docx"
    office_docx(path, nested=True)
    cli.ok("import", path)
    titles = sorted(t["title"] for t in cli.json("list", "--all"))
    assert titles == ["修订公务接待管理办法\n子项 另见附件", "全面清理公务接待报销凭证"]


def test_sheet_chooses_among_the_tables_of_a_file(cli, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "two.xlsx"
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表说明"])
    ws = wb.create_sheet("台账")
    ws.append(["整改措施", "责任单位"])
    ws.append(["清理凭证", "财务处"])
    wb.save(path)
    assert cli.ok("import", path, "--sheet", "台账", "--dry-run", "--json").json()["sheet"] == "台账"
    res = cli("import", path, "--sheet", "汇总")
    assert res.exit_code == 2 and "1 说明, 2 台账" in res.stderr


# -- CSV encodings ------------------------------------------------------------------------

ROWS_TEXT = "整改措施,责任单位,责任人\n清理公务接待凭证,财务处,Zoë Müller\n修订管理办法,办公室,张伟\n"


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-8", ","), ("utf-8-sig", ","), ("gb18030", ","), ("gbk", ","),
    ("utf-16", "\t"),  # Excel's "Unicode text": UTF-16 LE with its mark, tab-separated
    ("utf-16-be-bom", "\t"), ("utf-16-le", "\t"),
])
def test_csv_in_every_encoding_excel_and_wps_write(cli, tmp_path, encoding, delimiter):
    text = ROWS_TEXT.replace(",", delimiter).replace("Zoë Müller", "王芳" if encoding.startswith("gb") else "Zoë Müller")
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    path = tmp_path / ("ledger.txt" if delimiter == "\t" else "ledger.csv")
    path.write_bytes(data)
    cli.ok("import", path)
    owners = sorted(t["owner"] for t in cli.json("list", "--all"))
    assert owners == sorted(["王芳" if encoding.startswith("gb") else "Zoë Müller", "张伟"])


def test_a_csv_mixing_gb18030_and_utf8_lines_reads_each_line_right(cli, tmp_path):
    # Issue 12 item 6: a sheet saved by WPS in GB18030, then a line added by a
    # UTF-8 editor; read as one encoding it became "Zo毛 M眉ller".
    path = tmp_path / "mixed.csv"
    path.write_bytes("整改措施,责任单位,责任人\n".encode("gb18030") + "清理凭证,财务处,Zoë Müller\n".encode("utf-8")
                     + "修订办法,办公室,张伟\n".encode("gb18030"))
    res = cli.ok("import", path, "--json").json()
    assert any("GB18030" in note and "1, 3" in note for note in res["notes"]), res["notes"]
    owners = sorted(t["owner"] for t in cli.json("list", "--all"))
    assert owners == ["Zoë Müller", "张伟"]
    assert not any("毛" in t["owner"] or "眉" in t["owner"] for t in cli.json("list", "--all"))


def test_gb18030_behind_a_utf8_mark_is_read_and_said(cli, tmp_path):
    path = tmp_path / "marked.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "整改措施,责任单位\n报销清理,财务处\n".encode("gb18030"))
    res = cli.ok("import", path)
    assert "GB18030" in res.stderr
    assert [t["unit"] for t in cli.json("list", "--all")] == ["财务处"]


def test_a_line_in_no_chinese_encoding_is_named(cli, tmp_path, db):
    path = tmp_path / "broken.csv"
    path.write_bytes("整改措施,责任单位\n清理,财务处\n".encode("utf-8") + b"\xff\xfe\xfd\x80,x\n")
    res = cli("import", path)
    assert res.exit_code == 6 and "line 3" in res.stderr and len(res.stderr.splitlines()) == 1
    assert not db.exists()


# -- hostile files: refused in one line, in bounded memory and time ----------------------------

_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
          '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
          '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_BOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
         'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         '<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
              '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
              '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_HEAD = ('<row r="1"><c r="A1" t="inlineStr"><is><t>整改措施</t></is></c><c r="B1" t="inlineStr"><is><t>责任单位</t>'
         '</is></c></row>')
_DATA = ('<row r="2"><c r="A2" t="inlineStr"><is><t>清理凭证</t></is></c><c r="B2" t="inlineStr"><is><t>财务处</t>'
         '</is></c></row>')
_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + "]>")


def _sheet(rows: str, after: str = "", prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return (f'{prolog}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{rows}</sheetData>{after}</worksheet>")


def xlsx(path: Path, sheet: str, **members) -> Path:
    """A workbook made part by part, as a hostile one would be."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", members.pop("book", _BOOK))
        zf.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _whitespace_bomb(path: Path) -> Path:
    xlsx(path, _sheet(_HEAD + _DATA))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/sharedStrings.xml", "w") as f:
        chunk = b" " * (1 << 20)
        for _i in range(40):  # 40 MB of blanks, packed to about 40 KB
            f.write(chunk)
    return path


def _docx_wide(path: Path) -> Path:
    """A cell that says it spans 16 million grid columns."""
    office_docx(path)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="16777215"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _docx_laughs(path: Path) -> Path:
    office_docx(path)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    body = parts["word/document.xml"].decode()
    parts["word/document.xml"] = (_LAUGHS + body[body.index("<w:document"):].replace("填表人", "&lol9;")).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


HOSTILE = {
    # issue 12 item 12
    "one cell at XFD1048576": lambda p: xlsx(p, _sheet(_HEAD + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')),
    "a 40 MB member of blanks": _whitespace_bomb,
    # issue 12 item 13
    "billion laughs": lambda p: xlsx(p, _sheet(_HEAD + _DATA.replace("清理凭证", "&lol9;"), prolog=_LAUGHS)),
    "external entity": lambda p: xlsx(p, _sheet(_HEAD + _DATA.replace("清理凭证", "&x;"), prolog=(
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'))),
    "entity in the workbook part": lambda p: xlsx(p, _sheet(_HEAD + _DATA), book=_LAUGHS + _BOOK[_BOOK.index("<workbook"):]),
    "malformed XML": lambda p: xlsx(p, _sheet(_HEAD + _DATA)[:-40]),
    "more than 1,048,576 rows": lambda p: xlsx(p, _sheet(_HEAD + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>')),
    "200,001 rows": lambda p: xlsx(p, _sheet(_HEAD + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                                             for r in range(2, 200_003)))),
    "cells without references far out": lambda p: xlsx(p, _sheet(_HEAD + '<row r="300000"><c><v>1</v></c></row>')),
    "a tag hiding its reference": lambda p: xlsx(p, _sheet(_HEAD + '<row r="2"><c t="n" x=">" r="XFD9"><v>1</v></c></row>')),
    "overlapping merges": lambda p: xlsx(p, _sheet(_HEAD + _DATA, after='<mergeCells count="3000">' + (
        '<mergeCell ref="A1:B2"/>' * 3000) + "</mergeCells>")),
    "UTF-16 sheet part": lambda p: xlsx(p, _sheet(_HEAD + _DATA).replace("UTF-8", "UTF-16").encode("utf-16")),
    "not a zip": lambda p: _bytes(p, b"PK\x03\x04" + os.urandom(2000)),
    "ods rows repeated to the limit": lambda p: _ods(p, "<table:table-row>" + _ods_cell("整改措施") + "</table:table-row>"
                                                 '<table:table-row table:number-rows-repeated="1048575">'
                                                 + _ods_cell("x") + "</table:table-row>"),
    "ods billion laughs": lambda p: _ods(p, "", extra_member=("styles.xml", _LAUGHS + "<a>&lol9;</a>")),
    "docx billion laughs": _docx_laughs,
    "docx cells spanning 16 million columns": _docx_wide,
    "a sheet listed twice": lambda p: xlsx(p, _sheet(_HEAD + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
                                           book=_BOOK.replace("</sheets>", '<sheet name="台账" sheetId="2" r:id="rId1"/>'
                                                                           "</sheets>"),
                                           **{"xl/worksheets/sheet2.xml": _sheet(_HEAD)}),
    "xls cell at IV65536": lambda p: _bytes(p, (SHEETS / "far.xls").read_bytes()),
}
SUFFIX = {"ods": ".ods", "docx": ".docx", "xls ": ".xls"}

# Each case runs in a child of a small launcher, so that ru_maxrss is the
# import's own peak (Linux carries a parent's high-water mark into its children).
LAUNCH = """
import resource, subprocess, sys, time
start = time.monotonic()
try:
    res = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=30)
    code, err = res.returncode, res.stderr
except subprocess.TimeoutExpired:
    code, err = "timeout", ""
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(repr((code, err, peak, time.monotonic() - start)))
"""


def _limited() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a regression fails here, not on the machine


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_refused_in_one_line_in_bounded_memory_and_time(tmp_path, case):
    suffix = next((s for k, s in SUFFIX.items() if case.startswith(k)), ".xlsx")
    path = HOSTILE[case](tmp_path / f"hostile{suffix}")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RECTIFY_DB": str(tmp_path / "l.db"), "RECTIFY_LANG": "en"}
    out = subprocess.run([sys.executable, "-S", "-c", LAUNCH, sys.executable, "-m", "rectify", "import", str(path),
                          "--dry-run", "--json"], capture_output=True, text=True, env=env, preexec_fn=_limited,
                         timeout=60)
    code, err, peak_mb, seconds = eval(out.stdout)  # noqa: S307 (our own launcher's repr)
    assert code == 6, (code, err)
    assert err.startswith("rectify: error: ") and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert peak_mb < 500 and seconds < 10, (peak_mb, seconds)
    assert not (tmp_path / "l.db").exists()


def test_a_merge_over_the_whole_sheet_is_clipped_to_the_cells_in_use(cli, tmp_path):
    # Issue 12 item 12: a 4.7 KB workbook with one merge A2:XFD1048576 grew without bound.
    path = xlsx(tmp_path / "merge.xlsx", _sheet(_HEAD + _DATA, after=(
        '<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>')))
    cli.ok("import", path)
    assert [t["title"] for t in cli.json("list", "--all")] == ["清理凭证"]


def test_a_styled_empty_cell_far_out_is_no_reason_to_refuse(cli, tmp_path):
    # Office programs write formatted empty cells (<c r=".." s="1"/>): they are not cells in use.
    path = xlsx(tmp_path / "styled.xlsx", _sheet(_HEAD + _DATA + '<row r="900000"><c r="XFD900000" s="1"/></row>'))
    cli.ok("import", path)
    assert [t["unit"] for t in cli.json("list", "--all")] == ["财务处"]


def test_the_export_reads_back_through_every_reader(cli, tmp_path):
    """The written xlsx (parts made by hand) is read by calamine and openpyxl
    alike, control characters and Excel-escape-like text kept exactly."""
    from openpyxl import load_workbook

    odd = ["_x0041_ stays", "two\nlines", "<&>\"'", "=1+1"]
    for text in odd:
        cli.ok("add", "--note", text, "--", text)
    out = tmp_path / "out.xlsx"
    cli.ok("export", "--output", out)
    ws = load_workbook(out).active
    assert ws.max_row == len(odd) + 4  # title, header, tasks, a blank row, the legend
    fresh = type(cli)(tmp_path / "fresh.db")
    fresh.ok("import", out)
    assert sorted(t["title"] for t in fresh.json("list", "--all")) == sorted(odd)
    assert sorted(t["note"] for t in fresh.json("list", "--all")) == sorted(odd)


def test_reading_a_csv_refuses_a_row_wider_than_any_sheet(cli, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("整改措施,责任单位\n" + "," * 150_000 + "\n", encoding="utf-8")
    res = cli("import", path)
    assert res.exit_code == 6 and "columns" in res.stderr and len(res.stderr.splitlines()) == 1


def test_dry_run_json_reports_the_format(cli, tmp_path):
    path = tmp_path / "x.ods"
    office_ods(path)
    plan = json.loads(cli.ok("import", path, "--dry-run", "--json").stdout)
    assert plan["format"] == "ods" and plan["sheet"] == "台账"
