"""Ranking with ties, award consistency and result versions. No I/O.

Published results are final: a correction is a new version that names the one it supersedes and why,
and the old version stays readable.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from shared.errors import rule_broken
from shared.events.activities import ActivityStatus, Award

SCORE_DECIMALS = 2
"""Scores are compared at this precision, so 17.5 and 17.50000001 tie as a jury would expect."""

# Better awards first; no award ranks after every award.
AWARD_ORDER: dict[Award | None, int] = {
    Award.FIRST: 0,
    Award.SECOND: 1,
    Award.THIRD: 2,
    Award.CONSOLATION: 3,
    Award.PASS: 4,
    None: 5,
}


@dataclass(frozen=True)
class ScoreLine:
    registration_id: str
    score: float | None
    award: Award | None


@dataclass(frozen=True)
class RankedLine:
    registration_id: str
    score: float | None
    rank: int | None
    award: Award | None


def rank_with_ties(lines: Sequence[ScoreLine]) -> list[RankedLine]:
    """Standard competition ranking (1, 2, 2, 4): equal scores share a rank, the next rank skips.

    Lines without a score (absent, disqualified) get no rank and come last, in the order given.
    """
    scored = sorted(
        (line for line in lines if line.score is not None), key=lambda line: -_rounded(line.score)
    )
    ranked: list[RankedLine] = []
    for position, line in enumerate(scored, start=1):
        previous = ranked[-1] if ranked else None
        same = previous is not None and _rounded(previous.score) == _rounded(line.score)
        rank = previous.rank if same and previous is not None else position
        ranked.append(RankedLine(line.registration_id, _rounded(line.score), rank, line.award))
    ranked.extend(
        RankedLine(line.registration_id, None, None, line.award) for line in lines if line.score is None
    )
    return ranked


def _rounded(score: float | None) -> float:
    return round(score or 0.0, SCORE_DECIMALS)


def check_entries(lines: Sequence[ScoreLine], *, participants: Collection[str]) -> None:
    """Every line is a distinct registered participant."""
    if not lines:
        raise rule_broken("results_empty", "results need at least one entry", field="entries", conflict=False)
    seen: set[str] = set()
    for line in lines:
        if line.registration_id in seen:
            raise rule_broken(
                "results_duplicate",
                f"registration {line.registration_id} appears twice",
                field="entries",
                conflict=False,
            )
        seen.add(line.registration_id)
        if line.registration_id not in participants:
            raise rule_broken(
                "results_participant",
                f"registration {line.registration_id} is not a registered participant",
                field="entries",
                conflict=False,
            )
        if line.score is not None and line.score < 0:
            raise rule_broken("results_score", "scores cannot be negative", field="entries", conflict=False)


def check_award_order(ranked: Sequence[RankedLine]) -> None:
    """A better rank never gets a lesser award than a worse one; tied people may get the same award."""
    worst_above = -1  # the lesser award given to anyone ranked strictly better so far
    for rank in sorted({line.rank for line in ranked if line.rank is not None}):
        group = [AWARD_ORDER[line.award] for line in ranked if line.rank == rank]
        if min(group) < worst_above:
            raise rule_broken(
                "award_order",
                f"rank {rank} gets a better award than a better-ranked participant",
                field="entries",
                conflict=False,
            )
        worst_above = max(worst_above, *group)
    unranked_awards = [line for line in ranked if line.rank is None and line.award not in (None, Award.PASS)]
    if unranked_awards:
        raise rule_broken("award_order", "a prize needs a score", field="entries", conflict=False)


def check_can_publish(status: ActivityStatus) -> None:
    if status not in (ActivityStatus.IN_PROGRESS, ActivityStatus.COMPLETED):
        raise rule_broken(
            "results_timing", f"results are published once the activity runs, not when {status}"
        )


def next_version(latest: int | None, *, correction_reason: str | None) -> tuple[int, int | None]:
    """The version to publish and the one it supersedes; a correction must say why."""
    if latest is None:
        if correction_reason:
            raise rule_broken(
                "correction_reason",
                "there is nothing to correct yet",
                field="correction_reason",
                conflict=False,
            )
        return 1, None
    if not (correction_reason and correction_reason.strip()):
        raise rule_broken(
            "results_final",
            f"version {latest} is published and final; publish a correction with a reason",
            field="correction_reason",
        )
    return latest + 1, latest
