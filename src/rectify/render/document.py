"""The rectification report (整改情况报告) as a document: a list of blocks
(title, addressee, paragraphs, headings, items, signature) built from the
plain data of ``reports.report``, then laid out as Markdown, HTML or Word
(``docx_file``). One build serves every format, so they say the same.

It is a draft to be finished by hand. Only the headings, the fixed phrases
of the template (in the user's language) and the connecting punctuation are
rectify's; every fact comes from the ledger: its figures, exactly those of
``summary --json`` for the same round and day, and its own words (problems,
measures, progress notes, closing remarks, outcomes). Nothing is made up:
where the ledger says nothing, the report says nothing, or leaves a blank
in brackets for the hand (the unit's name when none is given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from rectify import dates
from rectify.i18n import _, is_zh, ngettext

# A block's kind: title, addressee, para, h1, h2, item (a numbered item's
# heading line), sign (the signature lines, right-aligned).


@dataclass
class Block:
    kind: str
    text: str


CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals: 一, 十, 十一, 二十三."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def h1_number(n: int) -> str:
    return f"{cn_number(n)}、" if is_zh() else f"{n}. "


def h2_number(n: int) -> str:
    return f"（{cn_number(n)}）" if is_zh() else f"({n}) "


def item_number(n: int) -> str:
    return f"{n}." if is_zh() else f"{n}. "


def rate_text(rate: float) -> str:
    """A completion rate as the report prints it: 76%, 73.3%."""
    value = round(rate * 100, 1)
    return f"{value:g}%"


def amount_text(fen: int) -> str:
    """Money as the report prints it: in Chinese, 万元 from ten thousand yuan
    up when that needs at most two decimals; otherwise yuan, exactly."""
    from rectify.rounds import wan, yuan

    if is_zh() and fen >= 1000000 and fen % 10000 == 0:  # whole hundreds of yuan: 3.5万元, not 1.25005万元
        return _("{amount} ten thousand yuan").format(amount=wan(fen))
    return _("{amount} yuan").format(amount=yuan(fen))


def _sep() -> str:
    return _(", ")


def _detail_sep() -> str:
    """Between the details in brackets: a full-width comma in Chinese."""
    return "\uff0c" if is_zh() else ", "


def _clause(text: str) -> str:
    """The ledger's words as a clause: the end mark it was typed with dropped."""
    return text.strip().rstrip("。；;，,.、 ")


def _joined(items: list[str]) -> str:
    return _("; ").join(_clause(i) for i in items if i and _clause(i))


# -- the parts -------------------------------------------------------------------


def title(data: Mapping[str, Any]) -> str:
    r = data["round"]
    if data["kind"] == "interim":
        return _("Interim report on the rectification of {round}").format(round=r["name"]) if r else _(
            "Interim rectification progress report")
    return _("Report on the rectification of {round}").format(round=r["name"]) if r else _("Rectification report")


def opening(data: Mapping[str, Any]) -> str:
    r = data["round"]
    as_of = dates.show_date(data["as_of"])
    interim = data["kind"] == "interim"
    if not r:
        return (_("The progress of the rectification as of {as_of} is reported as follows.") if interim
                else _("The rectification as of {as_of} is reported as follows.")).format(as_of=as_of)
    details = [x for x in (r["issuer"], _("fed back {date}").format(date=dates.show_date(r["fed_back"])) if r["fed_back"] else None) if x]
    source = r["name"] + (_(" ({details})").format(details=_detail_sep().join(details)) if details else "")
    return (_("Following {source}, the progress of the rectification as of {as_of} is reported as follows.") if interim
            else _("Following {source}, the rectification as of {as_of} is reported as follows.")).format(
        source=source, as_of=as_of)


def problem_sentence(p: dict) -> str:
    """反馈25个问题，已完成19个、正在整改6个，完成率76%."""
    parts = [_("{n} done").format(n=p["done"]), _("{n} in progress").format(n=p["in_progress"])]
    if p["not_started"]:
        parts.append(_("{n} not yet started").format(n=p["not_started"]))
    if p["cancelled"]:
        parts.append(_("{n} withdrawn").format(n=p["cancelled"]))
    return ngettext("{n} problem was fed back: {parts}; completion rate {rate}.",
                    "{n} problems were fed back: {parts}; completion rate {rate}.", p["total"]).format(
        n=p["total"], parts=("\u3001" if is_zh() else ", ").join(parts), rate=rate_text(p["completion_rate"]))


def task_sentence(s: dict) -> str:
    return _("Rectification measures: {n}, of which {closed} closed; completion rate {rate}.").format(
        n=s["total"], closed=s["closed"], rate=rate_text(s["completion_rate"]))


def outcome_parts(o: dict) -> list[str]:
    money = o["money_fen"]
    parts = []
    if o["rules"]:
        parts.append(ngettext("{n} rule established or revised", "{n} rules established or revised",
                              o["rules"]).format(n=o["rules"]))
    for kind, message in (("recovered", _("{amount} recovered")), ("returned", _("{amount} returned")),
                          ("saved", _("{amount} saved"))):
        if money[kind]:
            parts.append(message.format(amount=amount_text(money[kind])))
    if o["people"]:
        parts.append(people_text(o["people"]))
    if o["other"]:
        parts.append(ngettext("{n} other result", "{n} other results", o["other"]).format(n=o["other"]))
    return parts


def people_text(n: int) -> str:
    return ngettext("{n} person held to account", "{n} people held to account", n).format(n=n)


def outcome_words(o: dict) -> str:
    """One outcome of a task, in the ledger's words and figures."""
    if o["type"] == "rule":
        extra = [x for x in (o["doc_no"], _("issued {date}").format(date=dates.show_date(o["issued"])) if o["issued"] else None) if x]
        text = _("rule \u201c{title}\u201d").format(title=o["title"]) if not is_zh() else f"《{o['title']}》"
        return text + (_(" ({details})").format(details=_detail_sep().join(extra)) if extra else "")
    if o["type"] == "money":
        message = {"recovered": _("{amount} recovered"), "returned": _("{amount} returned"),
                   "saved": _("{amount} saved")}[o["money_type"]]
        text = message.format(amount=amount_text(o["fen"]))
        return text + (_(" ({details})").format(details=_clause(o["what"])) if o["what"] else "")
    if o["type"] == "people":
        text = people_text(o["people"])
        return text + (_(" ({details})").format(details=o["form"]) if o["form"] else "")
    return o["text"]


def state_words(state: str) -> str:
    return {"done": _("rectification done"), "in_progress": _("rectification in progress"),
            "not_started": _("not yet started"), "cancelled": _("withdrawn")}[state]


def category_heading(name: str | None) -> str:
    if not name:
        return _("Other problems")
    if is_zh() and name.endswith("方面"):
        return _("On {category}").format(category=name[:-2]) if name[:-2] else name
    return _("On {category}").format(category=name)


def _task_lines(tasks: Sequence[Mapping[str, Any]]) -> list[Block]:
    """A problem's (or a loose measure's) lines: measures, work done, results, closing."""
    out = []
    measures = [t["title"] for t in tasks]
    if measures:
        out.append(Block("para", _("Measures: {list}.").format(list=_joined(measures))))
    notes = [n["note"] for t in tasks for n in t["progress_notes"]]
    if notes:
        out.append(Block("para", _("Work done: {list}.").format(list=_joined(notes))))
    results = [outcome_words(o) for t in tasks for o in t["outcomes"]]
    if results:
        out.append(Block("para", _("Results: {list}.").format(list=_joined(results))))
    remarks = [t["closing_remark"] for t in tasks if t.get("closing_remark")]
    if remarks:
        out.append(Block("para", _("Checked and closed: {list}.").format(list=_joined(remarks))))
    return out


def problem_heading(description: str) -> str:
    """关于"…"问题的整改; a description that ends in 问题 does not get it twice."""
    text = _clause(description)
    if is_zh() and text.endswith("\u95ee\u9898"):  # 问题
        return _("On the rectification of \u201c{problem}\u201d").format(problem=text)
    return _("On the rectification of the problem \u201c{problem}\u201d").format(problem=text)


def _problem_items(problems: list[dict]) -> list[Block]:
    out = []
    for n, p in enumerate(problems, 1):
        out.append(Block("item", item_number(n) + problem_heading(p["description"])))
        out += _task_lines(p["tasks"])
        out.append(Block("para", ngettext("{closed} of {n} measure closed; {state}.", "{closed} of {n} measures closed; {state}.",
                                          len(p["tasks"])).format(
            closed=p["closed"], n=len(p["tasks"]),
            state=state_words(p["state"]))))
    return out


def _open_item(n: int, t: dict, as_of: str) -> list[Block]:
    details = []
    if t["unit"]:
        details.append(_("unit: {unit}").format(unit=t["unit"]))
    if t["owner"]:
        details.append(_("owner: {owner}").format(owner=t["owner"]))
    if t["due"]:
        details.append(_("due {date}").format(date=dates.show_date(t["due"])))
        if t["due"] < as_of:
            details.append(_("overdue"))
    text = item_number(n) + _clause(t["title"]) + (_(" ({details})").format(details=_detail_sep().join(details)) if details else "")
    out = [Block("para", text + _("."))]
    if t["target"]:
        out.append(Block("para", _("Target: {target}.").format(target=_clause(t["target"]))))
    return out


# -- the document ------------------------------------------------------------------


def build(data: Mapping[str, Any]) -> list[Block]:
    """The report, block by block, from ``reports.report`` data with
    "unit_name", "addressee" and "signer" added."""
    s = data["summary"]
    blocks = [Block("title", title(data))]
    if data.get("addressee"):
        blocks.append(Block("addressee", _("{addressee}:").format(addressee=data["addressee"])))
    blocks.append(Block("para", opening(data)))

    blocks.append(Block("h1", h1_number(1) + _("Overall progress")))
    blocks.append(Block("para", problem_sentence(s["problems"]) + ("" if is_zh() else " ") + task_sentence(s)))
    parts = outcome_parts(s["outcomes"])
    if parts:
        blocks.append(Block("para", _("Since the feedback: {parts}.").format(parts=_sep().join(parts))))
    look = data.get("lookback")
    if look and (look["sampled"] or look["rechecks"]["held"] or look["rechecks"]["relapsed"]):
        blocks.append(Block("para", _(
            "Look-back: {sampled} closed measures sampled, {checked} checked again, {held} held, {relapsed} relapsed; "
            "re-checks recorded in all: {all_held} held, {all_relapsed} relapsed.").format(
            sampled=look["sampled"], checked=look["checked"], held=look["held"], relapsed=look["relapsed"],
            all_held=look["rechecks"]["held"], all_relapsed=look["rechecks"]["relapsed"])))

    blocks.append(Block("h1", h1_number(2) + _("Rectification by category")))
    section = 0
    for category in data["categories"]:
        section += 1
        blocks.append(Block("h2", h2_number(section) + category_heading(category["name"])))
        blocks += _problem_items(category["problems"])
    if data["other_tasks"]:
        section += 1
        blocks.append(Block("h2", h2_number(section) + _("Measures not tied to a recorded problem")))
        for n, t in enumerate(data["other_tasks"], 1):
            blocks.append(Block("item", item_number(n) + _clause(t["title"])))
            blocks += _task_lines([{**t, "title": t["title"]}])[1:]
    if not data["categories"] and not data["other_tasks"]:
        blocks.append(Block("para", _("The ledger holds no problems for this report.")))

    blocks.append(Block("h1", h1_number(3) + _("Open items and next steps")))
    open_tasks = data["open_tasks"]
    if open_tasks:
        blocks.append(Block("para", ngettext("{n} measure is still open:", "{n} measures are still open:",
                                             len(open_tasks)).format(n=len(open_tasks))))
        for n, t in enumerate(open_tasks, 1):
            blocks += _open_item(n, t, data["as_of"])
    else:
        blocks.append(Block("para", _("Every measure is closed or withdrawn.")))

    sign = [data.get("unit_name") or _("(name of the unit)")]
    if data.get("signer"):
        sign.append(data["signer"])
    sign.append(dates.show_date(data["as_of"]))
    blocks += [Block("sign", line) for line in sign]
    return blocks


# -- Markdown and HTML -------------------------------------------------------------


def _md_escape(text: str) -> str:
    for ch in "\\`*_[]#<>|":
        text = text.replace(ch, "\\" + ch)
    return text


def markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for b in blocks:
        text = _md_escape(b.text)
        if b.kind == "title":
            lines += [f"# {text}", ""]
        elif b.kind == "h1":
            lines += [f"## {text}", ""]
        elif b.kind == "h2":
            lines += [f"### {text}", ""]
        elif b.kind == "item":
            lines += [f"**{text}**", ""]
        elif b.kind == "sign":
            lines += [f"<p align=\"right\">{escape(b.text)}</p>", ""]
        else:
            lines += [text, ""]
    return "\n".join(lines)


CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { max-width: 156mm; margin: 0 auto; padding: 8mm 0; color: #000;
       font-family: %(body)s; font-size: 16pt; line-height: 1.75; }
h1 { font-family: %(title)s; font-size: 22pt; font-weight: normal; text-align: center; margin: 0 0 1em; }
h2 { font-family: %(h1)s; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
h3 { font-family: %(h2)s; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.item { font-weight: bold; }
p.addressee { text-indent: 0; }
p.sign { text-align: right; text-indent: 0; }
p.sign.first { margin-top: 2em; }
"""


def css_fonts() -> dict:
    """The house faces, each with the faces that stand in for it where it is
    missing (Windows, macOS, Linux), as CSS font-family lists."""
    from rectify.render.docx_file import FACES

    def family(role: str) -> str:
        names = [FACES[role]["east_asia"], *FACES[role]["fallbacks"]]
        generic = "sans-serif" if role == "h1" else "serif"
        if not is_zh():
            names = [FACES[role]["latin"], *names]
        return ", ".join(f'"{n}"' for n in names) + f", {generic}"

    return {role: family(role) for role in ("title", "h1", "h2", "body")}


def html(blocks: list[Block]) -> str:
    lang = "zh-CN" if is_zh() else "en"
    body = []
    first_sign = True
    tags = {"title": "h1", "h1": "h2", "h2": "h3"}
    for b in blocks:
        if b.kind in tags:
            body.append(f"<{tags[b.kind]}>{escape(b.text)}</{tags[b.kind]}>")
        else:
            classes = b.kind if b.kind in ("item", "addressee", "sign") else ""
            if b.kind == "sign" and first_sign:
                classes += " first"
                first_sign = False
            attr = f' class="{classes.strip()}"' if classes.strip() else ""
            body.append(f"<p{attr}>{escape(b.text)}</p>")
    head_title = escape(blocks[0].text) if blocks else ""
    return "\n".join(["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
                      f"<title>{head_title}</title>", f"<style>{CSS % css_fonts()}</style>", "</head>", "<body>",
                      *body, "</body>", "</html>", ""])
