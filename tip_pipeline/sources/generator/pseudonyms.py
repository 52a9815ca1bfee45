"""Pseudonymised child ids: the first 16 hex digits of SHA-256(salt + internal id), with the salt
derived from the seed, so one child has one id in every extract (docs/DOMAIN.md, "Extracts are
anonymised before they arrive") and nothing about the internal numbering leaks. The form is the
contracts' declared pseudonym form (``contracts.PSEUDONYM_FORMAT``: 16 lower-case hex digits
here), which the identifier guard enforces on every pseudonymised id column.

Ids are computed once for every child who appears in any extract and kept as a compact sorted
table (16 bytes per child, not a Python dict: millions of children at england scale).

Social workers (SSDA903's SW_ID) have pseudonyms of the same form from a salt of their own
(:class:`StaffPseudonyms`), so a worker's never equals a child's.
"""

from __future__ import annotations

import hashlib

import numpy as np


class Pseudonyms:
    def __init__(self, seed: int) -> None:
        self._salt = hashlib.sha256(f"tip-pseudonym-salt|{seed}".encode()).hexdigest()
        self._known = np.empty(0, dtype=np.int64)
        self._ids = np.empty(0, dtype="S16")

    def one(self, child: int) -> str:
        return hashlib.sha256(f"{self._salt}{child}".encode()).hexdigest()[:16]

    def prepare(self, children: np.ndarray) -> None:
        """Hash every child who will appear (call once, before :meth:`of`)."""
        known = np.unique(np.concatenate([self._known, np.asarray(children, dtype=np.int64)]))
        self._ids = np.array([self.one(int(c)) for c in known], dtype="S16")
        self._known = known

    def of(self, children: np.ndarray) -> np.ndarray:
        children = np.asarray(children, dtype=np.int64)
        pos = np.searchsorted(self._known, children)
        found = pos < self._known.size
        found[found] = self._known[pos[found]] == children[found]
        if not found.all():
            self.prepare(children[~found])
            pos = np.searchsorted(self._known, children)
        return self._ids[pos].astype("U16").astype(object)


class StaffPseudonyms:
    """Pseudonymised social worker ids: the first 16 hex digits of SHA-256 of a staff salt
    (not the children's) and the worker's number in the pool."""

    def __init__(self, seed: int) -> None:
        self._salt = hashlib.sha256(f"tip-staff-pseudonym-salt|{seed}".encode()).hexdigest()

    def of(self, workers: np.ndarray) -> np.ndarray:
        return np.array(
            [hashlib.sha256(f"{self._salt}{int(w)}".encode()).hexdigest()[:16] for w in workers],
            dtype=object,
        )
