"""How the development committee (คณะกรรมการพัฒนาท้องถิ่น) decides on a draft: pure rules.

The regulation sets no quorum or majority, so each organization configures its committee
(``Organization.quorum_percent``, ``majority_of_members``, ``chair_casting_vote``); the
defaults are the usual administrative rule: a quorum of more than half the members, a
decision by majority of the votes cast, and the chair's casting vote on a tie.

A review closes by itself as soon as waiting could not change its result: the quorum is met
and no way the remaining members could vote would give another outcome — or everyone has
voted. Kept free of the database so every case can be checked exhaustively.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from models.enums import VoteDecision

APPROVE = VoteDecision.APPROVE
DECISIONS = tuple(VoteDecision)


class CommitteeSettings(Protocol):
    """What an organization says about its committee (``Organization`` has these columns)."""

    quorum_percent: int
    majority_of_members: bool
    chair_casting_vote: bool


@dataclass(frozen=True)
class Rule:
    quorum_percent: int = 50  # quorum: MORE than this percentage of the members have voted
    majority_of_members: bool = False  # a majority of all members, not only of votes cast
    chair_casting_vote: bool = True  # the chair's vote decides a tie

    @classmethod
    def of(cls, org: CommitteeSettings) -> Rule:
        return cls(org.quorum_percent, org.majority_of_members, org.chair_casting_vote)


@dataclass(frozen=True)
class Tally:
    """The current votes of one review: counts per decision and what the chair did.

    ``chair_pending`` says the committee has a chair who has not voted yet (the casting
    vote may still come); ``chair_vote`` is the chair's vote once cast.
    """

    members: int
    approve: int = 0
    reject: int = 0
    request_changes: int = 0
    chair_vote: VoteDecision | None = None
    chair_pending: bool = False

    def count(self, decision: VoteDecision) -> int:
        return {
            VoteDecision.APPROVE: self.approve,
            VoteDecision.REJECT: self.reject,
            VoteDecision.REQUEST_CHANGES: self.request_changes,
        }[decision]

    @property
    def cast(self) -> int:
        return self.approve + self.reject + self.request_changes

    @property
    def remaining(self) -> int:
        return self.members - self.cast

    def plus(self, decision: VoteDecision, n: int = 1) -> Tally:
        field = {
            VoteDecision.APPROVE: "approve",
            VoteDecision.REJECT: "reject",
            VoteDecision.REQUEST_CHANGES: "request_changes",
        }[decision]
        return replace(self, **{field: self.count(decision) + n})


def tally_of(votes: Mapping[int, VoteDecision], members: Iterable[int], chair: int | None) -> Tally:
    """Count the votes of current members only (someone who left the committee no longer
    counts); ``votes`` and ``members`` are keyed by person id."""
    member_ids = set(members)
    counted = {person: d for person, d in votes.items() if person in member_ids}
    tally = Tally(members=len(member_ids))
    for decision in counted.values():
        tally = tally.plus(decision)
    has_chair = chair is not None and chair in member_ids
    return replace(
        tally,
        chair_vote=counted.get(chair) if has_chair and chair is not None else None,
        chair_pending=has_chair and chair not in counted,
    )


def quorum_size(members: int, percent: int) -> int:
    """The fewest votes that are MORE than ``percent`` % of ``members`` (at least one, and
    never more than the whole committee: a 100 % rule means everyone)."""
    return max(1, min(members, percent * members // 100 + 1))


def has_quorum(tally: Tally, rule: Rule) -> bool:
    return tally.members > 0 and tally.cast >= quorum_size(tally.members, rule.quorum_percent)


def decision(tally: Tally, rule: Rule) -> VoteDecision | None:
    """The option with a majority (of votes cast, or of all members); on an even split
    between approving and not approving, the chair's vote if the rule gives it; else None."""
    base = tally.members if rule.majority_of_members else tally.cast
    if tally.cast == 0:
        return None
    for option in DECISIONS:
        if tally.count(option) * 2 > base:
            return option
    others = tally.cast - tally.approve
    if tally.approve * 2 == base and others * 2 == base and rule.chair_casting_vote:
        return tally.chair_vote  # None while the chair has not voted
    return None


def completions(tally: Tally) -> Iterator[Tally]:
    """Every way the members who have not voted could still vote (the chair's choice kept
    apart, since a casting vote depends on it)."""
    others = tally.remaining - (1 if tally.chair_pending else 0)
    chair_options: tuple[VoteDecision | None, ...] = DECISIONS if tally.chair_pending else (None,)
    for chair in chair_options:
        base = tally if chair is None else replace(tally.plus(chair), chair_vote=chair)
        base = replace(base, chair_pending=False)
        for approve in range(others + 1):
            for reject in range(others - approve + 1):
                yield (
                    base.plus(APPROVE, approve)
                    .plus(VoteDecision.REJECT, reject)
                    .plus(VoteDecision.REQUEST_CHANGES, others - approve - reject)
                )


def settled(tally: Tally, rule: Rule) -> VoteDecision | None:
    """The decision when it is reached now AND no remaining votes could change it."""
    now = decision(tally, rule)
    if now is None:
        return None
    return now if all(decision(done, rule) == now for done in completions(tally)) else None


@dataclass(frozen=True)
class Outcome:
    closed: bool
    result: VoteDecision | None = None  # None when closed: everyone voted, no majority


def outcome(tally: Tally, rule: Rule) -> Outcome:
    """Whether the review closes now, and with which result."""
    if tally.members > 0 and tally.remaining == 0:
        return Outcome(closed=True, result=decision(tally, rule))
    if not has_quorum(tally, rule):
        return Outcome(closed=False)
    result = settled(tally, rule)
    return Outcome(closed=result is not None, result=result)
