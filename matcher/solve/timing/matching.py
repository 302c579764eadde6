"""Whether a participant's meetings can fill a run of consecutive slots: a perfect matching."""

from __future__ import annotations


def fills(options: list[tuple[int, ...]], window: range) -> bool:
    """Whether the meetings (each with its allowed slots) can take distinct slots filling the
    window: a perfect matching, found by augmenting paths."""
    owner: dict[int, int] = {}

    def augment(k: int, seen: set[int]) -> bool:
        for t in options[k]:
            if t in window and t not in seen:
                seen.add(t)
                if t not in owner or augment(owner[t], seen):
                    owner[t] = k
                    return True
        return False

    return all(augment(k, set()) for k in range(len(options)))
