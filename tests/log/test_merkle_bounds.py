"""Merkle proofs at the edges of the tree, and stored block roots in every block.

Each proof function is tried at index (or first size) ``size - 1``, ``size`` and ``size + 1``:
the last leaf has a proof, the next one does not exist. And a wrong stored root in any
block, the first, a middle or the last complete one, must make every proof that uses it fail.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from governance_engine.log.merkle import (
    EMPTY_ROOT,
    BlockedTree,
    MerkleAccumulator,
    consistency_path,
    consistency_proof,
    inclusion_path,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [leaf_hash(bytes([n])) for n in range(24)]
SIZES = [1, 2, 3, 5, 7, 8, 13]


def tree_of(size: int) -> BlockedTree:
    return BlockedTree(size, 4, {}, lambda start, end: LEAVES[start:end])


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_proofs_at_the_last_leaf_and_past_it(size: int) -> None:
    leaves = LEAVES[:size]
    root = root_from_leaf_hashes(leaves)
    last = inclusion_proof(size - 1, leaves)
    assert verify_inclusion(size - 1, size, leaves[-1], last, root)
    assert inclusion_path(size - 1, size, tree_of(size).root) == last
    for index in (size, size + 1, -1):
        with pytest.raises(ValueError, match=rf"^leaf {index} is not in a tree of size {size}$"):
            inclusion_proof(index, leaves)
        with pytest.raises(ValueError, match=rf"^leaf {index} is not in a tree of size {size}$"):
            inclusion_path(index, size, tree_of(size).root)
        # Index == size is the classic off-by-one: no proof may place a leaf there.
        assert not verify_inclusion(index, size, leaves[-1], last, root)
        assert not verify_inclusion(index, size, leaves[-1], [], root)
    # A claimed size one too small or too large does not verify the last leaf either.
    assert not verify_inclusion(size - 1, size - 1, leaves[-1], last, root)
    assert not verify_inclusion(size - 1, size + 1, leaves[-1], last, root)


def test_a_one_leaf_tree_proves_its_leaf_with_an_empty_path() -> None:
    assert inclusion_proof(0, LEAVES[:1]) == []
    assert verify_inclusion(0, 1, LEAVES[0], [], LEAVES[0])
    assert not verify_inclusion(0, 1, LEAVES[0], [LEAVES[1]], LEAVES[0])
    assert not verify_inclusion(0, 0, LEAVES[0], [], LEAVES[0])


@pytest.mark.parametrize("size", SIZES)
def test_consistency_proofs_at_the_last_size_and_past_it(size: int) -> None:
    leaves = LEAVES[:size]
    root = root_from_leaf_hashes(leaves)
    before = size - 1
    proof = consistency_proof(before, leaves)
    assert consistency_path(before, size, tree_of(size).root) == proof
    assert verify_consistency(before, size, proof, root_from_leaf_hashes(leaves[:before]), root)
    assert consistency_proof(size, leaves) == []
    assert consistency_path(size, size, tree_of(size).root) == []
    assert verify_consistency(size, size, [], root, root)
    for first in (size + 1, -1):
        with pytest.raises(
            ValueError, match=rf"^no consistency proof from size {first} to size {size}$"
        ):
            consistency_proof(first, leaves)
        with pytest.raises(ValueError, match=rf"^no consistency proof from size {first} to size"):
            consistency_path(first, size, tree_of(size).root)
        assert not verify_consistency(first, size, proof, root, root)
    # The roots of size - 1 and size + 1 are not interchangeable with the one of size.
    if before:  # (from the empty tree, anything is consistent)
        assert not verify_consistency(before, size, proof, root, root)
        assert not verify_consistency(before, size + 1, proof, root, root)
    assert not verify_consistency(size, size, [], root, EMPTY_ROOT)


def test_proofs_from_the_empty_tree_are_empty() -> None:
    assert consistency_proof(0, LEAVES[:5]) == []
    assert verify_consistency(0, 5, [], EMPTY_ROOT, root_from_leaf_hashes(LEAVES[:5]))
    assert not verify_consistency(0, 5, [LEAVES[0]], EMPTY_ROOT, root_from_leaf_hashes(LEAVES[:5]))


@pytest.mark.parametrize("size", [0, 1, 5, 8])
def test_blocked_tree_nodes_at_the_edges(size: int) -> None:
    tree = tree_of(size)
    assert tree.root(0, size) == root_from_leaf_hashes(LEAVES[:size])
    assert tree.root(size, size) == EMPTY_ROOT
    for start, end in ((0, size + 1), (-1, size), (size, size + 1), (1, 0)):
        with pytest.raises(ValueError, match=rf"^leaves {start}\.\.{end} are not in a tree of "):
            tree.root(start, end)
    if size:
        assert tree.root(size - 1, size) == LEAVES[size - 1]


@pytest.mark.parametrize("block_size", [0, 3, 6, -4])
def test_a_block_size_not_a_power_of_two_is_refused(block_size: int) -> None:
    with pytest.raises(ValueError, match=rf"^block size must be a power of two, not {block_size}$"):
        BlockedTree(8, block_size, {}, lambda start, end: [])


@pytest.mark.parametrize("block_size", [1, 2, 4])
def test_powers_of_two_are_block_sizes(block_size: int) -> None:
    tree = BlockedTree(7, block_size, {}, lambda start, end: LEAVES[start:end])
    assert tree.root(0, 7) == root_from_leaf_hashes(LEAVES[:7])


FORGED = b"\x07" * 32


def reader(reads: list[tuple[int, int]]) -> object:
    def read(start: int, end: int) -> Sequence[bytes]:
        reads.append((start, end))
        return LEAVES[start:end]

    return read


@pytest.mark.parametrize("size", [16, 19])
@pytest.mark.parametrize("forged", [0, 1, 2, 3])
def test_a_forged_root_in_any_block_makes_the_proofs_using_it_fail(size: int, forged: int) -> None:
    """Blocks of 4 leaves; block ``forged`` stores a wrong root, the others their true ones."""
    leaves = LEAVES[:size]
    true_root = root_from_leaf_hashes(leaves)
    blocks = {b: root_from_leaf_hashes(LEAVES[b * 4 : b * 4 + 4]) for b in range(size // 4)}
    blocks[forged] = FORGED
    reads: list[tuple[int, int]] = []
    tree = BlockedTree(size, 4, blocks, reader(reads))  # type: ignore[arg-type]
    # The stored root is used as given, not recomputed from the block's leaves.
    assert tree.root(forged * 4, forged * 4 + 4) == FORGED
    assert reads == []
    assert tree.root(0, size) != true_root
    inside = range(forged * 4, forged * 4 + 4)
    for index in range(size):
        proof = inclusion_path(index, size, tree.root)
        if index in inside:
            # A proof for a leaf of the forged block never uses that block's root.
            assert proof == inclusion_proof(index, leaves)
            assert verify_inclusion(index, size, leaves[index], proof, true_root)
        else:
            assert not verify_inclusion(index, size, leaves[index], proof, true_root)
    wrong = 0
    for first in range(1, size):
        proof = consistency_path(first, size, tree.root)
        old_root = root_from_leaf_hashes(leaves[:first])
        if proof != consistency_proof(first, leaves):
            wrong += 1
            assert not verify_consistency(first, size, proof, old_root, true_root)
    assert wrong  # the forged root went into some consistency proofs, and each one failed


def test_every_stored_block_root_is_used() -> None:
    blocks = {b: root_from_leaf_hashes(LEAVES[b * 4 : b * 4 + 4]) for b in range(5)}
    reads: list[tuple[int, int]] = []
    tree = BlockedTree(22, 4, blocks, reader(reads))  # type: ignore[arg-type]
    assert tree.root(0, 22) == root_from_leaf_hashes(LEAVES[:22])
    # Only the last, partial block (leaves 20..21) is read; every complete block was stored.
    assert reads == [(20, 22)]


def test_a_partial_or_unaligned_range_never_uses_a_stored_root() -> None:
    blocks = dict.fromkeys(range(4), FORGED)
    tree = BlockedTree(16, 4, blocks, lambda start, end: LEAVES[start:end])
    assert tree.root(4, 6) == node_hash(LEAVES[4], LEAVES[5])
    assert tree.root(2, 4) == node_hash(LEAVES[2], LEAVES[3])
    assert tree.root(8, 9) == LEAVES[8]
    tree = BlockedTree(16, 4, blocks, lambda start, end: LEAVES[start:end])
    assert tree.root(12, 16) == FORGED


def test_the_accumulator_counts_and_roots_every_prefix() -> None:
    accumulator = MerkleAccumulator()
    assert (accumulator.size, accumulator.root()) == (0, EMPTY_ROOT)
    for n, leaf in enumerate(LEAVES, start=1):
        accumulator.add(leaf)
        assert accumulator.size == n
        assert accumulator.root() == root_from_leaf_hashes(LEAVES[:n])


def test_negative_sizes_prove_nothing() -> None:
    root = root_from_leaf_hashes(LEAVES[:1])
    assert not verify_consistency(-1, -1, [], root, root)
    assert not verify_consistency(-1, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    assert not verify_consistency(-2, 1, [LEAVES[0]], root, root)
    assert not verify_inclusion(0, -1, LEAVES[0], [], LEAVES[0])


class CountingRoots(dict[int, bytes]):
    """Stored block roots that count how often each is read."""

    def __init__(self, roots: dict[int, bytes]) -> None:
        super().__init__(roots)
        self.reads: list[int] = []

    def __getitem__(self, key: int) -> bytes:
        self.reads.append(key)
        return super().__getitem__(key)


def test_each_node_is_computed_once_per_tree() -> None:
    """Proofs ask for overlapping nodes; the tree remembers them instead of reading again."""
    stored = CountingRoots({b: root_from_leaf_hashes(LEAVES[b * 4 : b * 4 + 4]) for b in range(5)})
    tree = BlockedTree(22, 4, stored, lambda start, end: LEAVES[start:end])
    for index in range(22):
        inclusion_path(index, 22, tree.root)
    for first in range(23):
        consistency_path(first, 22, tree.root)
    assert sorted(stored.reads) == [0, 1, 2, 3, 4]


def test_a_smaller_second_tree_is_never_consistent() -> None:
    root = root_from_leaf_hashes(LEAVES[:3])
    # Without the size check, this one-node "proof" would pass the hash comparisons.
    assert not verify_consistency(3, 1, [root], root, root)
    assert not verify_consistency(2, 1, [root], root, root)
    assert not verify_consistency(5, 4, [root, root], root, root)
