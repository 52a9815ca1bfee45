"""Plausible, synthetic place names (fixed lists, so names do not change with the seed)."""

from __future__ import annotations

import numpy as np

#: Leeds' 33 wards (2024 names, public information).
LEEDS_WARDS = (
    "Adel & Wharfedale",
    "Alwoodley",
    "Ardsley & Robin Hood",
    "Armley",
    "Beeston & Holbeck",
    "Bramley & Stanningley",
    "Burmantofts & Richmond Hill",
    "Calverley & Farsley",
    "Chapel Allerton",
    "Cross Gates & Whinmoor",
    "Farnley & Wortley",
    "Garforth & Swillington",
    "Gipton & Harehills",
    "Guiseley & Rawdon",
    "Harewood",
    "Headingley & Hyde Park",
    "Horsforth",
    "Hunslet & Riverside",
    "Killingbeck & Seacroft",
    "Kippax & Methley",
    "Kirkstall",
    "Little London & Woodhouse",
    "Middleton Park",
    "Moortown",
    "Morley North",
    "Morley South",
    "Otley & Yeadon",
    "Pudsey",
    "Rothwell",
    "Roundhay",
    "Temple Newsam",
    "Weetwood",
    "Wetherby",
)

_PREFIXES = (
    "Ash",
    "Bar",
    "Brad",
    "Brom",
    "Carl",
    "Chester",
    "Dun",
    "Elm",
    "Fair",
    "Gates",
    "Hal",
    "Hart",
    "Kings",
    "Lang",
    "Mar",
    "Nor",
    "Oak",
    "Pen",
    "Queens",
    "Red",
    "Rother",
    "Stan",
    "Thorn",
    "Wal",
    "West",
    "Whit",
    "Wood",
    "Brack",
    "Crom",
    "Ever",
)
_SUFFIXES = ("ford", "ton", "by", "ley", "field", "bury", "ham", "wick", "combe", "mouth")
_WARD_WORDS = (
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Park",
    "Moor",
    "Hill",
    "Vale",
    "Bridge",
    "Green",
    "Heath",
    "Common",
    "Abbey",
    "Castle",
    "Church",
    "Meadows",
    "Riverside",
    "Valley",
    "Marsh",
    "Fields",
    "Grange",
    "Woodlands",
    "Priory",
    "Manor",
    "Dale",
    "Cross",
    "Lane",
    "Gate",
    "Rise",
    "Hall",
    "Mill",
    "Brook",
    "Edge",
    "Town",
    "Village",
    "Upper",
    "Lower",
    "Old",
    "New",
)


def la_names(n: int, exclude: set[str]) -> list[str]:
    """``n`` distinct town-like names (e.g. "Ashford", "Thornbury")."""
    pool = [p + s for p in _PREFIXES for s in _SUFFIXES if p + s not in exclude]
    order = np.random.default_rng(20_240_401).permutation(len(pool))
    return [pool[i] for i in order[:n]]


def ward_names(la_name: str, n: int) -> list[str]:
    if la_name == "Leeds" and n == len(LEEDS_WARDS):
        return list(LEEDS_WARDS)
    words = [f"{w}" for w in _WARD_WORDS]
    names = [f"{la_name} {words[i % len(words)]}" for i in range(n)]
    return [nm if i < len(words) else f"{nm} {i // len(words) + 1}" for i, nm in enumerate(names)]


def lsoa_names(la_name: str, n: int) -> list[str]:
    """ONS style: the LA name, a 3-digit MSOA number and a letter ("Leeds 012C")."""
    return [f"{la_name} {i // 5 + 1:03d}{'ABCDE'[i % 5]}" for i in range(n)]
