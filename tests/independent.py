"""An independent model of the hard rules, to check the solver's claims on small events: a
time-indexed integer program written from the README's rules alone (not from `matcher.model`'s
rules or instance) and solved by SCIP, a branch-and-bound solver, not by CP-SAT."""

from __future__ import annotations

from ortools.linear_solver import pywraplp

from matcher.model.event import Event


def pair_scores(event: Event) -> dict[tuple[str, str], int]:
    """Each pair that may meet and its score: the investor's interest in the startup's field,
    plus the investor's wish, plus the startup's wish; a pair meets only with a score of at
    least 1 or when required or pinned, and never when the investor avoids the startup."""
    forced = {(r.startup, r.investor) for r in (*event.required, *event.pinned)}
    out = {}
    for s in event.startups:
        for i in event.investors:
            score = i.interests.get(s.field, 0) + i.wishes.get(s.id, 0) + s.wishes.get(i.id, 0)
            if s.id not in i.avoid and (score >= 1 or (s.id, i.id) in forced):
                out[s.id, i.id] = score
    return out


def best_score(event: Event) -> int | None:
    """The best total score of a timetable that keeps every hard rule; None when none does."""
    lp = pywraplp.Solver.CreateSolver("SCIP")
    slots = [t.id for t in event.slots]
    away = {p.id: set(p.unavailable) for p in (*event.startups, *event.investors)}
    scores = pair_scores(event)
    # meet[pair, slot, table]: the pair meets at that table in that slot (only when both are free)
    meet = {(pair, t, k): lp.BoolVar(f"{pair}{t}{k}") for pair in scores for t in slots
            for k in event.tables if t not in away[pair[0]] | away[pair[1]]}

    def of(pair: tuple[str, str] | None = None, slot: str | None = None,
           table: str | None = None, who: str | None = None) -> list[pywraplp.Variable]:
        return [v for (p, t, k), v in meet.items() if pair in (None, p) and slot in (None, t)
                and table in (None, k) and who in (None, *p)]

    for pair in scores:
        lp.Add(lp.Sum(of(pair=pair)) <= 1)
    for t in slots:
        for k in event.tables:
            lp.Add(lp.Sum(of(slot=t, table=k)) <= 1)
        for p in away:
            lp.Add(lp.Sum(of(slot=t, who=p)) <= 1)
    for p in (*event.startups, *event.investors):
        if p.max_meetings is not None:
            lp.Add(lp.Sum(of(who=p.id)) <= p.max_meetings)
    for s in event.startups:
        lp.Add(lp.Sum(of(who=s.id)) >= s.min_meetings)
    for r in event.required:
        lp.Add(lp.Sum(of(pair=(r.startup, r.investor))) == 1)
    for pin in event.pinned:
        lp.Add(lp.Sum(of(pair=(pin.startup, pin.investor), slot=pin.slot, table=pin.table)) == 1)
    lp.Maximize(sum(scores[p] * v for (p, _, _), v in meet.items()))
    code = lp.Solve()
    if code == pywraplp.Solver.INFEASIBLE:
        return None
    assert code == pywraplp.Solver.OPTIMAL, code  # no time limit: SCIP decides every event
    return round(lp.Objective().Value())
