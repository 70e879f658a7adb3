"""The agency registry: stable ids, canonical names, aliases and name resolution.

Id scheme (see "Mã đơn vị" in ``docs/nhap-bao-cao.md``):

- department (one per numbered row of group A): ``slug`` of the full name with the
  published abbreviations expanded — ``so-du-lich``,
  ``so-lao-dong-thuong-binh-va-xa-hoi``, ``ban-quan-ly-khu-kinh-te-van-phong``;
  row 18 "Sở Tài nguyên &MT và VPĐKĐĐ" is the department ``so-tai-nguyen-va-moi-truong``;
- its sub-units: ``so-tai-nguyen-va-moi-truong-co-quan`` (the "-" row for the department's
  own office), ``vpdkdd`` (the "-" row "Khối Văn phòng ĐKĐĐ"), ``vpdkdd-tinh`` and
  ``vpdkdd-<place>`` (the "+" rows: the provincial office and its branches);
- district: ``slug`` of the published name — ``ubnd-huyen-cam-lam``,
  ``ubnd-thanh-pho-nha-trang``;
- commune: ``<district place>-<unit>`` — ``cam-lam-xa-cam-an-bac``,
  ``nha-trang-phuong-loc-tho`` (prefixed by the district so that equal names in two
  districts stay unique);
- task leads not in the dossier table: ``slug`` of the name — ``van-phong-ubnd-tinh``.

Names are matched through :func:`key`, the slug of the folded name, so accents, case,
``&``/``-``/spacing differences do not matter.

Examples
--------
>>> expand_abbreviations("Sở Lao động - TB&XH")
'Sở Lao động - Thương binh và Xã hội'
>>> key("Sở Lao động – Thương binh và Xã hội") == key("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from scoring.text import fold, slug, suggest

GROUPS = ("department", "district", "commune")

# Abbreviations used in Phụ lục 2 → words (longest first; applied on word boundaries).
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("CNVPĐKĐĐ", "Chi nhánh Văn phòng Đăng ký đất đai"),
    ("VPĐKĐĐ", "Văn phòng Đăng ký đất đai"),
    ("ĐKĐĐ", "Đăng ký đất đai"),
    ("TB&XH", "Thương binh và Xã hội"),
    ("PTNT", "Phát triển nông thôn"),
    ("&MT", "và Môi trường"),
    ("BQL", "Ban Quản lý"),
)

# Usual short forms of department names, keyed by the department id.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "ban-quan-ly-khu-kinh-te-van-phong": ("BQL KKT Vân Phong",),
    "so-giao-duc-va-dao-tao": ("Sở GD&ĐT",),
    "so-giao-thong-van-tai": ("Sở GTVT",),
    "so-ke-hoach-va-dau-tu": ("Sở KH&ĐT", "Sở KHĐT"),
    "so-khoa-hoc-va-cong-nghe": ("Sở KH&CN", "Sở KHCN"),
    "so-lao-dong-thuong-binh-va-xa-hoi": ("Sở LĐ-TB&XH", "Sở LĐTBXH"),
    "so-nong-nghiep-va-phat-trien-nong-thon": ("Sở NN&PTNT", "Sở NNPTNT"),
    "so-thong-tin-va-truyen-thong": ("Sở TT&TT", "Sở TTTT"),
    "so-van-hoa-va-the-thao": ("Sở VH&TT",),
    "so-tai-nguyen-va-moi-truong": ("Sở TN&MT", "Sở TNMT"),
}

# Organisation words that open the name of a provincial body (used to recognise a
# task lead that is not in the dossier table).
ORG_WORDS = ("Sở", "Ban", "Văn phòng", "Thanh tra", "Công an", "Trung tâm", "Bộ Chỉ huy",
             "UBND", "Ủy ban")


def key(name: str) -> str:
    """Matching key of a name: accent-, case- and punctuation-insensitive.

    Examples
    --------
    >>> key("UBND Xã Diên Điền")
    'ubnd-xa-dien-dien'
    """
    return slug(name)


def expand_abbreviations(label: str) -> str:
    """Replace the abbreviations of the published tables by the words they stand for."""
    text = label
    for short, long in ABBREVIATIONS:
        text = re.sub(rf"(?<![\wĐđ]){re.escape(short)}(?![\wĐđ])", long, text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Agency:
    """One unit of the registry (a row of ``agencies.csv``)."""

    agency_id: str
    name: str
    group: str
    parent_id: str = ""
    aliases: tuple[str, ...] = ()
    ranked: bool = True
    kind: str = ""
    source_line: int | None = None

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"{self.agency_id}: group {self.group!r} not in {GROUPS}")
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", self.agency_id):
            raise ValueError(f"agency id {self.agency_id!r} is not an ASCII slug")

    def names(self) -> Iterator[str]:
        """The name and every alias."""
        yield self.name
        yield from self.aliases

    def replace(self, **changes: object) -> Agency:
        """Return a copy with some attributes changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _fold_char(ch: str) -> str:
    """Fold one character to exactly one character (keeps offsets aligned)."""
    if ch.isspace():
        return " "
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def fold_aligned(text: str) -> str:
    """Like :func:`scoring.text.fold` but character for character (same length as text).

    Examples
    --------
    >>> fold_aligned("Sở Nội vụ")
    'so noi vu'
    """
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Mention:
    """An agency named in a text: where, which agency, as written."""

    start: int
    end: int
    agency_id: str
    text: str


@dataclass
class AgencyRegistry:
    """The agencies of a dataset in file order, with name resolution.

    Examples
    --------
    >>> reg = AgencyRegistry()
    >>> reg.add(Agency("so-du-lich", "Sở Du lịch", "department"))
    >>> reg.resolve("SO DU LICH")
    'so-du-lich'
    >>> [m.agency_id for m in reg.mentions("Sở Du lịch chủ trì, phối hợp Sở Nội vụ")]
    ['so-du-lich']
    """

    agencies: list[Agency] = field(default_factory=list)
    _by_id: dict[str, Agency] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict)
    _shared: dict[str, set[str]] = field(default_factory=dict)
    _spelled: dict[str, str] = field(default_factory=dict)
    _pattern_cache: tuple | None = field(default=None, repr=False)

    def _claim(self, name: str, agency_id: str) -> None:
        k = key(name)
        self._spelled.setdefault(k, name)
        if k in self._shared:
            self._shared[k].add(agency_id)
            return
        owner = self._by_key.get(k)
        if owner is None or owner == agency_id:
            self._by_key[k] = agency_id
            return
        if k in {key(i) for i in (owner, agency_id)}:
            return  # an id always resolves to its agency
        del self._by_key[k]
        self._shared[k] = {owner, agency_id}

    def add(self, agency: Agency) -> None:
        """Add an agency. Its id must be new; a name or alias that already names another
        agency becomes ambiguous: it then resolves to nothing (see :meth:`shared_names`).

        Raises
        ------
        ValueError
            Duplicate id.
        """
        if agency.agency_id in self._by_id:
            raise ValueError(f"duplicate agency id {agency.agency_id!r}")
        self.agencies.append(agency)
        self._by_id[agency.agency_id] = agency
        self._by_key[key(agency.agency_id)] = agency.agency_id
        for name in agency.names():
            self._claim(name, agency.agency_id)

    def owner(self, name: str) -> str | None:
        """The agency id a name (or id) already belongs to, if any (and unambiguous)."""
        return self._by_key.get(key(name))

    def shared_names(self) -> dict[str, tuple[str, ...]]:
        """Names (as first spelled) that name several agencies → those agency ids."""
        return {self._spelled[k]: tuple(sorted(ids)) for k, ids in sorted(self._shared.items())}

    def add_alias(self, agency_id: str, alias: str) -> None:
        """Give an agency one more alias (ambiguous if another agency has that name)."""
        agency = self._by_id[agency_id]
        if key(alias) in {key(n) for n in agency.names()}:
            return
        updated = agency.replace(aliases=agency.aliases + (alias,))
        self.agencies[self.agencies.index(agency)] = updated
        self._by_id[agency_id] = updated
        self._claim(alias, agency_id)

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id

    def __getitem__(self, agency_id: str) -> Agency:
        return self._by_id[agency_id]

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def resolve(self, name: str) -> str | None:
        """The id of the agency with this id, name or alias (accent/case-insensitive)."""
        return self._by_key.get(key(name))

    def _patterns(self) -> list[tuple[re.Pattern[str], str]]:
        """Compiled name patterns, longest first (rebuilt when the registry changed)."""
        stamp = (len(self.agencies), len(self._by_key), len(self._shared))
        if self._pattern_cache is not None and self._pattern_cache[0] == stamp:
            return self._pattern_cache[1]
        names: list[tuple[str, str]] = []
        for agency in self.agencies:
            for name in agency.names():
                f = fold(name)
                if len(f) >= 4 and key(name) not in self._shared:
                    names.append((f, agency.agency_id))
        names.sort(key=lambda p: (-len(p[0]), p[0]))
        patterns = [(re.compile(r"(?<![\w])" + r"\s+".join(re.escape(w) for w in f.split())
                                + r"(?![\w])"), agency_id) for f, agency_id in names]
        self._pattern_cache = (stamp, patterns)
        return patterns

    def mentions(self, text: str) -> list[Mention]:
        """Agencies named in ``text``, longest names first, non-overlapping, in order."""
        folded = fold_aligned(text)
        taken: list[tuple[int, int]] = []
        found: list[Mention] = []
        for pattern, agency_id in self._patterns():
            for m in pattern.finditer(folded):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append(Mention(m.start(), m.end(), agency_id, text[m.start():m.end()]))
        return sorted(found, key=lambda m: m.start)

    def ids(self) -> list[str]:
        """Every agency id, in file order."""
        return [a.agency_id for a in self.agencies]


def suggest_ids(registry: AgencyRegistry, query: str) -> list[str]:
    """Close agency names/ids to a query that resolved to nothing (for error messages)."""
    pool: dict[str, str] = {}
    for agency in registry:
        for name in (agency.agency_id, *agency.names()):
            pool.setdefault(name, agency.agency_id)
    hits = suggest(query, list(pool), n=3)
    out: list[str] = []
    for h in hits:
        if pool[h] not in out:
            out.append(pool[h])
    return out
