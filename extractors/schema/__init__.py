"""The report form's schema, loaded once from ``form.toml``.

Why data and not code: the form changes by State Council notice (2019, 2021, ...);
a new version must be a new block in one file, read by matching, checks, datasets
and docs alike (the IRSx approach: every printed line mapped onto one canonical
variable set, each version a row with its first and last year). The loader refuses
an item that does not say which versions print it: a silent "every version" default
would put a new version's rows into the old ones.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property, wraps
from pathlib import Path

LAYOUTS = ("groups", "rows", "column_groups")


_UNSEEN = object()


def _memoized(method):
    """A lookup of the frozen schema, made once per (positional) arguments: every report asks the same few hundred
    times, and the answers are tuples, safe to share."""
    name = method.__name__

    @wraps(method)
    def lookup(self, *args):
        key = (name, *args)
        found = self._memo.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._memo[key] = method(self, *args)
        return found

    return lookup


class SchemaError(ValueError):
    """form.toml contradicts itself: caught when the schema loads, not while reading a report."""


@dataclass(frozen=True)
class Markers:
    """Keys of one table that only one version prints: read as a row of numbers, or printed as a label."""

    rows: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Version:
    """One form version and the report years due on it (IRSx's version_start/version_end)."""

    id: str
    notice: str
    year_start: int
    year_end: int | None = None  # None: still in use
    markers: dict[str, Markers] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        return self.year_start <= year and (self.year_end is None or year <= self.year_end)

    def markers_for(self, table: str) -> Markers:
        return self.markers.get(table, Markers())


@dataclass(frozen=True)
class Item:
    """A row or column of a table: canonical key, printed label and its variants."""

    key: str
    label: str
    variants: tuple[str, ...] = ()
    group: str | None = None
    outcome: bool = False
    versions: tuple[str, ...] = ()
    kind: str = "count"
    unit: str | None = None
    optional: bool = False  # a row many documents of its version leave out: never reported missing

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
    layout: str  # one of LAYOUTS: how the form prints the table (form.toml explains each)
    rows: tuple[Item, ...] = ()
    cols: tuple[Item, ...] = ()
    groups: tuple[Group, ...] = ()
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title, *self.variants)

    @cached_property
    def versions(self) -> tuple[str, ...]:
        """The form versions that print this table at all, in the order they print its items."""
        items = (*self.rows, *self.cols, *(g for g in self.groups))
        return tuple(dict.fromkeys(v for item in items for v in item.versions))

    @cached_property
    def line_width(self) -> int:
        """The most values one printed line of the table carries."""
        if self.layout == "groups":
            return max(len(g.cols) for g in self.groups)
        if self.layout == "column_groups":
            return len(self.rows) * len(self.cols)
        return len(self.cols)

    @_memoized
    def rows_for(self, version: str) -> tuple[Item, ...]:
        if self.groups:
            seen: dict[str, Item] = {}
            for group in self.groups_for(version):
                for row in group.rows:
                    seen.setdefault(row.key, row)
            return tuple(seen.values())
        return tuple(r for r in self.rows if version in r.versions)

    @_memoized
    def groups_for(self, version: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if version in g.versions)

    @_memoized
    def cols_for(self, version: str, row: str | None = None) -> tuple[Item, ...]:
        if self.groups:
            cols: dict[str, Item] = {}
            for group in self.groups_for(version):
                if row is None or any(r.key == row for r in group.rows):
                    for col in group.cols:
                        cols.setdefault(col.key, col)
            return tuple(cols.values())
        return self.cols

    @_memoized
    def cells_for(self, version: str) -> tuple[tuple[str, str], ...]:
        """Every (row, col) the version's form prints, in reading order."""
        if self.groups:
            return tuple((r.key, c.key) for g in self.groups_for(version) for r in g.rows for c in g.cols)
        return tuple((r.key, c.key) for r in self.rows_for(version) for c in self.cols)

    @_memoized
    def common_cells(self, versions: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """The cells every one of ``versions`` prints, in the first one's order: all that is
        surely missing when a table's version cannot be told."""
        first, *others = (self.cells_for(v) for v in versions)
        return tuple(c for c in first if all(c in set(o) for o in others))

    @_memoized
    def col(self, version: str, key: str) -> Item | None:
        return next((c for c in self.cols_for(version) if c.key == key), None)

    @_memoized
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
class CellRef:
    """One cell a core value is made of; ``row`` ending in ``.*`` stands for every row under the prefix."""

    table: str
    row: str
    col: str

    def expand(self, table: Table, version: str) -> tuple[tuple[str, str, str], ...]:
        if not self.row.endswith(".*"):
            return ((self.table, self.row, self.col),)
        prefix = self.row[:-1]
        return tuple((self.table, r.key, self.col) for r in table.rows_for(version) if r.key.startswith(prefix))

    def __str__(self) -> str:
        return f"{self.table}:{self.row}:{self.col}"


@dataclass(frozen=True)
class FormSchema:
    versions: dict[str, Version] = field(default_factory=dict)  # newest first, as declared
    tables: dict[str, Table] = field(default_factory=dict)
    identities: tuple[Identity, ...] = ()
    core: dict[str, dict[str, tuple[CellRef, ...]]] = field(default_factory=dict)  # key → version → cells
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @_memoized
    def core_cells(self, key: str, version: str) -> tuple[tuple[str, str, str], ...] | None:
        """The (table, row, col) cells that make core ``key`` in ``version``, or None when it maps none."""
        refs = self.core.get(key, {}).get(version)
        if refs is None:
            return None
        return tuple(c for ref in refs for c in ref.expand(self.tables[ref.table], version))

    def __getitem__(self, key: str) -> Table:
        return self.tables[key]


def _versions_of(raw: dict, where: str, known: tuple[str, ...]) -> tuple[str, ...]:
    if "versions" not in raw:
        raise SchemaError(f"{where} does not say which form versions print it (versions = [...])")
    versions = tuple(raw["versions"])
    unknown = [v for v in versions if v not in known]
    if not versions or unknown:
        raise SchemaError(f"{where}: versions {list(versions)} must be among {list(known)}")
    return versions


def _item(raw: dict, where: str, known: tuple[str, ...], versions: tuple[str, ...] | None = None) -> Item:
    """An item; one inside a group is printed by the group's versions and says none itself."""
    where = f"{where} item {raw.get('key')!r}"
    if versions is not None and "versions" in raw:
        raise SchemaError(f"{where}: a group's items take the group's versions")
    return Item(
        key=raw["key"],
        label=raw["label"],
        variants=tuple(raw.get("variants", ())),
        group=raw.get("group"),
        outcome=raw.get("outcome", False),
        versions=versions if versions is not None else _versions_of(raw, where, known),
        kind=raw.get("kind", "count"),
        unit=raw.get("unit"),
        optional=raw.get("optional", False),
    )


def _version(raw: dict) -> Version:
    markers = {
        table: Markers(frozenset(m.get("rows", ())), frozenset(m.get("labels", ())))
        for table, m in raw.get("markers", {}).items()
    }
    return Version(raw["id"], raw["notice"], raw["year_start"], raw.get("year_end"), markers)


def _table(key: str, spec: dict, known: tuple[str, ...]) -> Table:
    where = f"tables.{key}"
    layout = spec["layout"]
    if layout not in LAYOUTS or (layout == "groups") != bool(spec.get("groups")):
        raise SchemaError(
            f"{where}: layout {layout!r} must be one of {LAYOUTS}, and 'groups' exactly when the table has groups"
        )
    groups = []
    for g in spec.get("groups", ()):
        versions = _versions_of(g, f"{where} group {g['caption']}", known)
        groups.append(
            Group(
                caption=g["caption"],
                versions=versions,
                rows=tuple(_item(r, where, known, versions) for r in g["rows"]),
                cols=tuple(_item(c, where, known, versions) for c in g["cols"]),
            )
        )
    return Table(
        key=key,
        section=spec["section"],
        title=spec["title"],
        variants=tuple(spec.get("variants", ())),
        layout=layout,
        rows=tuple(_item(r, where, known) for r in spec.get("rows", ())),
        cols=tuple(_item(c, where, known) for c in spec.get("cols", ())),
        groups=tuple(groups),
    )


def _core(raw: dict, versions: tuple[str, ...], tables: dict[str, Table]) -> dict[str, dict[str, tuple[CellRef, ...]]]:
    """[core.KEY] blocks: per version, the cells that make the key; every one must be a cell the version prints."""
    out: dict[str, dict[str, tuple[CellRef, ...]]] = {}
    for key, per_version in raw.items():
        out[key] = {}
        for version, refs in per_version.items():
            if version not in versions:
                raise SchemaError(f"core.{key}: no form version {version!r}")
            parsed = tuple(CellRef(*ref.split(":")) for ref in refs)
            for ref in parsed:
                table = tables.get(ref.table)
                cells = ref.expand(table, version) if table else ()
                if not cells or any((r, c) not in table.cells_for(version) for _, r, c in cells):
                    raise SchemaError(f"core.{key}.{version}: {ref} is not a cell the {version} form prints")
            out[key][version] = parsed
    return out


def _check_markers(schema: FormSchema) -> None:
    """A marker must be a key its version prints and no other version does, or it proves nothing."""
    for version in schema.versions.values():
        for table_key, markers in version.markers.items():
            table = schema.tables.get(table_key)
            if table is None:
                raise SchemaError(f"versions.{version.id}.markers: no table {table_key!r}")
            for key in markers.rows | markers.labels:
                printed_by = [v for v in schema.versions if key in _keys(table, v)]
                if printed_by != [version.id]:
                    raise SchemaError(f"versions.{version.id}.markers.{table_key}: {key!r} is printed by {printed_by}")


def _keys(table: Table, version: str) -> set[str]:
    return {r.key for r in table.rows_for(version)} | {c.key for c in table.cols_for(version) if version in c.versions}


@cache
def load_schema(path: Path | None = None) -> FormSchema:
    raw = tomllib.loads((path or Path(__file__).with_name("form.toml")).read_text("utf-8"))
    versions = {v["id"]: _version(v) for v in raw["versions"]}
    known = tuple(versions)
    tables = {key: _table(key, spec, known) for key, spec in raw["tables"].items()}
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
    schema = FormSchema(
        versions=versions, tables=tables, identities=identities, core=_core(raw.get("core", {}), known, tables)
    )
    _check_markers(schema)
    return schema


SCHEMA = load_schema()
FORM_VERSIONS: tuple[str, ...] = tuple(SCHEMA.versions)  # newest first
TABLES: tuple[str, ...] = tuple(SCHEMA.tables)
CORE_KEYS: tuple[str, ...] = tuple(SCHEMA.core)


def version_for_year(year: int | None) -> str | None:
    """The form version reports of ``year`` were due on, or None when no version covers it."""
    if year is None:
        return None
    return next((v.id for v in SCHEMA.versions.values() if v.covers(year)), None)
