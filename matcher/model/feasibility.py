"""Checks before solving: impossible setups found by counting, each named in plain words.

They catch the common mistakes at once and explain them better than a solver could; what they
miss, the pairing model's infeasibility core names.
"""

from __future__ import annotations

from collections import Counter

from matcher.model.instance import Instance


def impossible_setups(inst: Instance) -> list[str]:
    """Every counting reason why the hard rules cannot all hold, as sentences."""
    problems = []
    for s in inst.event.startups:
        need, free = s.min_meetings, len(inst.usable[s.id])
        partners = sorted(i for _, i in inst.partners(s.id))
        if need > free:
            problems.append(f"{s.id} needs at least {need} meetings but is free in only {free} "
                            "slots")
        elif need > len(partners):
            who = f" ({', '.join(partners)})" if partners else ""
            problems.append(f"{s.id} needs at least {need} meetings but only {len(partners)} "
                            f"investors{who} may meet it: the others have no interest in "
                            f"{s.field}, avoid it, or share no free slot with it")
    for kind, pairs in (("required", sorted(inst.required)), ("pinned", sorted(inst.pins))):
        for pair in pairs:
            if not inst.common_slots(pair) and kind == "required":
                problems.append(f"required meeting {pair[0]}/{pair[1]} cannot take place: "
                                f"{pair[0]} and {pair[1]} share no free slot")
        count = Counter(side for pair in pairs for side in pair)
        for who, n in sorted(count.items()):
            cap = inst.max_meetings[who]
            if n > cap:
                problems.append(f"{who} has {n} {kind} meetings but can have at most {cap} "
                                "(its max_meetings or free slots)")
    per_slot = Counter(t for t, _ in inst.pins.values())
    for t, n in sorted(per_slot.items()):
        if n > len(inst.tables):
            problems.append(f"{n} meetings are pinned in {inst.slot_ids[t]}, but there are "
                            f"only {len(inst.tables)} tables")
    return problems
