"""Merkle trees over the decision log, hashed as RFC 6962 / RFC 9162 §2.1 specify.

    leaf hash  = SHA-256(0x00 || leaf data)
    node hash  = SHA-256(0x01 || left || right)
    empty tree = SHA-256("")

The leaf data of log entry ``seq`` is its 32-byte chain hash (``LogEntry.hash``), so a tree
of size n commits to entries 1..n and, through the chain, to every byte of them. Leaf index
i (0-based) is entry seq i + 1.

An inclusion proof shows one entry is in the tree a checkpoint signed; a consistency proof
shows the tree at a later checkpoint extends the earlier one, i.e. the log only grew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


class MerkleAccumulator:
    """Adds leaves one at a time and gives the root of the tree so far: O(log n) memory.

    Keeps the roots of the complete subtrees covering the leaves added (a compact range).
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (height, hash), left to right
        self.size = 0

    def add(self, leaf: bytes) -> None:
        height, node = 0, leaf
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            node = node_hash(left, node)
            height += 1
        self._stack.append((height, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def root_from_leaf_hashes(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over the leaves, streamed: memory is O(log n) whatever the tree size."""
    accumulator = MerkleAccumulator()
    for leaf in leaf_hashes:
        accumulator.add(leaf)
    return accumulator.root()


SubtreeRoot = Callable[[int, int], bytes]
"""``MTH(D[start:end])`` for a node of the tree: how proofs get the hashes they are made of."""


def _list_roots(leaves: Sequence[bytes]) -> SubtreeRoot:
    return lambda start, end: root_from_leaf_hashes(leaves[start:end])


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) of RFC 6962 §2.1.1 over leaf hashes."""
    return inclusion_path(index, len(leaves), _list_roots(leaves))


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(first, D[n]) of RFC 6962 §2.1.2 over leaf hashes."""
    return consistency_path(first, len(leaves), _list_roots(leaves))


def inclusion_path(index: int, size: int, subtree_root: SubtreeRoot) -> list[bytes]:
    """PATH(index, D[size]), asking ``subtree_root`` for each sibling's hash."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            proof.append(subtree_root(start + k, end))
            end = start + k
        else:
            proof.append(subtree_root(start, start + k))
            start += k
    proof.reverse()  # siblings from the leaf up
    return proof


def consistency_path(first: int, size: int, subtree_root: SubtreeRoot) -> list[bytes]:
    """PROOF(first, D[size]), asking ``subtree_root`` for each node's hash."""
    second = size
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    start, end, complete = 0, second, True
    boundary = first
    while True:
        size = end - start
        if boundary - start == size:
            if not complete:
                proof.append(subtree_root(start, end))
            break
        k = _split(size)
        if boundary - start <= k:
            proof.append(subtree_root(start + k, end))
            end = start + k
        else:
            proof.append(subtree_root(start, start + k))
            start += k
            complete = False
    proof.reverse()
    return proof


def _trailing_shift(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` put leaf hash ``leaf`` at ``index`` under ``root``?"""
    if not 0 <= index < size or any(len(node) != 32 for node in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for node in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(node, r)
            if not fn & 1:
                fn, sn = _trailing_shift(fn, sn)
        else:
            r = node_hash(r, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of size ``second`` an extension of the one of ``first``?"""
    if first < 0 or second < first or any(len(node) != 32 for node in proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # every tree extends the empty one
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # first is a power of two: its root is a node of the path
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            if not fn & 1:
                fn, sn = _trailing_shift(fn, sn)
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


class BlockedTree:
    """Node hashes of a tree of ``size`` leaves from stored roots of its complete blocks.

    A block is ``block_size`` (a power of two) consecutive leaves starting at a multiple of
    ``block_size``; ``blocks`` maps a block's number to its root, and may lack any of them.
    Every node of an RFC 6962 tree of at most ``block_size`` leaves lies inside one block
    (a node starts at a multiple of the smallest power of two not below its size), so a node
    is either a stored block, or hashed from the leaves of the one block it lies in (read
    once per block with ``leaves(start, end)``, the leaf hashes of ``D[start:end]``), or
    split in two. A proof over n leaves thus reads about n / block_size stored roots and the
    leaves of at most two blocks (the proven leaf's and the last, partial one), not n leaves.
    The stored roots are only a cache: a wrong one makes a proof fail, never pass.
    """

    def __init__(
        self,
        size: int,
        block_size: int,
        blocks: Mapping[int, bytes],
        leaves: Callable[[int, int], Sequence[bytes]],
    ) -> None:
        if block_size < 1 or block_size & (block_size - 1):
            raise ValueError(f"block size must be a power of two, not {block_size}")
        self.size = size
        self.block_size = block_size
        self._blocks = blocks
        self._leaves = leaves
        self._known: dict[tuple[int, int], bytes] = {}  # proofs ask for overlapping nodes
        self._block_leaves: dict[int, Sequence[bytes]] = {}

    def root(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a node of the tree (or a tree of its first leaves: start 0)."""
        if not 0 <= start <= end <= self.size:
            raise ValueError(f"leaves {start}..{end} are not in a tree of size {self.size}")
        size = end - start
        if size == 0:
            return EMPTY_ROOT
        known = self._known.get((start, end))
        if known is not None:
            return known
        block = self.block_size
        if size == block and start % block == 0 and start // block in self._blocks:
            node = self._blocks[start // block]
        elif size <= block:
            offset = start - start % block
            node = root_from_leaf_hashes(self._leaves_of(offset)[start - offset : end - offset])
        else:
            k = _split(size)
            node = node_hash(self.root(start, start + k), self.root(start + k, end))
        self._known[(start, end)] = node
        return node

    def _leaves_of(self, offset: int) -> Sequence[bytes]:
        """The leaves of the block starting at ``offset`` (fewer for the tree's last block)."""
        found = self._block_leaves.get(offset)
        if found is None:
            found = self._leaves(offset, min(offset + self.block_size, self.size))
            self._block_leaves[offset] = found
        return found
