"""A check's verdict and how it explains itself: status, reason, clause, and the phase it is for.

A factory owner who reads "✅ eligible" plans money around it, so a verdict is ✅ only when a
document that covers today says so. Each verdict therefore carries the clause it rests on and
the phase (or round) that clause belongs to; when that phase is not in force today the check
turns ✅ into "needs confirmation" and says why (``timing``). The eligibility and Recognition
Scheme checks build verdicts by their own rules and render and serialise them here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from flows.core import Context
from knowledge.dates import format_date
from knowledge.models import Clause, Lang, PhaseStatus

Status = Literal["eligible", "not_eligible", "needs_confirmation"]
STATUS_OF: dict[bool | None, Status] = {
    True: "eligible",
    False: "not_eligible",
    None: "needs_confirmation",
}


@dataclass(frozen=True)
class Verdict:
    """One scheme's outcome: ``eligible`` is True, False, or None (needs confirmation).

    ``reason`` and ``timing`` are message keys: the rule's one-sentence reason, and the note on
    why a met rule still needs confirmation today (its phase ended, has not begun, or is undated).
    ``phase`` is a programme phase id, ``"undated"``, or a Recognition Scheme round id.
    """

    scheme: str
    eligible: bool | None
    reason: str
    clause: Clause
    phase: str
    phase_status: PhaseStatus
    values: tuple[tuple[str, Any], ...] = ()
    timing: str | None = None

    @property
    def status(self) -> Status:
        return STATUS_OF[self.eligible]


def met_today(
    eligible: bool | None,
    phase_status: PhaseStatus,
    timing_prefix: str,
    confirm: frozenset[PhaseStatus] = frozenset({"ended", "not_started", "undated"}),
) -> tuple[bool | None, str | None]:
    """A met rule is ✅ only in its own phase: in a ``confirm`` status it needs confirmation,
    with the note ``timing_prefix + status`` saying why."""
    if eligible is True and phase_status in confirm:
        return None, f"{timing_prefix}{phase_status}"
    return eligible, None


def sentences(lang: Lang, *parts: str) -> str:
    """Sentences run on: a space between them in English, none in Chinese."""
    return ("" if lang != "en" else " ").join(part for part in parts if part)


Explain = Callable[[Verdict, Context, Lang], str]


def clause_text(clause: Clause, ctx: Context, lang: Lang) -> str:
    return f"{ctx.kb.documents[clause.doc].get(lang)}, {clause.label(lang)}"


def phase_line(verdict: Verdict, name: str, ctx: Context, lang: Lang, day: Any = None) -> str:
    """ "Phase: <name> (in force today / ended on … / begins on … / undated)"."""
    date = format_date(day, lang) if day is not None else ""
    status = ctx.say(f"verdict_phase_{verdict.phase_status}", lang, date=date)
    return ctx.say("verdict_phase", lang, phase=name, status=status)


def render(
    verdicts: tuple[Verdict, ...],
    ctx: Context,
    lang: Lang,
    *,
    header: str,
    footer: str,
    explain: Explain,
    phase_of: Explain,
) -> str:
    """The verdicts as the user reads them, one block per scheme."""
    lines = [header]
    for v in verdicts:
        status = ctx.say(f"verdict_status_{v.status}", lang)
        lines.append(
            f"\n• {ctx.say(f'scheme_{v.scheme}', lang)}: {status}\n  {explain(v, ctx, lang)}\n"
            f"  ({ctx.say('source_label', lang)}: {clause_text(v.clause, ctx, lang)})\n"
            f"  ({phase_of(v, ctx, lang)})"
        )
    lines.append("\n" + footer)
    return "\n".join(lines)


def to_json(
    verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang, explain: Explain
) -> dict[str, Any]:
    """The ``--json`` shape of ``cppbot eligibility`` and ``cppbot recognition``."""
    return {
        "schemes": [
            {
                "id": v.scheme,
                "eligible": v.eligible,
                "status": v.status,
                "reason": explain(v, ctx, lang),
                "source": clause_text(v.clause, ctx, lang),
                "section": v.clause.section,
                "phase": v.phase,
                "phase_status": v.phase_status,
            }
            for v in verdicts
        ]
    }
