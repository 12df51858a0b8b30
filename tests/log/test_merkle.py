"""RFC 6962 Merkle trees, checked against the published test vectors.

The vectors (leaves, roots, inclusion and consistency proofs) are those published with the
Certificate Transparency reference implementation and transparency-dev/merkle.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable

import pytest

from governance_engine.log.merkle import (
    EMPTY_ROOT,
    BlockedTree,
    consistency_path,
    consistency_proof,
    inclusion_path,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    bytes.fromhex(h)
    for h in [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
HASHES = [leaf_hash(data) for data in LEAVES]


def h(*values: str) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


# (1-based leaf, tree size, proof)
INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        h(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (3, 3, h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        2,
        5,
        h(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        h(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def flipped(proof: list[bytes], index: int, bit: int) -> list[bytes]:
    changed = list(proof)
    changed[index] = bytes([changed[index][0] ^ bit]) + changed[index][1:]
    return changed


def test_empty_tree_root() -> None:
    assert root_from_leaf_hashes([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_vectors(size: int) -> None:
    assert root_from_leaf_hashes(HASHES[:size]) == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_and_verify(leaf: int, size: int, proof: list[bytes]) -> None:
    index, root, target = leaf - 1, ROOTS[size - 1], HASHES[leaf - 1]
    assert inclusion_proof(index, HASHES[:size]) == proof
    assert verify_inclusion(index, size, target, proof, root)
    corruptions = [
        (index - 1, size, target, proof, root),
        (index + 1, size, target, proof, root),
        (index ^ 2, size, target, proof, root),
        (index, size * 2, target, proof, root),
        (index, size // 2, target, proof, root),
        (index, size, leaf_hash(b"WrongLeaf"), proof, root),
        (index, size, target, proof, EMPTY_ROOT),
        (index, size, target, proof, SOME_HASH),
        (index, size, target, [*proof, b""], root),
        (index, size, target, [*proof, root], root),
        (index, size, target, [b"", *proof], root),
        (index, size, target, [root, *proof], root),
    ]
    corruptions += [(index, size, target, flipped(proof, i, 8), root) for i in range(len(proof))]
    if proof:
        corruptions.append((index, size, target, proof[:-1], root))
    if len(proof) > 1:
        corruptions.append((index, size, target, [proof[0], SOME_HASH, *proof[1:]], root))
    for case in corruptions:
        assert not verify_inclusion(*case), case[:2]


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_match_and_verify(first: int, second: int, proof: list[bytes]) -> None:
    root1, root2 = ROOTS[first - 1], ROOTS[second - 1]
    assert consistency_proof(first, HASHES[:second]) == proof
    assert verify_consistency(first, second, proof, root1, root2)
    if not proof:
        return
    corruptions = [
        (first - 1, second, proof, root1, root2),
        (first + 1, second, proof, root1, root2),
        (first ^ 2, second, proof, root1, root2),
        (first, second * 2, proof, root1, root2),
        (first, second // 2, proof, root1, root2),
        (first, second, proof, SOME_HASH, root2),
        (first, second, proof, root1, SOME_HASH),
        (first, second, proof, root2, root1),
        (first, second, [], root1, root2),
        (first, second, [*proof, b""], root1, root2),
        (first, second, [*proof, root1], root1, root2),
        (first, second, [*proof, root2], root1, root2),
        (first, second, [b"", *proof], root1, root2),
        (first, second, [root1, *proof], root1, root2),
        (first, second, [root2, *proof], root1, root2),
        (first, second, [proof[0], *proof], root1, root2),
        (first, second, proof[:-1], root1, root2),
    ]
    corruptions += [(first, second, flipped(proof, i, 16), root1, root2) for i in range(len(proof))]
    for case in corruptions:
        assert not verify_consistency(*case), case[:2]


@pytest.mark.parametrize(
    ("first", "second", "roots_equal", "proof", "expected"),
    [
        (0, 0, True, [], True),
        (0, 1, False, [], True),
        (1, 1, True, [], True),
        (1, 1, False, [], False),
        (1, 0, False, [], False),
        (2, 1, False, [], False),
        (1, 2, False, [], False),
        (1, 1, True, [EMPTY_ROOT], False),
    ],
)
def test_consistency_edge_cases(
    first: int, second: int, roots_equal: bool, proof: list[bytes], expected: bool
) -> None:
    root1 = b"\x01" * 32
    root2 = root1 if roots_equal else b"\x02" * 32
    assert verify_consistency(first, second, proof, root1, root2) is expected


def test_every_proof_over_small_trees() -> None:
    leaves = [leaf_hash(bytes([n])) for n in range(33)]
    for size in range(1, 34):
        root = root_from_leaf_hashes(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(index, leaves[:size])
            assert verify_inclusion(index, size, leaves[index], proof, root)
        for first in range(size + 1):
            proof = consistency_proof(first, leaves[:size])
            first_root = root_from_leaf_hashes(leaves[:first])
            assert verify_consistency(first, size, proof, first_root, root), (first, size)


def _recording_reader(
    leaves: list[bytes], reads: list[tuple[int, int]]
) -> Callable[[int, int], list[bytes]]:
    def read(start: int, end: int) -> list[bytes]:
        reads.append((start, end))
        return leaves[start:end]

    return read


def test_nodes_outside_the_tree_are_refused() -> None:
    tree = BlockedTree(5, 4, {}, lambda start, end: [b"\x00" * 32] * (end - start))
    with pytest.raises(ValueError, match="not in a tree of size 5"):
        tree.root(4, 6)


@pytest.mark.parametrize("block_size", [1, 2, 4, 8])
def test_stored_block_roots_give_the_same_proofs(block_size: int) -> None:
    """Whichever blocks are stored, every root and proof equals the one made from all leaves."""
    leaves = [leaf_hash(bytes([n])) for n in range(40)]
    chooser = random.Random(block_size)
    for size in range(1, 41):
        all_blocks = {
            position: root_from_leaf_hashes(
                leaves[position * block_size : (position + 1) * block_size]
            )
            for position in range(size // block_size)
        }
        stored = {p: root for p, root in all_blocks.items() if chooser.random() < 0.7}
        reads: list[tuple[int, int]] = []
        tree = BlockedTree(size, block_size, stored, _recording_reader(leaves[:size], reads))
        assert tree.root(0, size) == root_from_leaf_hashes(leaves[:size])
        for index in range(size):
            assert inclusion_path(index, size, tree.root) == inclusion_proof(index, leaves[:size])
        for first in range(size + 1):
            expected = consistency_proof(first, leaves[:size])
            assert consistency_path(first, size, tree.root) == expected
            assert tree.root(0, first) == root_from_leaf_hashes(leaves[:first])
        # Leaves are read a whole block at a time, each block at most once, never past the
        # tree's end, and a stored block only when a proof needs a node inside it.
        assert len(set(reads)) == len(reads)
        for start, end in reads:
            assert start % block_size == 0
            assert end == min(start + block_size, size)


def test_a_wrong_stored_root_makes_proofs_fail_never_pass() -> None:
    leaves = [leaf_hash(bytes([n])) for n in range(20)]
    true_root = root_from_leaf_hashes(leaves)
    forged = dict.fromkeys(range(5), b"\x07" * 32)
    tree = BlockedTree(20, 4, forged, lambda start, end: leaves[start:end])
    proof = inclusion_path(18, 20, tree.root)
    assert not verify_inclusion(18, 20, leaves[18], proof, true_root)


def test_block_size_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        BlockedTree(12, 6, {}, lambda start, end: [])
