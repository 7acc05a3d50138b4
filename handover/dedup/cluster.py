"""Clustering: records joined by decisions, exact rules and strong probabilistic pairs.

Edges are taken strongest first (a reviewer's "match", then exact rules, then probabilistic pairs
by match weight, ties by record position so the result is deterministic) into a union-find that

* never joins two clusters holding a pair a reviewer marked "no_match" (cannot-link), and
* never joins two multi-record clusters through a single weak link: when both sides already
  have more than one record, the merge needs enough support from all the pairs between them
  (average-linkage over match probabilities; pairs never scored, or failing the name gate, count
  as non-matches).

A single record (the great majority of merges) joins on its own edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Edges:
    """Scored pairs between record positions, left < right."""

    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray        # strength for ordering (match weight; +inf for forced edges)
    probability: np.ndarray   # match probability (1.0 for exact rules and decisions)


REFUSED_DECISION, REFUSED_WEAK_LINK = 1, 2
EVIDENCE_MIN = 0.3  # scored pairs at least this likely count in the support test; others count as 0


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n
        self.cannot: dict[int, set[int]] = {}
        self.members: dict[int, list[int]] = {}
        self._seeded: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def seed(self, labels: np.ndarray) -> None:
        """Start from components `labels` (smallest member as root); members are found lazily."""
        roots = _smallest(labels)
        self.parent = roots.tolist()
        self.size = np.bincount(labels)[labels].tolist()
        order = np.argsort(roots, kind="stable")
        starts = np.searchsorted(roots[order], np.arange(len(roots)))
        self._seeded = (order, starts, np.bincount(roots, minlength=len(roots)))

    def group(self, root: int) -> list[int]:
        if root in self.members:
            return self.members[root]
        if self._seeded is not None:
            order, starts, counts = self._seeded
            if counts[root] > 1:
                self.members[root] = order[starts[root]:starts[root] + counts[root]].tolist()
                return self.members[root]
        return [root]

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
        big = self.group(ra)
        if self.members.get(ra) is not big:
            self.members[ra] = big
        big.extend(self.group(rb))
        self.members.pop(rb, None)
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cluster n records. `forced` edges (decisions, exact rules) are taken in the order given;
    `scored` pairs (all scored candidates, any probability) join when >= match_probability.
    `min_support` 0 switches the weak-link test off.

    Returns (label per record = smallest position in its cluster, accepted mask over forced,
    accepted mask over scored, refusal per scored pair: REFUSED_DECISION where a reviewer's
    no_match stood between the clusters, REFUSED_WEAK_LINK where the support test failed, else 0)."""
    uf = _UnionFind(n)
    if len(cannot_link[0]) == 0 and len(forced.left):
        # nothing can refuse a forced edge: take them all at once (the common case, and fast)
        forced_ok = np.ones(len(forced.left), dtype=bool)
        uf.seed(_components(n, forced.left, forced.right))
    else:
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
    if len(order) and min_support > 0:  # weak pairs would add little to an average: left out, they count as 0
        some = scored.probability >= EVIDENCE_MIN
        for a, b, p in zip(scored.left[some].tolist(), scored.right[some].tolist(), scored.probability[some].tolist()):
            evidence[(a, b)] = p
    scored_ok = np.zeros(len(scored.left), dtype=bool)
    refused = np.zeros(len(scored.left), dtype=np.int8)
    for i in order.tolist():
        a, b = int(scored.left[i]), int(scored.right[i])
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            scored_ok[i] = True
            continue
        if uf.blocked(ra, rb):
            refused[i] = REFUSED_DECISION
            continue
        if min_support > 0 and uf.size[ra] > 1 and uf.size[rb] > 1:
            ga, gb = uf.group(ra), uf.group(rb)
            # average-linkage: unscored pairs (not even candidates) and gated-out pairs count as 0
            total = 0.0
            for x in ga:
                for y in gb:
                    total += evidence.get((x, y) if x < y else (y, x), 0.0)
            if total / (len(ga) * len(gb)) < min_support:
                refused[i] = REFUSED_WEAK_LINK
                continue
        uf.union(ra, rb)
        scored_ok[i] = True

    # labels from the accepted edges (the same components as the union-find's)
    if n == 0:
        return np.zeros(0, np.int64), forced_ok, scored_ok, refused
    left = np.concatenate([forced.left[forced_ok], scored.left[scored_ok]]).astype(np.int64)
    right = np.concatenate([forced.right[forced_ok], scored.right[scored_ok]]).astype(np.int64)
    return _smallest(_components(n, left, right)), forced_ok, scored_ok, refused


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected component label per record."""
    if len(left) == 0:
        return np.arange(n, dtype=np.int64)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _smallest(labels: np.ndarray) -> np.ndarray:
    """Per record, the smallest position among the records with its label."""
    n = len(labels)
    if n == 0:
        return np.zeros(0, np.int64)
    smallest = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n))
    return smallest[labels]
