"""Postcodes to LSOA 2021 codes through the ONS postcode lookup the authority downloads.

The contracts never carry a postcode (a full postcode with a date of birth picks out a child;
docs/CONVENTIONS.md, "Identifiers"): intake replaces the home postcode of a return by the
Lower layer Super Output Area (2021) it lies in, the area the indicators and deprivation
deciles are built on, and keeps nothing of the postcode.

Two ONS products are read, each as ONS publishes it (a CSV), recognised by its header (names
compared case-insensitively, as ONS has printed them in capitals and in lower case):

- the **Postcode to Output Area to Lower layer Super Output Area to Middle layer Super Output
  Area to Local Authority District (2021 Census areas) best-fit lookup in the UK** (ONS Open
  Geography Portal, "PCD_OA21_LSOA21_MSOA21_LAD"), whose fields are PCD7, PCD8, PCDS, DOINTR,
  DOTERM, USERTYPE, OA21CD, LSOA21CD, MSOA21CD, LADCD and the names; matched on ``pcds``, code
  from ``lsoa21cd``;
- the **ONS Postcode Directory (ONSPD)** or the **National Statistics Postcode Lookup (NSPL)**,
  2021 Census editions, with ``pcd``, ``pcd2``, ``pcds``, ``dointr``, ``doterm`` and the LSOA
  2021 code in ``lsoa21`` (or ``lsoa21cd``); matched on ``pcds``. An edition that names its
  postcodes ``pcd7``/``pcd8`` and its LSOA ``lsoa21cd`` has the best-fit lookup's columns and
  is read as it.

Terminated postcodes (a ``doterm``) are kept: both products keep them, with the area they had,
so that an old record, or a child whose family has not moved since their postcode was retired,
still finds its LSOA. Only the postcode and LSOA columns are read, as text.

A postcode is matched on its normalised form (:func:`normalise_postcode`); one the lookup
lacks, or an empty one, has no LSOA (``pd.NA``), which completeness counts as an unknown LSOA.
No message names a postcode, nor quotes a header: a file without its header would have a
record in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tip_pipeline import config
from tip_pipeline.errors import ValueFreeError

#: ONS files carry names in Welsh and accented place names whose encoding has varied between
#: editions (UTF-8 with a byte-order mark, or Windows-1252); only ASCII code columns are used,
#: so an undecodable byte elsewhere in a line is replaced rather than refusing the file.
ENCODING = "utf-8-sig"


class LookupFileError(ValueFreeError):
    """The postcode lookup is not set, missing, empty or of no known layout. The message names
    the file and the columns needed, never a value of the file."""


@dataclass(frozen=True)
class Layout:
    """One ONS product's columns: those that recognise it, the postcode it is matched on and
    where its LSOA 2021 code is (the first of ``lsoa`` that the file has)."""

    product: str
    recognised_by: tuple[str, ...]
    lsoa: tuple[str, ...]
    #: the local authority district's code, where the edition has one (the first present)
    la: tuple[str, ...] = ()
    postcode: str = "pcds"

    def la_column(self, header: set[str]) -> str | None:
        """The LA column of a file with this ``header`` (lower case), or None."""
        return next((column for column in self.la if column in header), None)

    def lsoa_column(self, header: set[str]) -> str | None:
        """The LSOA column of a file with this ``header`` (lower case), or None when the file
        is not of this layout."""
        if not set(self.recognised_by) <= header:
            return None
        return next((column for column in self.lsoa if column in header), None)

    def needs(self) -> str:
        """The columns it needs, for a message."""
        lsoa = " or ".join(self.lsoa)
        return f"{', '.join(self.recognised_by)} and {lsoa} ({self.product})"


BEST_FIT = Layout(
    product="ONS postcode to 2021 OA, LSOA, MSOA and LAD best-fit lookup",
    recognised_by=("pcd7", "pcd8", "pcds", "dointr", "doterm"),
    lsoa=("lsoa21cd",),
    la=("ladcd", "lad21cd", "lad22cd", "lad23cd", "lad24cd"),
)
DIRECTORY = Layout(
    product="ONS Postcode Directory or National Statistics Postcode Lookup",
    recognised_by=("pcd", "pcd2", "pcds", "doterm"),
    lsoa=("lsoa21", "lsoa21cd"),
    # the current local authority district of the directory's edition
    la=("laua", "oslaua", "lad23cd", "lad24cd"),
)
#: the layouts read, in the order they are tried
LAYOUTS = (BEST_FIT, DIRECTORY)


#: every character Python counts as whitespace (``str.isspace``: what ``\s`` matches in
#: Python's ``re``), as a class for Arrow's regular expressions (RE2, whose ``\s`` is ASCII
#: only); a test checks it against Python's
SPACES = (
    r"[\x{09}-\x{0D}\x{1C}-\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}"
    r"\x{202F}\x{205F}\x{3000}]+"
)


def normalise_postcode(values: pd.Series) -> pd.Series:
    r"""Postcodes as they are matched: upper case with every space removed, so ``ls9 8ab``,
    ``LS98AB`` and `` LS9  8AB `` are one postcode (the lookup's PCD7, PCD8 and PCDS differ
    only in their spaces). Empty or missing gives ``pd.NA``; a ``string`` Series on the same
    index.

    Done by Arrow's kernels on one contiguous array: pandas hands a pattern with ``\s`` to
    Python's ``re`` one value at a time, which for a national lookup's 2.7 million postcodes
    took seconds and some 500 MB more at its peak (docs/PERFORMANCE.md). The plain space,
    the only one a postcode normally holds, is removed first by a literal replacement; the
    regular expression runs only when another space is left (0.24 + 0.13 s against 0.74 s
    for the national lookup; the same text either way, every space removed)."""
    upper = pc.utf8_upper(_arrow(values))
    text = pc.replace_substring(upper, pattern=" ", replacement="")
    if pc.any(pc.match_substring_regex(text, SPACES)).as_py():
        text = pc.replace_substring_regex(text, pattern=SPACES, replacement="")
    text = pd.Series(text.to_pandas(types_mapper=_as_string).array, index=values.index)
    return text.mask(text == "")


def lookup_path(path: Path | str | None) -> Path:
    """``path``, or the file named by ``TIP_POSTCODE_LOOKUP`` when ``path`` is None."""
    return config.POSTCODE_LOOKUP.path(
        path,
        lambda unset: LookupFileError(
            f"{unset}: intake needs the ONS postcode lookup CSV that the authority downloads"
        ),
    )


def _key(name: object) -> str:
    """A column name as the layouts name it: stripped, in lower case."""
    return str(name).strip().lower()


def _header_names(path: Path) -> list[str]:
    """The file's column names as pandas reads its header (a name repeated is given a
    suffix, ``name.1``)."""
    try:
        columns = pd.read_csv(
            path, nrows=0, dtype=str, encoding=ENCODING, encoding_errors="replace"
        ).columns
    except FileNotFoundError:
        raise LookupFileError(f"postcode lookup {path}: no such file") from None
    except pd.errors.EmptyDataError:
        raise LookupFileError(f"postcode lookup {path}: the file is empty") from None
    except OSError as error:  # a folder, no permission: named by the error's class only
        raise LookupFileError(
            f"postcode lookup {path}: cannot be read ({type(error).__name__})"
        ) from None
    return [str(column) for column in columns]


def _layout(path: Path, header: set[str]) -> tuple[Layout, str]:
    """The file's layout and its LSOA column, or a :class:`LookupFileError` naming what each
    layout needs (never the header found: it may be a record)."""
    for layout in LAYOUTS:
        lsoa = layout.lsoa_column(header)
        if lsoa is not None:
            return layout, lsoa
    needs = "; or ".join(layout.needs() for layout in LAYOUTS)
    raise LookupFileError(
        f"postcode lookup {path}: not an ONS postcode lookup of a known layout: it needs the "
        f"columns {needs}"
    )


def _columns(*wanted: str) -> Callable[[str], bool]:
    """A ``usecols`` callable keeping the ``wanted`` columns, whatever their case."""
    return lambda column: _key(column) in wanted


def _read_columns_pandas(path: Path, wanted: tuple[str, ...]) -> pd.DataFrame:
    """The ``wanted`` columns (named by :func:`_key`) of the lookup, as text, read by pandas:
    undecodable bytes replaced (``ENCODING``), an empty value empty, not missing."""
    frame = pd.read_csv(
        path,
        usecols=_columns(*wanted),
        dtype=str,
        keep_default_na=False,
        encoding=ENCODING,
        encoding_errors="replace",
    )
    frame.columns = [_key(column) for column in frame.columns]
    return frame


def _read_columns_arrow(
    path: Path, names: list[str], wanted: tuple[str, ...]
) -> pd.DataFrame | None:
    """The ``wanted`` columns of the lookup as :func:`_read_columns_pandas` reads them, by
    Arrow's CSV reader (``pyarrow.csv.read_csv``), or None when Arrow may not give pandas'
    answer, and pandas reads the file instead. Arrow converts only the columns read and makes
    no Python string per postcode: for the national lookup (2.7 million rows) 0.3 s and some
    100 MB, against pandas' 0.8 s and several hundred MB of Python strings (docs/PERFORMANCE.md,
    "Intake of an england-sized year").

    Arrow is given pandas' defaults: a comma, a double quote doubled inside a quoted value, a
    line break allowed inside one, blank lines skipped, an empty value empty (never null), a
    UTF-8 byte-order mark skipped; and pandas' own names of the header's columns (a repeated
    name suffixed, ``name.1``), the header line skipped. Where the readers would differ,
    Arrow fails and pandas reads: a byte that is not UTF-8 in a column read (pandas replaces
    it), a line with more or fewer fields than the header; or Arrow is not tried: a file not
    starting with its header (pandas skips blank lines before it), a wanted column not named
    once."""
    keys = [_key(name) for name in names]
    if any(keys.count(key) != 1 for key in wanted) or not _starts_with_header(path):
        return None
    columns = {key: names[keys.index(key)] for key in wanted}
    read = pacsv.ReadOptions(column_names=names, skip_rows=1)
    parse = pacsv.ParseOptions(newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        include_columns=list(columns.values()),
        column_types={name: pa.large_string() for name in columns.values()},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pacsv.read_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid:
        return None
    return pd.DataFrame(
        {
            key: pd.Series(table.column(name).to_pandas(types_mapper=_as_string).array)
            for key, name in columns.items()
        }
    )


def _starts_with_header(path: Path) -> bool:
    """Whether the file's first line, after a UTF-8 byte-order mark, is not blank: the line
    Arrow skips as the header is then the line pandas reads it from."""
    with path.open("rb") as stream:
        start = stream.read(4).removeprefix(b"\xef\xbb\xbf")
    return bool(start) and start[:1] not in (b"\r", b"\n")


class PostcodeLookup:
    """Postcode to LSOA 2021 code, from an ONS postcode lookup (see the module).

    Held as two Arrow arrays, matched by ``pyarrow.compute.index_in``: a national lookup has
    some 2.7 million postcodes, and a pandas Index of them built a hash table of as many
    Python strings on its first match (about 270 MB more, when the lookup was already the
    larger part of intake's peak memory; docs/PERFORMANCE.md, "Intake of an england-sized
    year")."""

    def __init__(self, keys: pa.Array, codes: pa.Array, las: pa.Array | None = None) -> None:
        """``keys``: normalised postcodes, each once, none missing; ``codes``: their LSOA codes
        (strings, null when the lookup gives none), aligned; ``las``: their local authority
        districts, aligned, where the lookup has them."""
        self._keys = keys
        self._codes = codes
        self._las = las

    @property
    def has_la(self) -> bool:
        """Whether the lookup gives each postcode's local authority (for PL_LA)."""
        return self._las is not None

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def from_csv(cls, path: Path | str | None = None) -> PostcodeLookup:
        """The lookup in the ONS CSV at ``path`` (by default the file named by
        ``TIP_POSTCODE_LOOKUP``), of either layout; terminated postcodes included."""
        source = lookup_path(path)
        names = _header_names(source)
        header = {_key(name) for name in names}
        layout, lsoa = _layout(source, header)
        la = layout.la_column(header)
        wanted = (layout.postcode, lsoa, *([la] if la else []))
        frame = _read_columns_arrow(source, names, wanted)
        if frame is None:
            frame = _read_columns_pandas(source, wanted)
        lookup = cls.from_columns(frame[layout.postcode], frame[lsoa], frame[la] if la else None)
        del frame
        return_freed_memory()
        return lookup

    @classmethod
    def from_columns(
        cls, postcodes: pd.Series, lsoas: pd.Series, las: pd.Series | None = None
    ) -> PostcodeLookup:
        """The lookup of aligned columns. A postcode written twice keeps its first listing
        (ONS lists each postcode once); an empty code is missing."""
        keys = normalise_postcode(postcodes)
        kept = keys.notna().to_numpy()
        keys_kept = _arrow(keys[kept])
        codes, las_kept = (
            _arrow(_codes(lsoas)[kept]),
            None if las is None else _arrow(_codes(las)[kept]),
        )
        if _each_once(keys_kept):  # as ONS lists them
            return cls(keys_kept, codes, las_kept)
        first = pc.index_in(keys_kept, value_set=keys_kept).to_numpy()
        once = pa.array(first == np.arange(len(first)))  # each postcode's first listing
        return cls(
            keys_kept.filter(once),
            codes.filter(once),
            None if las_kept is None else las_kept.filter(once),
        )

    def lsoa(self, postcodes: pd.Series) -> pd.Series:
        """The LSOA 2021 code of each postcode (a ``string`` Series on the same index),
        ``pd.NA`` for a postcode the lookup lacks or an empty one."""
        return self._take(self._codes, postcodes)

    def la(self, postcodes: pd.Series) -> pd.Series:
        """The local authority district of each postcode, as :meth:`lsoa` gives the LSOA; all
        missing when the lookup has no LA column."""
        if self._las is None:
            return pd.Series(pd.NA, index=postcodes.index, dtype="string")
        return self._take(self._las, postcodes)

    def _take(self, codes: pa.Array, postcodes: pd.Series) -> pd.Series:
        keys = _arrow(normalise_postcode(postcodes))
        taken = codes.take(positions_in(keys, self._keys)).to_pandas(types_mapper=_as_string)
        return pd.Series(taken.array, index=postcodes.index, dtype="string")


def _each_once(values: pa.Array) -> bool:
    """Whether no value is listed twice: sorted, no two neighbours equal. A hash table of the
    national lookup's 2.7 million postcodes (``pc.unique`` or ``pc.index_in``) takes some
    230 MB while it is built, the sort some 70 MB and less time (0.2 s against 0.45 s)."""
    ordered = values.take(pc.sort_indices(values))
    return not pc.any(pc.equal(ordered[1:], ordered[:-1])).as_py()


def positions_in(queries: pa.Array, keys: pa.Array) -> pa.Array:
    """The position in ``keys`` (distinct, none null) of each of ``queries``; null where a
    query is null or not a key. The answer of ``pc.index_in(queries, value_set=keys,
    skip_nulls=True)``, found the other way round: the lookup's keys looked up among the
    queries' distinct values. ``index_in`` builds a hash table of its value set, which for a
    national lookup is 2.7 million postcodes on every call (some 0.4 s), where a table's
    distinct postcodes are some tens of thousands."""
    distinct = pc.unique(queries).drop_null()
    if not len(distinct):
        return pa.nulls(len(queries), type=pa.int64())
    at_query = pc.index_in(keys, value_set=distinct)  # each key's place among the queries
    matched = at_query.is_valid().to_numpy(zero_copy_only=False)
    key_of_distinct = np.full(len(distinct), -1, dtype=np.int64)
    key_of_distinct[at_query.drop_null().to_numpy()] = np.flatnonzero(matched)
    query_at = pc.index_in(queries, value_set=distinct, skip_nulls=True)
    valid = query_at.is_valid().to_numpy(zero_copy_only=False)
    positions = key_of_distinct[query_at.fill_null(0).to_numpy()]
    return pa.array(positions, mask=~valid | (positions < 0), type=pa.int64())


def return_freed_memory() -> None:
    """Hand the memory Arrow's allocator holds freed back to the operating system. Reading
    and normalising the national lookup passes some 500 MB through Arrow's arrays, which its
    allocator (mimalloc) keeps once freed: the process then held 629 MiB for a lookup of 112
    MiB, 278 MiB after this (docs/PERFORMANCE.md, "Intake of an england-sized year"). Once
    per lookup, and once when intake lets the lookup go: Arrow advises against calling it
    often (``MemoryPool.release_unused``)."""
    pa.default_memory_pool().release_unused()


def _codes(values: pd.Series) -> pd.Series:
    """Area codes as ``string``, trimmed, an empty one missing."""
    codes = values.astype("string").str.strip()
    return codes.mask(codes == "")


def _arrow(values: pd.Series) -> pa.Array:
    """A text Series as one contiguous Arrow string array (missing values null)."""
    array = pa.array(values.astype("string").array, type=pa.large_string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _as_string(arrow_type: pa.DataType) -> pd.StringDtype | None:
    """Arrow strings as pandas ``string`` (missing as ``pd.NA``)."""
    return pd.StringDtype() if pa.types.is_large_string(arrow_type) else None
