"""A ledger diff in words (`trialreport archive diff`): sentences grouped by topic and arm."""
from __future__ import annotations

from .ledger_change import (ARM_KEY_FIGURES, ARROW, FIGURE_KEYS, NO_CHANGE, PATIENTS, Change,
                            LedgerDiff, _counted, _date)


# ---------------------------------------------------------------- words


def describe(diff: LedgerDiff) -> list[str]:
    """The diff as sentences a statistician reads; unchanged figures are not listed."""
    sentences = [_cutoff_sentence(diff)] if diff.old_cutoff != diff.new_cutoff or diff.changes else []
    sentences += _shape_sentences(diff)
    trial = [c for c in diff.changes if not c.arm]
    sentences += [_group_sentence(group, diff) for group in _topic_groups(trial)]
    sentences += [_arm_sentence(arm, group) for arm, group in _arm_groups(diff.changes)]
    if not diff.changes:
        sentences.append(NO_CHANGE)
    return [s for s in sentences if s]


def _cutoff_sentence(diff: LedgerDiff) -> str:
    before, after = _date(diff.old_cutoff), _date(diff.new_cutoff)
    if diff.old_cutoff == diff.new_cutoff:
        return f"Same data cutoff ({after})."
    return f"Data cutoff {before} {ARROW} {after}."


def _shape_sentences(diff: LedgerDiff) -> list[str]:
    """Non-figure keys only one ledger holds (figure blocks get their own sentences)."""
    old = [k for k in diff.only_in_old if k not in FIGURE_KEYS]
    new = [k for k in diff.only_in_new if k not in FIGURE_KEYS]
    return ([f"Only in the old ledger: {', '.join(old)}."] if old else []) + \
           ([f"Only in the new ledger: {', '.join(new)}."] if new else [])


def _topic_groups(changes: list[Change]) -> list[list[Change]]:
    """Changes of the same topic in a row, kept together."""
    groups: list[list[Change]] = []
    for change in changes:
        if groups and groups[-1][0].topic == change.topic:
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


def _group_sentence(group: list[Change], diff: LedgerDiff) -> str:
    if group[0].topic == PATIENTS:
        return _population_sentence(group, diff.new_patients)
    if len(group) == 1:
        return group[0].sentence
    joiner = " " if group[0].brief.startswith("at ") else ": "
    return f"{group[0].topic}{joiner}{'; '.join(c.brief for c in group)}."


def _population_sentence(group: list[Change], new_patients: int | None) -> str:
    """'3 new patients (26 -> 29 evaluable; 28 -> 31 enrolled).'"""
    briefs = "; ".join(c.brief for c in group if not _repeats_evaluable(c, group))
    if new_patients:
        head = _counted(new_patients, "new patient") if new_patients > 0 else _counted(-new_patients, "fewer patient")
        return f"{head} ({briefs})."
    return f"{PATIENTS}: {briefs}."


def _repeats_evaluable(change: Change, group: list[Change]) -> bool:
    """The treated count says nothing new where it moved exactly as the evaluable count did."""
    if not change.path.endswith("population.treated"):
        return False
    evaluable = next((c for c in group if c.path.endswith("population.evaluable")), None)
    return evaluable is not None and (evaluable.before, evaluable.after) == (change.before, change.after)


def _arm_groups(changes: tuple[Change, ...]) -> list[tuple[str, list[Change]]]:
    groups: dict[str, list[Change]] = {}
    for change in changes:
        if change.arm:
            groups.setdefault(change.arm, []).append(change)
    return list(groups.items())


def _arm_sentence(arm: str, group: list[Change]) -> str:
    """'By arm, A: Drug X: responders 120 of 130 -> 133 of 134; 12 new deaths; 5 other figures changed.'"""
    if group[0].path == f"by_arm.{arm}":
        return group[0].sentence
    key = [c for c in group if _is_arm_key(c)]
    parts = [c.brief for c in key]
    others = len(group) - len(key)
    if others:
        parts.append(_counted(others, "other figure") + " changed")
    return f"By arm, {arm}: {'; '.join(parts)}."


def _is_arm_key(change: Change) -> bool:
    figure = change.path[len(f"by_arm.{change.arm}."):]
    if figure in ARM_KEY_FIGURES:
        return True
    parts = figure.split(".")
    return parts[0] == "survival" and (len(parts) == 2 or parts[-1] == "events")


