"""The xlsx export prints (issue 18 item 7): A4 landscape, the header row on
every page, fitted to the page width at a readable scale, the uid outside the
print area, row heights from the content, the Chinese title in Chinese dates.

Each test exports through the real CLI and reads the file back with openpyxl.
What the page looks like through LibreOffice is in docs/export-print-zh.png and
docs/export-print-en.png (README, "Export").
"""

from __future__ import annotations

import pytest

openpyxl = pytest.importorskip("openpyxl")

A4_LANDSCAPE_WIDTH_PT = 842
POINTS_PER_WIDTH_UNIT = 6.1  # Arial 11 (Liberation Sans): one unit of column width at 100%
READABLE_SCALE = 0.7  # 11-point text printed no smaller than 7.7 points

LONG_ZH = ("对照巡察反馈意见逐条梳理本单位公务接待、差旅报销和会议费支出的审批流程，"
           "查找制度漏洞，修订内部控制手册并组织全员培训，建立季度抽查和通报机制")
LONG_EN = ("Review every hospitality, travel and meeting expense approved since 2025 against the "
           "inspection findings, revise the internal control manual, train all staff and set up "
           "quarterly spot checks with a published report")


def _export(cli, tmp_path, lang: str):
    out = tmp_path / f"ledger-{lang}.xlsx"
    cli.ok("export", "--output", out, "--lang", lang)
    return openpyxl.load_workbook(out).active


@pytest.fixture
def ledger(cli):
    """Tasks of every length: one line, a long Chinese measure, a long English one, the same
    number of Latin and CJK characters, and wide columns filled (problem, progress, evidence)."""
    cli.add("短措施", "--unit", "财务处", "--due", "2026-12-31")
    cli.add(LONG_ZH, "--unit", "审计处", "--new-problem", "公务支出审批不严格，部分凭证缺少审批签字",
            "--target", "问题整改到位，制度执行有效")
    cli.add(LONG_EN, "--unit", "Finance Office", "--owner", "Vice President Sun")
    cli.add("x" * 30, "--unit", "组织部")
    cli.add("整" * 30, "--unit", "组织部")
    return cli


def _rows(ws) -> dict[str, int]:
    """Row number by measure."""
    heads = [c.value for c in ws[2]]
    col = heads.index("整改措施") if "整改措施" in heads else heads.index("Measure")
    return {ws.cell(row=r, column=col + 1).value: r for r in range(3, ws.max_row + 1)
            if ws.cell(row=r, column=col + 1).value}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a4_landscape_fitted_to_the_width_with_the_header_on_every_page(ledger, tmp_path, lang):
    ws = _export(ledger, tmp_path, lang)
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0  # one page wide, as many long as needed
    assert ws.print_title_rows.replace("$", "") == "2:2"  # the header row repeated on every printed page
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text  # page numbers


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_uid_is_kept_but_not_printed_and_the_rest_prints_at_a_readable_size(ledger, tmp_path, lang):
    ws = _export(ledger, tmp_path, lang)
    heads = [c.value for c in ws[2]]
    assert heads[-1] == "uid"
    last_printed = openpyxl.utils.get_column_letter(len(heads) - 1)
    uid_col = openpyxl.utils.get_column_letter(len(heads))
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    assert area.endswith(f"!$A$1:${last_printed}${ws.max_row}")
    # The uid stays for a re-import, in a narrow column whose text does not wrap.
    assert ws[f"{uid_col}3"].value and len(ws[f"{uid_col}3"].value) == 36
    assert ws.column_dimensions[uid_col].width <= 12 and not ws[f"{uid_col}3"].alignment.wrap_text
    # Fitting the printed columns to the page width scales them no smaller than READABLE_SCALE.
    printed = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(heads)))
    room = A4_LANDSCAPE_WIDTH_PT - 72 * (ws.page_margins.left + ws.page_margins.right)
    assert room / (printed * POINTS_PER_WIDTH_UNIT) >= READABLE_SCALE
    # Before, all 18 columns were fitted at about 0.45 (5 points): the wide text columns now wrap instead.
    assert ws.column_dimensions["D"].width < 36


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_row_heights_follow_the_wrapped_lines_and_cjk_counts_about_double(ledger, tmp_path, lang):
    ws = _export(ledger, tmp_path, lang)
    rows = _rows(ws)
    height = {title: ws.row_dimensions[r].height for title, r in rows.items()}
    one_line = height["短措施"]
    assert one_line and one_line < 20  # a one-line row is one line high, not two
    assert height[LONG_ZH] >= 3 * one_line * 0.8 and height[LONG_EN] >= 3 * one_line * 0.8
    # The same number of characters: CJK ones are about twice as wide, so wrap into more lines.
    assert height["整" * 30] > height["x" * 30]
    # Every row's height is stored, so Excel, WPS and LibreOffice agree on it.
    assert all(ws.row_dimensions[r].customHeight for r in rows.values())
    assert ws.row_dimensions[2].height  # the header row too (its headers wrap in narrow columns)


def test_the_chinese_title_reads_its_date_in_chinese_and_the_english_one_in_iso(ledger, tmp_path):
    assert _export(ledger, tmp_path, "zh")["A1"].value == "整改台账（截至2026年11月25日，共5项）"
    assert _export(ledger, tmp_path, "en")["A1"].value == "Rectification ledger (as of 2026-11-25, 5 tasks)"


def test_a_chinese_sheet_from_an_english_interface_still_writes_chinese_dates(ledger, tmp_path):
    out = tmp_path / "l.xlsx"
    ledger.ok("--lang", "en", "export", "--output", out, "--lang", "zh")
    assert "截至2026年11月25日" in openpyxl.load_workbook(out).active["A1"].value
