"""Reading free text: what is not an answer, and the checks a reviewer makes at a glance.

One list of non-answers serves the verdict (a non-answer is "not stated" in the facts) and
the command line's warnings, so the two cannot disagree. The content checks are plain word
lists, documented in docs/rules.md ("What free text must say"); they are deliberately
simple and err towards "missing" (say more) rather than "contrary".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "NON_ANSWERS",
    "PLACEHOLDER",
    "access_restricted",
    "is_non_answer",
    "non_answers",
    "specific_words",
]

#: Template placeholders as ``sharing-rules init`` writes them: ``<...>`` (not a link).
PLACEHOLDER = re.compile(r"^<(?!https?:|mailto:)[^<>]*>$")

#: Texts that fill a box without answering it (compared lower-case, without the final full
#: stop). A text made only of punctuation (``-``, ``?``, ``...``) is not an answer either.
NON_ANSWERS = frozenset(
    {
        "none",
        "nil",
        "nothing",
        "null",
        "n/a",
        "na",
        "n.a",
        "not applicable",
        "not known",
        "unknown",
        "tbc",
        "tbd",
        "tba",
        "to be confirmed",
        "to be decided",
        "to be determined",
        "to be agreed",
        "to follow",
        "pending",
        "todo",
        "to do",
        "see above",
        "see below",
        "as above",
        "same as above",
        "ditto",
        "various",
        "xxx",
    }
)
_PUNCTUATION_ONLY = re.compile(r"^[\W_]*$")
_LONGEST = max(map(len, NON_ANSWERS)) + 2


def is_non_answer(text: str) -> bool:
    """Whether a free-text value is a placeholder or a non-answer ("N/A", "TBC", "-")."""
    stripped = text.strip()
    if stripped.startswith("<"):
        return PLACEHOLDER.match(stripped) is not None
    if len(stripped) > _LONGEST:
        return False
    return _PUNCTUATION_ONLY.match(stripped) is not None or (
        " ".join(stripped.lower().rstrip(".").split()) in NON_ANSWERS
    )


def non_answers(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every text in a proposal (as plain data) that is not an answer, with its path."""
    if isinstance(value, str):
        if is_non_answer(value):
            yield path, value.strip()
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from non_answers(child, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from non_answers(child, f"{path}[{index}]")


# ------------------------------------------------------------------ what a purpose names

_WORD = re.compile(r"[a-z0-9]+(?:['\u2019-][a-z0-9]+)*")
#: Words that carry no content of their own: function words, and the generic vocabulary of
#: a purpose that could be written about any sharing ("share data to improve services and
#: outcomes"). A purpose must name, beyond these, the service, the people or the action.
GENERIC_WORDS = frozenset(
    """
    a about above across after again all also an and any are as at be been being between
    both but by can could did do does doing during each either for from further had has
    have having here how if in into is it its itself may might more most much must no nor
    not of off on once only or other our ours out over own per same shall should so some
    such than that the their them then there these they this those through to too under
    until up upon us very via was we were what when where whether which while who whom why
    will with within would you your
    achieve allow allows benefit benefits better best data deliver delivering delivery
    effective effectively efficiency efficient enable enables enabling ensure ensuring
    help helps helping improve improved improvement improvements improving information
    insight insights joined-up order outcome outcomes partner partners partnership partnerships
    process processes processing provide providing public purpose purposes service
    services share shared sharing stakeholder stakeholders support supporting value work
    working organisation organisations organization organizations agency agencies
    various relevant appropriate necessary general overall wider greater key
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def specific_words(text: str | None) -> int | None:
    """How many distinct words of a text are not generic (see :data:`GENERIC_WORDS`)."""
    if text is None:
        return None
    return len({w for w in _WORD.findall(text.lower()) if w not in GENERIC_WORDS})


# ---------------------------------------------------------------------- who has access

#: Wording that limits access to particular people (Caldicott principle 4: need to know).
_LIMITED = re.compile(
    r"\b(only|named|designated|authori[sz]ed|accredited|vetted|security[- ]checked|"
    r"role[- ]based|roles?|need[- ]to[- ]know|need to know|business need|limited to|"
    r"restricted to|small number|specific|approved|permissions?|dedicated)\b"
)
#: Wording that opens access to everyone in an organisation, or to anyone.
_OPEN = re.compile(
    r"(?<!not )(?<!never )\b(any ?one|any ?body|every ?one|every ?body|"
    r"all (?:staff|employees|officers|users|members)|"
    r"any (?:staff|employee|officer|member of staff|user)|unrestricted|"
    r"no (?:access )?restrictions?|open to all|whole (?:council|organisation|organization))\b"
)


def access_restricted(text: str | None) -> bool | None:
    """Whether stated access control limits access to people with a need: false if it
    opens access to anyone or everyone, true if it names who (roles, named staff, "only"),
    unstated if it says neither (it does not say who may access the data)."""
    if text is None:
        return None
    lowered = text.lower()
    if _OPEN.search(lowered):
        return False
    return True if _LIMITED.search(lowered) else None
