"""Clustering: records joined by decisions, exact rules and strong probabilistic pairs.

Edges are taken strongest first (a reviewer's "match", then exact rules, then probabilistic pairs
by match weight, ties by record position so the result is deterministic) into a union-find that

* never joins two clusters holding a pair a reviewer marked "no_match" (cannot-link), and
* never joins two multi-record clusters through a single weak link: when both sides already
  have several records, the merge needs enough support from all the scored pairs between them
  (average-linkage over match probabilities, unscored pairs counting as non-matches).

Two single records (the great majority of merges) join on their own edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Edges:
    """Scored pairs between record positions, left < right."""

    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray        # strength for ordering (match weight; +inf for forced edges)
    probability: np.ndarray   # match probability (1.0 for exact rules and decisions)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n
        self.cannot: dict[int, set[int]] = {}
        self.members: dict[int, list[int]] = {}

    def group(self, root: int) -> list[int]:
        return self.members.get(root) or [root]

    def find(self, a: int) -> int:
        parent = self.parent
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    def forbid(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        self.cannot.setdefault(ra, set()).add(rb)
        self.cannot.setdefault(rb, set()).add(ra)

    def blocked(self, ra: int, rb: int) -> bool:
        return rb in self.cannot.get(ra, ())

    def union(self, ra: int, rb: int) -> int:
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.members.setdefault(ra, [ra]).extend(self.members.pop(rb, [rb]))
        moved = self.cannot.pop(rb, None)
        if moved:
            mine = self.cannot.setdefault(ra, set())
            for other in moved:
                peers = self.cannot[other]
                peers.discard(rb)
                peers.add(ra)
                mine.add(other)
        return ra


def cluster(
    n: int, forced: Edges, scored: Edges, *, match_probability: float, cannot_link: tuple[np.ndarray, np.ndarray],
    min_support: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster n records. `forced` edges (decisions, exact rules) are taken in the order given;
    `scored` pairs (all scored candidates, any probability) join when >= match_probability.

    Returns (label per record = smallest position in its cluster, accepted mask over forced,
    accepted mask over scored)."""
    uf = _UnionFind(n)
    for a, b in zip(cannot_link[0].tolist(), cannot_link[1].tolist()):
        uf.forbid(a, b)

    forced_ok = np.zeros(len(forced.left), dtype=bool)
    for i, (a, b) in enumerate(zip(forced.left.tolist(), forced.right.tolist())):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            forced_ok[i] = True
        elif not uf.blocked(ra, rb):
            uf.union(ra, rb)
            forced_ok[i] = True

    # evidence between any two records from every scored pair, for the support test
    evidence: dict[tuple[int, int], float] = {}
    strong = scored.probability >= match_probability
    order = np.lexsort((scored.right, scored.left, -scored.weight))
    order = order[strong[order]]
    if len(order):
        for a, b, p in zip(scored.left.tolist(), scored.right.tolist(), scored.probability.tolist()):
            evidence[(a, b)] = p
    scored_ok = np.zeros(len(scored.left), dtype=bool)
    for i in order.tolist():
        a, b = int(scored.left[i]), int(scored.right[i])
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            scored_ok[i] = True
            continue
        if uf.blocked(ra, rb):
            continue
        if uf.size[ra] > 1 and uf.size[rb] > 1:
            ga, gb = uf.group(ra), uf.group(rb)
            total = 0.0
            for x in ga:
                for y in gb:
                    total += evidence.get((x, y) if x < y else (y, x), 0.0)
            if total / (len(ga) * len(gb)) < min_support:
                continue
        uf.union(ra, rb)
        scored_ok[i] = True

    roots = np.fromiter((uf.find(i) for i in range(n)), dtype=np.int64, count=n)
    labels = pd.Series(np.arange(n)).groupby(roots).transform("min").to_numpy()
    return labels, forced_ok, scored_ok
