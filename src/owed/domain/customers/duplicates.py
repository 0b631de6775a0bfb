"""Likely duplicate customer names, found without comparing all pairs.

Names are compared after ``normalize_name`` with rapidfuzz
``token_sort_ratio`` (word order does not matter). Comparing all pairs of
50,000 names is 1.25 billion comparisons, so names are *blocked*:

1. Every name goes into the block of the first ``prefix_length`` characters
   of its normalized form; every pair inside a block is scored.
2. To catch reordered words ("Smith Jones" / "Jones Smith"), names are
   blocked again on the prefix of their words sorted alphabetically. In
   this pass only pairs involving a name whose words were not already in
   order are scored: two names already in order met in the first pass.
3. A block larger than ``max_block`` is split on a prefix two characters
   longer, as often as needed.
4. Inside a block, names are sorted by length and each is scored only
   against names whose length allows the threshold at all
   (``ratio ≤ 200 × shorter / (shorter + longer)``), in C through
   ``rapidfuzz.process.extract``.

What this misses, by design: two names whose normalized forms differ within
the first ``prefix_length`` characters (in both passes), such as a typo in
the first letters, and, after a split, a name shorter than the longer prefix
against longer names.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Final

from rapidfuzz import fuzz, process

from owed.domain.errors import InvalidInput

# Legal-form words stripped from the end of a name (after dots are removed: "S.A." → "sa").
_SUFFIX_WORDS: Final = """inc incorporated llc llp lp ltd limited plc corp corporation co company
    gmbh mbh ag kg ohg ug ev sa sas sarl srl spa sl bv nv as oy ab aps asa pty pte
    kk kft zrt sro spzoo pvt"""
LEGAL_SUFFIXES: Final = frozenset(_SUFFIX_WORDS.split())
_STOPWORDS: Final = frozenset({"the", "and"})
_DROPPED: Final = re.compile(r"[.'’/]")
_WORD: Final = re.compile(r"[a-z0-9]+")
_SLACK: Final = 1e-9  # float tolerance on the length bound; never excludes a real match


def normalize_name(name: str) -> str:
    """The name as duplicates are compared: ``"Acme, Inc."`` and ``"ACME Inc"`` → ``"acme"``.

    Accents are folded (ü → u), case is folded, ``&`` reads as "and", "the"
    and "and" are dropped, and legal-form words are stripped from the end
    (never the last remaining word).
    """
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = _DROPPED.sub("", name.casefold().replace("&", " and "))
    tokens = [token for token in _WORD.findall(text) if token not in _STOPWORDS]
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


def similar_name_pairs(
    names: Sequence[str], *, threshold: float, prefix_length: int, max_block: int
) -> dict[tuple[int, int], float]:
    """Pairs ``(i, j)``, ``i < j``, of positions whose names score ≥ ``threshold`` (0–100)."""
    if not 0 < threshold <= 100 or prefix_length < 1 or max_block < 2:
        raise InvalidInput(
            "name duplicates need 0 < threshold <= 100, prefix_length >= 1, max_block >= 2"
        )
    normalized = [normalize_name(name) for name in names]
    in_order = [" ".join(sorted(name.split())) for name in normalized]
    movers = {i for i, (a, b) in enumerate(zip(normalized, in_order, strict=True)) if a != b}
    scores: dict[tuple[int, int], float] = {}
    everyone = [i for i, name in enumerate(normalized) if name]
    for block in _blocks(normalized, everyone, prefix_length, max_block):
        _score(block, in_order, threshold, scores, only=None)
    for block in _blocks(in_order, everyone, prefix_length, max_block):
        if any(i in movers for i in block):
            _score(block, in_order, threshold, scores, only=movers)
    return scores


def _blocks(
    keys: Sequence[str], members: list[int], prefix_length: int, max_block: int
) -> Iterator[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index in members:
        groups[keys[index][:prefix_length]].append(index)
    for group in groups.values():
        if len(group) > max_block and any(len(keys[i]) > prefix_length for i in group):
            yield from _blocks(keys, group, prefix_length + 2, max_block)
        elif len(group) > 1:
            yield group


def _score(
    block: list[int],
    texts: Sequence[str],
    threshold: float,
    scores: dict[tuple[int, int], float],
    only: set[int] | None,
) -> None:
    """Score pairs in ``block`` (all of them, or those involving a member of ``only``)."""
    ordered = sorted(block, key=lambda i: len(texts[i]))
    lengths = [len(texts[i]) for i in ordered]
    choices = [texts[i] for i in ordered]
    widest = (200 - threshold) / threshold  # longest / shortest that can still reach threshold
    for position, index in enumerate(ordered):
        if only is not None and index not in only:
            continue
        low = (
            position + 1
            if only is None
            else bisect_left(lengths, lengths[position] / widest - _SLACK)
        )
        high = bisect_right(lengths, lengths[position] * widest + _SLACK)
        for _, score, offset in process.extract(
            choices[position],
            choices[low:high],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=threshold,
            limit=None,
        ):
            other = ordered[low + offset]
            if other != index:
                scores[(min(index, other), max(index, other))] = score
