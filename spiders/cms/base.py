"""What every CMS family shares: anchors with their listing context, attachment links, and the
registry of families (a family registers itself by subclassing ``CmsFamily``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from spiders.sniff import ATTACHMENT_EXTENSIONS
from spiders.titles import find_date, normalise

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
_ATTACHMENT_PATH = re.compile(r"\.(" + "|".join(e.lstrip(".") for e in ATTACHMENT_EXTENSIONS) + r")$", re.I)
_ATTACHMENT_TEXT = re.compile(r"\.(" + "|".join(e.lstrip(".") for e in ATTACHMENT_EXTENSIONS) + r")\s*$", re.I)
_ROW_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "td"})  # the listing row a link sits in


@dataclass(frozen=True)
class Link:
    """One link as a listing shows it: where it goes, what it says, the date beside it."""

    url: str
    text: str
    title: str | None = None
    date: str | None = None

    @property
    def name(self) -> str:
        """The fullest label: the title attribute when the text is cut short (…)."""
        title = normalise(self.title)
        text = normalise(self.text)
        if not title or title == "iframe":
            return text
        if not text or len(title) >= len(text) or text.endswith(("…", "...", "..")):
            return title
        # malformed markup (unclosed <a>) glues the following rows onto the text; the title
        # attribute still holds this row's full label when both start alike
        if re.search(r"[\u4e00-\u9fff]", title) and (title[:6] in text or text[:6] in title):
            return title
        return text


def anchor_links(sel: Selector, base_url: str) -> list[Link]:
    """Every ``<a href>`` in ``sel`` with its text, title attribute and row date, absolute URLs.

    Walks the lxml tree directly, and reads each row's date once however many links it holds:
    per-anchor XPath over a whole-page row made a 340 KB page take minutes (quadratic).
    """
    out: list[Link] = []
    row_dates: dict[object, str | None] = {}
    tr_dates: dict[object, str | None] = {}
    for a in sel.root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        url = urljoin(base_url, href)
        text = " ".join(t.strip() for t in a.itertext() if t.strip())
        title = a.get("title")
        row = next((e for e in a.iterancestors() if e.tag in _ROW_TAGS), None)
        date = None
        if row is not None:
            if row not in row_dates:
                row_dates[row] = find_date(" ".join(row.itertext()))
            date = row_dates[row]
        if date is None:  # <td>link</td><td>2025-01-22</td>: the table row, when it holds this link alone
            tr = next((e for e in a.iterancestors("tr")), None)
            if tr is not None:
                if tr not in tr_dates:
                    alone = sum(1 for x in tr.iter("a") if x.get("href") is not None) == 1
                    tr_dates[tr] = find_date(" ".join(tr.itertext())) if alone else None
                date = tr_dates[tr]
        if date is None:
            sibling = a.getnext()
            while sibling is not None and not isinstance(sibling.tag, str):  # comments: not elements
                sibling = sibling.getnext()
            if sibling is not None:
                date = find_date(" ".join(sibling.itertext()))
        out.append(Link(url=url.split("#")[0], text=text, title=title, date=date))
    return out


def selector_for(response) -> Selector:
    return Selector(text=response.text, type="html")


class CmsFamily(ABC):
    """One CMS family (a platform many county sites run), registered by subclassing.

    To add a family, write one module in ``spiders/cms/`` (it is imported automatically)
    with a subclass that sets:

    ``name``        the registry's ``cms`` value for sites of this family (unique);

    and overrides:

    ``matches(response)``     required: True when the family's markers are on the page
                              (the spider then applies it besides the configured one);
    ``extra_links(response)`` links the page hides in scripts or XML (default: none);
    ``pagination(response, cap_pages)`` absolute URLs of the listing's other pages, at most
                              ``cap_pages`` of them (default: none);
    ``request_kwargs(url)``   extra ``Request`` arguments for a page URL it produced, e.g. a
                              POST body (default: none);
    ``is_attachment_url(url)`` whether a URL is a document download (default: a document
                              file extension).

    ``fallback = True`` marks the family applied to every page after the others (generic).
    Each hook is pure: a response in, links out. Add a saved page under
    ``tests/files/spiders/`` and its test in ``tests/test_spiders_families.py``.
    """

    name: ClassVar[str]
    fallback: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            return  # an intermediate base, not a family
        if name in _REGISTRY:
            raise ValueError(f"two CMS families named {name!r}: {type(_REGISTRY[name]).__name__}, {cls.__name__}")
        _REGISTRY[name] = cls()

    @abstractmethod
    def matches(self, response) -> bool:
        """True when the page carries this family's markers."""

    def extra_links(self, response) -> list[Link]:
        return []

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        """URLs of the listing's other pages (absolute, may include ones already seen)."""
        return []

    def request_kwargs(self, url: str) -> dict:
        """Extra ``Request`` arguments for a page URL this family produced (e.g. a POST body)."""
        return {}

    def is_attachment_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return bool(_ATTACHMENT_PATH.search(path))

    def is_attachment(self, link: Link) -> bool:
        return self.is_attachment_url(link.url) or bool(_ATTACHMENT_TEXT.search(link.text or ""))


_REGISTRY: dict[str, CmsFamily] = {}


def registered() -> dict[str, CmsFamily]:
    """Every registered family by name (importing ``spiders.cms`` registers them all)."""
    return dict(_REGISTRY)
