"""The report form's schema, loaded once from ``form.toml``.

Why data and not code: the form changes by State Council notice (2019, 2021, ...);
a new version must be a new block in one file, read by matching, checks, datasets
and docs alike (the IRSx approach: every printed line mapped onto one canonical
variable set).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

FORM_VERSIONS = ("2021", "2019")
TABLES = ("proactive", "requests", "appeals")


@dataclass(frozen=True)
class Item:
    """A row or column of a table: canonical key, printed label and its variants."""

    key: str
    label: str
    variants: tuple[str, ...] = ()
    group: str | None = None
    outcome: bool = False
    versions: tuple[str, ...] = FORM_VERSIONS
    kind: str = "count"
    unit: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True)
class Group:
    """A sub-table of 二 (one 第二十条第（X）项 block) in one form version."""

    caption: str
    versions: tuple[str, ...]
    rows: tuple[Item, ...]
    cols: tuple[Item, ...]


@dataclass(frozen=True)
class Table:
    key: str
    section: str
    title: str
    variants: tuple[str, ...]
    rows: tuple[Item, ...] = ()
    cols: tuple[Item, ...] = ()
    groups: tuple[Group, ...] = ()

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title, *self.variants)

    def rows_for(self, version: str) -> tuple[Item, ...]:
        if self.groups:
            seen: dict[str, Item] = {}
            for group in self.groups_for(version):
                for row in group.rows:
                    seen.setdefault(row.key, row)
            return tuple(seen.values())
        return tuple(r for r in self.rows if version in r.versions)

    def groups_for(self, version: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if version in g.versions)

    def cols_for(self, version: str, row: str | None = None) -> tuple[Item, ...]:
        if self.groups:
            cols: dict[str, Item] = {}
            for group in self.groups_for(version):
                if row is None or any(r.key == row for r in group.rows):
                    for col in group.cols:
                        cols.setdefault(col.key, col)
            return tuple(cols.values())
        return self.cols

    def cells_for(self, version: str) -> tuple[tuple[str, str], ...]:
        """Every (row, col) the version's form prints, in reading order."""
        if self.groups:
            return tuple(
                (r.key, c.key) for g in self.groups_for(version) for r in g.rows for c in g.cols
            )
        return tuple((r.key, c.key) for r in self.rows_for(version) for c in self.cols)

    def col(self, version: str, key: str) -> Item | None:
        return next((c for c in self.cols_for(version) if c.key == key), None)

    def outcome_rows(self, version: str) -> tuple[str, ...]:
        return tuple(r.key for r in self.rows_for(version) if r.outcome)


@dataclass(frozen=True)
class Identity:
    id: str
    table: str
    over: str  # "cols": one check per column; "rows": one check per row
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class FormSchema:
    tables: dict[str, Table] = field(default_factory=dict)
    identities: tuple[Identity, ...] = ()

    def __getitem__(self, key: str) -> Table:
        return self.tables[key]


def _item(raw: dict) -> Item:
    return Item(
        key=raw["key"],
        label=raw["label"],
        variants=tuple(raw.get("variants", ())),
        group=raw.get("group"),
        outcome=raw.get("outcome", False),
        versions=tuple(raw.get("versions", FORM_VERSIONS)),
        kind=raw.get("kind", "count"),
        unit=raw.get("unit"),
    )


@cache
def load_schema(path: Path | None = None) -> FormSchema:
    raw = tomllib.loads((path or Path(__file__).with_name("form.toml")).read_text("utf-8"))
    tables = {}
    for key, spec in raw["tables"].items():
        tables[key] = Table(
            key=key,
            section=spec["section"],
            title=spec["title"],
            variants=tuple(spec.get("variants", ())),
            rows=tuple(_item(r) for r in spec.get("rows", ())),
            cols=tuple(_item(c) for c in spec.get("cols", ())),
            groups=tuple(
                Group(
                    caption=g["caption"],
                    versions=tuple(g["versions"]),
                    rows=tuple(_item(r) for r in g["rows"]),
                    cols=tuple(_item(c) for c in g["cols"]),
                )
                for g in spec.get("groups", ())
            ),
        )
    identities = tuple(
        Identity(
            id=i["id"],
            table=i["table"],
            over=i["over"],
            lhs=tuple(i["lhs"]),
            rhs=tuple(i["rhs"]),
            rule=i["rule"],
        )
        for i in raw.get("identities", ())
    )
    return FormSchema(tables=tables, identities=identities)


SCHEMA = load_schema()
