"""Checks of a shift-template section that need a whole template, not one field.

Pydantic validates each field of :mod:`.templates` on its own; these rules compare fields
(a break window against its shift's length, two breaks' windows against each other) and
return every problem with its own dotted field path, as :mod:`sim.scenario.checks` does
for scenarios.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.scenario.units import DAY, format_duration

if TYPE_CHECKING:
    from sim.studies.schedule.templates import Break, Template, Templates

Issue = tuple[str, str]  # (dotted field path, message)


def check_templates(templates: Templates) -> list[Issue]:
    """Every problem a valid-looking section still has, as ``(field path, message)``.

    Shifts longer than a day, breaks that fall outside their shift, windows too short for
    their break, overlapping windows, and durations that are not whole minutes.
    """
    issues: list[Issue] = []
    issues += _whole_minutes("break_step", templates.break_step)
    for name, template in templates.templates.items():
        issues += _check_template(f"templates.{name}", template)
    return issues


def _whole_minutes(path: str, seconds: float) -> list[Issue]:
    if abs(seconds / 60.0 - round(seconds / 60.0)) > 1e-9:
        return [(path, f"must be a whole number of minutes (got {format_duration(seconds)})")]
    return []


def _check_template(path: str, template: Template) -> list[Issue]:
    issues: list[Issue] = []
    length = template.length
    if length > DAY:
        issues.append(
            (
                f"{path}.length",
                f"a shift must fit in a day: {format_duration(length)} is longer than 24h; "
                "shorten it or split it into two templates",
            )
        )
    issues += _whole_minutes(f"{path}.length", length)
    issues += _whole_minutes(f"{path}.starts.step", template.starts.step)
    for i, rule in enumerate(template.breaks):
        issues += _check_break(f"{path}.breaks[{i}]", rule, length)
    issues += _check_overlaps(path, template)
    return issues


def _check_break(path: str, rule: Break, length: float) -> list[Issue]:
    issues: list[Issue] = []
    shift = format_duration(length)
    before = rule.before if rule.before is not None else length
    issues += _whole_minutes(f"{path}.length.min", rule.length.min)
    issues += _whole_minutes(f"{path}.length.max", rule.length.max)
    issues += _whole_minutes(f"{path}.after", rule.after)
    if rule.before is not None:
        issues += _whole_minutes(f"{path}.before", rule.before)
    if rule.after >= length:
        issues.append(
            (
                f"{path}.after",
                f"the window opens {format_duration(rule.after)} into a {shift} shift: "
                f"the break would fall outside its shift; make 'after' less than {shift}",
            )
        )
    if rule.before is not None and rule.before > length:
        issues.append(
            (
                f"{path}.before",
                f"the window closes {format_duration(rule.before)} into a {shift} shift: "
                f"the break could fall outside its shift; make 'before' at most {shift}",
            )
        )
    if rule.after < min(before, length):
        room = min(before, length) - rule.after
        if room < rule.length.max:
            issues.append(
                (
                    f"{path}.length",
                    f"the window {format_duration(rule.after)}-{format_duration(before)} "
                    f"holds {format_duration(room)}, too short for a "
                    f"{format_duration(rule.length.max)} break; widen the window "
                    "(after/before) or shorten the break",
                )
            )
    return issues


def _check_overlaps(path: str, template: Template) -> list[Issue]:
    """Break windows must be disjoint, so placements of different breaks never collide."""
    issues: list[Issue] = []
    windows = [
        (rule.after, rule.before if rule.before is not None else template.length, i)
        for i, rule in enumerate(template.breaks)
    ]
    for a_lo, a_hi, a in windows:
        for b_lo, b_hi, b in windows:
            if a < b and a_lo < b_hi and b_lo < a_hi:
                issues.append(
                    (
                        f"{path}.breaks[{b}]",
                        f"its window {format_duration(b_lo)}-{format_duration(b_hi)} overlaps "
                        f"that of breaks[{a}] ({format_duration(a_lo)}-{format_duration(a_hi)}); "
                        "make the windows follow one another (e.g. one's 'before' at most "
                        "the next one's 'after')",
                    )
                )
    return issues
