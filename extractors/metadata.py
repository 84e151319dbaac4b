"""Who published a report, for which year: read from its first lines.

The dataset is keyed by (jurisdiction, year), so these few fields decide where every
number lands. Each is taken from what the document prints, in a fixed order of trust:
the title, then the preamble (统计期限为2024年1月1日至12月31日, 由…编制, 现公布…报告),
then, for the year only, the publication date minus one year. A field the text does
not give stays None; short names are expanded only when the text itself prints the
longer form.
"""

from __future__ import annotations

import re
import unicodedata

from extractors.jurisdictions import ZONE, place_prefix, resolve
from extractors.model import ReportMeta

# How far into the document the title and the preamble are looked for.
TITLE_WINDOW = 30
PREAMBLE_LINES = 20
OPENING_LINES = 6  # lines after the title (or the start) where `2022年，…` gives the year

_YEAR = r"(?:19|20)\d{2}"
_CORE = r"(?:(?:政府|政务)?信息公开|政务公开)"
_TAIL = r"(?:工作)?的?(?:年度)?(?:工作)?(?:报告|年报)"  # 工作的年度报告: a department's own phrasing
# 麟游县人民政府2024年政府信息公开工作年度报告 / 2022年度上海市政务信息公开年报
_TITLE = re.compile(rf"(?P<pre>.*?)(?P<year>{_YEAR})年度?(?P<mid>.*?){_CORE}{_TAIL}")
# 麟游县政府信息公开工作年度报告（2023年度）
_TITLE_YEAR_AFTER = re.compile(rf"(?P<pre>.*?){_CORE}{_TAIL}\(?(?P<year>{_YEAR})年?度?\)?")
_YEARLESS = re.compile(rf"(?P<pre>.*?){_CORE}{_TAIL}")
_DATE = r"\[?\(?\d{4}[-./]\d{1,2}[-./]\d{1,2}\)?\]?"
_DECORATION = re.compile(
    rf"(?:\((?:全文|正文|修订版?|终稿)\)|(?<=报告|年报)\((?![^()]*\d{{4}})[^()]{{1,16}}\)|的通知|\.(?:pdf|docx?|wps|xlsx?|html?)|{_DATE})$",
    re.I,
)
_LEADING_DATE = re.compile(rf"^{_DATE}")
_INTERPRETATION = re.compile(r"解读|图解|一图读懂|一图看懂|一图了解|图说")
_SENTENCE = re.compile(r"[。，；,;!?！？]")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")

# The preamble's statistics period: 2024年1月1日至12月31日, 2020年1月1日—2020年12月31日,
# 自2023年1月1日起至2023年12月31日止 (whitespace already removed).
_PERIOD = re.compile(rf"({_YEAR})年0?1月0?1日起?(?:至|到|—|－|-|–|~|～)+(?:{_YEAR}年)?12月31日")
# A report named inside a sentence: 现公布区统计局2023年…报告, 现向社会公开《…报告》.
_NAMED = re.compile(r"(?:公布|公开|发布|编制|印发)了?《?([^。；;《》]*?(?:报告|年报))")
# The compiler: 本报告由两城镇人民政府党政办公室编制 / 由淮安市洪泽区人民政府办公室根据…
_COMPILER = re.compile(r"由([\u4e00-\u9fff]{2,40}?)(?:根据|按照|依据|依照|负责|编制|制作|汇总)")
# An office inside a government compiles the government's report.
_INNER_OFFICE = re.compile(r"(人民政府)(?:党政综合办公室|党政办公室|党政办|综合办公室|办公室|办公厅|政务公开办公室)$")
# An opening sentence that starts with the year: 2022年，… / 2023年度，… (whitespace removed).
_OPENING = re.compile(rf"^({_YEAR})年度?[,，]")
_SHORT_FOR = re.compile(r"\(以下简称[:]?[“”\"'‘’「」]?([\u4e00-\u9fff]{2,12})[“”\"'‘’「」]?\)")
_ORGAN_LINE = re.compile(
    r"[\u4e00-\u9fff()]{2,40}(?:人民政府|政府|办公室|办公厅|委员会|管委会|办事处|局|委|厅|办|中心|署|街道|镇|乡|区|县|市|省|旗|州|盟)"
)
_LEADING_JUNK = re.compile(r"^(?:.*?(?:关于印发|关于公布|关于))|^[^\u4e00-\u9fff]+|^[^:：《]{1,8}[:：]")


def _norm(text: str) -> str:
    """NFKC, no whitespace, years in Chinese numerals as digits: the text matched on."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: m.group().translate(_CN_DIGITS), text)


def _clean_body(text: str) -> str | None:
    text = re.split(r"[>›»|/]", text)[-1]  # breadcrumbs: 首页>信息公开>麟游县…
    text = re.sub(r"关于$", "", text)  # 某局关于2022年…的年度报告: the organ stands before 关于
    body = _LEADING_JUNK.sub("", text).strip("《》“”\"'()[]【】:、")
    if body.endswith("人民"):  # 麟游县人民政府信息公开…: the 政府 went to 政府信息公开
        body += "政府"
    return body or None


def is_interpretation(title: str) -> bool:
    """Whether a title names a reading aid (解读, 图解, 一图读懂…), not the report itself."""
    return bool(_INTERPRETATION.search(_norm(title)))


def parse_title(text: str) -> tuple[str | None, int | None]:
    """Issuing body and year of a report title or link text; (None, None) if it is not one.

    Interpretations (关于2021年…年度报告的解读) are not reports and give (None, None),
    so spiders can use this alone to recognise report links.
    """
    t = _norm(text)
    if not t or is_interpretation(t):
        return None, None
    t = _LEADING_DATE.sub("", t)
    while (stripped := _DECORATION.sub("", t)) != t:
        t = stripped
    t = t.rstrip("。.")
    m = _TITLE.fullmatch(t)
    if m:
        return _clean_body(m["pre"]) or _clean_body(m["mid"]), int(m["year"])
    m = _TITLE_YEAR_AFTER.fullmatch(t)
    if m:
        return _clean_body(m["pre"]), int(m["year"])
    return None, None


def publisher_kind(body: str | None) -> str:
    """government, government_office, department, township, development_zone or unknown."""
    if not body:
        return "unknown"
    b = _norm(body)
    if ZONE.search(b) and not b.endswith("人民政府"):
        return "development_zone"
    if re.search(r"(?:人民政府|政府)(?:办公室|办公厅|办)$", b):
        return "government_office"
    if re.search(r"(?:镇|乡|街道|苏木)(?:人民政府|政府|办事处)?$", b):
        return "township"
    if b.endswith("政府") or place_prefix(b) == len(b):
        return "government"
    if re.search(r"(?:局|委员会|委|厅|办|办公室|中心|署|院|处|所|站|队|会|馆|部)$", b):
        return "department"
    return "unknown"


def _find_title(lines: list[str]) -> tuple[str, str | None, int | None, int] | None:
    """(title as printed, body, year, index of the line after it) of the first title.

    A title may be broken over up to three lines (麟游县人民政府 / 2024年政府信息公开
    工作年度报告); a joined title must start with the organ or the year, so site
    chrome (正文, 登录 | 注册) is never glued to it.
    """
    for i in range(min(TITLE_WINDOW, len(lines))):
        for k in (1, 2, 3):
            part = lines[i : i + k]
            if len(part) < k:
                break
            joined = "".join(_norm(p) for p in part)
            if len(joined) > 100 or _SENTENCE.search(joined):
                break
            body, year = parse_title(joined)
            if year is None:
                continue
            if k > 1:
                first = _norm(part[0])
                if not (re.match(_YEAR, first) or _ORGAN_LINE.fullmatch(first)):
                    break
                if parse_title(part[1])[0] is not None:  # the next line is a whole title
                    break
            return "".join(re.sub(r"\s+", "", p) for p in part), body, year, i + k
    for i, line in enumerate(lines[:TITLE_WINDOW]):  # a title that prints no year
        t = _norm(line)
        m = _YEARLESS.fullmatch(t)
        if m and len(t) <= 60 and not _SENTENCE.search(t) and not is_interpretation(t):
            return re.sub(r"\s+", "", line), _clean_body(m["pre"]), None, i + 1
    return None


def _title_from_hint(hint: str) -> tuple[str, str | None, int] | None:
    """A report title inside a page title or link text (…年度报告_麟游县人民政府)."""
    for piece in (hint, *re.split(r"\s*[_|｜]\s*|\s+[-—–]\s+", hint)):
        body, year = parse_title(piece)
        if year is not None:
            return re.sub(r"\s+", "", piece), body, year
    return None


def _year_from_date(published_date: str | None) -> int | None:
    m = re.search(_YEAR, published_date or "")
    return int(m.group()) - 1 if m else None


def _body_from_preamble(text: str) -> str | None:
    for m in _NAMED.finditer(text):
        body, year = parse_title(m.group(1))
        if body and year:
            return body
    m = _COMPILER.search(text)
    if m:
        return _INNER_OFFICE.sub(r"\1", m.group(1))
    return None


def _year_from_preamble(text: str, lines: list[str]) -> int | None:
    """The statistics period, a report named in a sentence, else an opening line that
    starts with the year (2022年，本机关…) when the title is absent."""
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    for m in _NAMED.finditer(text):
        year = parse_title(m.group(1))[1]
        if year:
            return year
    for line in lines[:OPENING_LINES]:
        m = _OPENING.match(_norm(line))
        if m:
            return int(m.group(1))
    return None


def _is_subsequence(short: str, full: str) -> bool:
    chars = iter(full)
    return all(c in chars for c in short)


def _expand(body: str, text: str, year: int | None) -> str:
    """The longer form of ``body`` that the text itself prints, if any.

    Two cases: a place printed before it (洪泽区人民政府 → 淮安市洪泽区人民政府,
    两城镇人民政府 → 微山县两城镇人民政府), and an abbreviation the text defines
    (上海市科学技术委员会（以下简称市科委） for 上海市科委).
    """
    best = body
    for m in _SHORT_FOR.finditer(text):
        short = m.group(1)
        if body != short and not body.endswith(short):
            continue
        run = re.search(r"[\u4e00-\u9fff]*$", text[: m.start()]).group()
        starts = [i for i, c in enumerate(run) if c == body[0]]
        for i in reversed(starts):  # shortest suffix of the run that spells the body
            if _is_subsequence(body, run[i:]) and len(run) - i > len(body):
                best = run[i:]
                break
        if best != body:
            return best
    for m in re.finditer(re.escape(body), text):
        before = re.search(r"[\u4e00-\u9fff]{0,20}$", text[: m.start()]).group()
        for i in range(len(before)):
            prefix = before[i:]
            if (
                place_prefix(prefix) == len(prefix)
                and place_prefix(prefix + body) >= len(prefix) + place_prefix(body)
                and resolve(prefix + body, year)
            ):
                if len(prefix + body) > len(best):
                    best = prefix + body
                break
    return best


def read_metadata(lines: list[str], published_date: str | None = None, hint_title: str | None = None) -> ReportMeta:
    """Title, report year (and where it came from), issuing body, its kind and division code.

    ``lines`` are the document's first text lines in reading order (site chrome allowed);
    ``hint_title`` is a page title or link text, used when the lines hold no title.
    """
    lines = [ln.strip() for ln in lines if ln and ln.strip()]
    meta = ReportMeta()
    start = 0
    found = _find_title(lines)
    body: str | None = None
    if found:
        meta.title, body, meta.report_year, start = found
    elif hint_title and (hinted := _title_from_hint(hint_title)):
        meta.title, body, meta.report_year = hinted
    if meta.report_year is not None:
        meta.year_source = "title"

    preamble_lines: list[str] = []
    for ln in lines[start : start + PREAMBLE_LINES]:
        if re.match(r"二[、.．]", _norm(ln)):
            break
        preamble_lines.append(ln)
    preamble = _norm("".join(preamble_lines))

    if meta.report_year is None:
        meta.report_year = _year_from_preamble(preamble, preamble_lines)
        if meta.report_year is not None:
            meta.year_source = "preamble"
        elif (from_date := _year_from_date(published_date)) is not None:
            meta.report_year, meta.year_source = from_date, "published_date"

    if body is None:
        body = _body_from_preamble(preamble)
    if body is not None:
        body = _expand(body, preamble, meta.report_year)
    meta.issuing_body = body
    meta.publisher_kind = publisher_kind(body)
    meta.jurisdiction_code = resolve(body, meta.report_year) if body else None
    return meta
