"""LMS roles → Parcours roles in the registration's organisation (pure, no database).

* a context Instructor (and its sub-roles: TeachingAssistant…) → trainer;
* an Administrator (context, institution or system) → coordinator when the registration's
  switch "Administrateur → coordinateur" is on, else trainer (an LMS administrator places
  Parcours content in courses, a trainer's right; they get no more unless the organisation
  says so);
* a Learner, or anyone else (no role we know, a guest, a mentor) → learner.

Roles are added, never removed: a coordinator launched as a Learner stays a coordinator.
"""

from __future__ import annotations

from collections.abc import Iterable

TRAINER = "trainer"
COORDINATOR = "coordinator"
LEARNER = "learner"


def _names(role: str) -> tuple[str, str]:
    """(vocabulary, name) of an LTI role URI; a short context role ("Instructor") has
    vocabulary "membership"."""
    if "#" not in role:
        return "membership", role.strip()
    vocabulary, name = role.rsplit("#", 1)
    return vocabulary.rsplit("/", 1)[-1] if "/" in vocabulary else vocabulary, name


def parcours_roles(lti_roles: Iterable[str], *, admin_as_coordinator: bool) -> set[str]:
    """The Parcours roles a person with these LTI roles gets (at least ``learner``)."""
    roles: set[str] = set()
    for role in lti_roles:
        if not isinstance(role, str):
            continue
        vocabulary, name = _names(role)
        if name == "Administrator" and vocabulary in {"membership", "person"}:
            roles.add(COORDINATOR if admin_as_coordinator else TRAINER)
        elif vocabulary != "person" and (  # an institution "Instructor" is no course role
            name in {"Instructor", "TeachingAssistant", "ContentDeveloper"}
            or vocabulary == "Instructor"
        ):
            roles.add(TRAINER)
    return roles or {LEARNER}


def is_staff(roles: set[str]) -> bool:
    return bool(roles & {TRAINER, COORDINATOR})
