"""The fact vocabulary: the one plain document that rules read, derived from a Proposal.

Every fact is always present in the document; ``None`` means "not stated" (or, for a
derived fact, "cannot be told from what is stated"). Rules name facts by dotted path
(``purpose.statement_words``); list facts (``data_items``) hold flat item records whose
fields rules read inside ``any_item`` / ``all_items`` / ``no_item``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any

import attrs

from ._model import (
    ENUMS,
    FIELD_NAMES,
    Article6Basis,
    Article9Condition,
    Beneficiary,
    CollectionContext,
    ConfidentialityBasis,
    ControllerRole,
    DataCategory,
    DecisionKind,
    DpiaStatus,
    Frequency,
    Identifiability,
    Likelihood,
    OnwardSharing,
    Period,
    Proposal,
    PurposeKind,
    Sector,
    Setting,
    Severity,
    SharingMethod,
)
from ._text import access_restricted, is_non_answer, specific_words

__all__ = [
    "FACTS",
    "LISTS",
    "LISTS_BY_PATH",
    "PROPOSAL_KEY",
    "SPECIAL_CATEGORIES",
    "Fact",
    "FactList",
    "at_path",
    "build_facts",
]

Getter = Callable[[Any], Any]


@attrs.frozen(slots=True)
class Fact:
    """One entry of the vocabulary."""

    path: str
    kind: str  #: text, integer, number, boolean, date, or an enumeration's name
    description: str
    source: tuple[str, ...]  #: proposal paths it is read from
    get: Getter = attrs.field(repr=False, eq=False)
    values: tuple[str, ...] | None = None  #: allowed values of an enumeration


@attrs.frozen(slots=True)
class FactList:
    """A list fact: one flat record per item of a proposal list."""

    path: str
    count: str  #: the fact path holding the number of items
    source: str  #: the proposal list, e.g. ``$.data_items``
    label: str  #: the item field that names an item in messages
    items: tuple[Fact, ...]
    get: Getter = attrs.field(repr=False, eq=False)


#: Data categories that are special category data (UK GDPR Art. 9).
SPECIAL_CATEGORIES = frozenset(
    {
        DataCategory.HEALTH,
        DataCategory.ETHNICITY,
        DataCategory.RELIGION,
        DataCategory.POLITICAL,
        DataCategory.TRADE_UNION,
        DataCategory.GENETIC,
        DataCategory.BIOMETRIC,
        DataCategory.SEX_LIFE,
        DataCategory.SEXUAL_ORIENTATION,
    }
)
_HEALTH_AND_CARE = frozenset({Sector.HEALTH, Sector.SOCIAL_CARE})
# Members read once: on Python 3.11 every ``Severity.SEVERE`` goes through EnumType.__getattr__.
_CRIMINAL, _IDENTIFIED = DataCategory.CRIMINAL_OFFENCE, Identifiability.IDENTIFIED
_SEVERE, _SIGNIFICANT, _PROBABLE = Severity.SEVERE, Severity.SIGNIFICANT, Likelihood.PROBABLE
_INDIVIDUALS, _WIDER_PUBLIC = Beneficiary.INDIVIDUALS, Beneficiary.WIDER_PUBLIC
_ORGANISATIONS = Beneficiary.ORGANISATIONS


def _at(obj: Any, dotted: str) -> Any:
    for name in dotted.split("."):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


#: The getters that copy a field (by its dotted attribute path): the fact document's builder
#: reads those fields inline rather than calling the getter.
_COPIES: dict[Getter, str] = {}


def _getter(dotted: str) -> Getter:
    """A reader of a dotted attribute path, giving plain values (``None`` if unset)."""

    def get(p: Any) -> Any:
        return _plain(_at(p, dotted))

    _COPIES[get] = dotted
    return get


#: The value of every member of the model's enumerations, by enumeration (faster than
#: ``member.value``, a descriptor call).
_ENUM_VALUES: dict[type, dict[Any, Any]] = {cls: {m: m.value for m in cls} for cls in ENUMS}


def _plain(value: Any) -> Any:
    """A proposal value as a fact: free text that is not an answer is unstated, and a list
    is its number of entries (unstated if every entry is a non-answer)."""
    kind = type(value)
    if kind is str:
        return None if is_non_answer(value) else value
    if value is None or kind is bool or kind is int or kind is float:
        return value
    if kind in _ENUM_VALUES:
        return _ENUM_VALUES[kind][value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        answers = sum(1 for v in value if type(v) is not str or not is_non_answer(v))
        return None if value and not answers else answers
    if isinstance(value, Period):
        return str(value)
    return value.isoformat()


def _any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued "any": true if one is true, false if all are false, else unknown."""
    seen_unknown = False
    for value in values:
        if value:
            return True
        if value is None:
            seen_unknown = True
    return None if seen_unknown else False


def _over(list_name: str, fn: Callable[[tuple[Any, ...]], Any]) -> Getter:
    def get(proposal: Proposal) -> Any:
        items = getattr(proposal, list_name)
        return None if items is None else fn(items)

    return get


def _is_special(item: Any) -> bool | None:
    """Stated as special category, or of a special category; unknown if neither is stated."""
    if item.special_category or item.category in SPECIAL_CATEGORIES:
        return True
    return None if item.special_category is None and item.category is None else False


def _is_criminal(item: Any) -> bool | None:
    if item.criminal_offence or item.category is _CRIMINAL:
        return True
    return None if item.criminal_offence is None and item.category is None else False


def _benefits(benefit: Any, who: Beneficiary) -> bool | None:
    """Whether a benefit is for ``who``; unknown if it does not say who it is for."""
    return None if benefit.beneficiaries is None else who in benefit.beneficiaries


def _stated(text: str | None) -> bool | None:
    """An item's free-text field as a fact: true when stated, unstated (never false) if not
    or if it is not an answer, so that a blank is missing information, not a "no"."""
    return None if text is None or is_non_answer(text) else True


def _listed(values: tuple[str, ...] | None) -> bool | None:
    """Whether a list of texts has an entry: unstated if left out (or if every entry is a
    non-answer), false if stated empty ([])."""
    count = None if values is None else _plain(values)
    return None if count is None else count > 0


def _answered(value: Any) -> bool:
    """Whether a proposal field is stated with something other than non-answers."""
    if value is None:
        return False
    kind = type(value)
    if kind is str:
        return not is_non_answer(value)
    if kind is tuple:
        return _plain(value) is not None
    return True


def _after(later: dt.date | None, earlier: dt.date | None) -> bool | None:
    return None if later is None or earlier is None else later > earlier


def _ratio(savings: float | None, cost: float | None) -> float | None:
    if savings is None or cost is None or cost <= 0:
        return None
    return min(round(savings / cost, 2), 1e9)


_statement = _getter("purpose.statement")
_access_control = _getter("safeguards.access_control")


def _words(text: str | None) -> int | None:
    return None if text is None else len(text.split())


def _values(cls: type[Enum]) -> tuple[str, ...]:
    return tuple(m.value for m in cls)


def _enum_kind(cls: type[Enum]) -> dict[str, Any]:
    return {"kind": cls.__name__, "values": _values(cls)}


def _field(
    path: str, description: str, attr: str | None = None, kind: str = "text", **extra: Any
) -> Fact:
    """A fact copied from one proposal field (``attr``, dotted, defaults to the path)."""
    attr = attr or path
    return Fact(path, extra.pop("kind", kind), description, (f"$.{attr}",), _getter(attr), **extra)


def _derived(
    path: str, kind: str, description: str, source: tuple[str, ...], get: Getter, **extra: Any
) -> Fact:
    return Fact(path, kind, description, source, get, **extra)


def _item(
    name: str,
    kind: str,
    description: str,
    get: Getter | None = None,
    source: str | None = None,
    **extra: Any,
) -> Fact:
    getter: Getter = get or _getter(name)
    return Fact(name, kind, description, (source or name,), getter, **extra)


def _count_of(list_name: str) -> Getter:
    return _over(list_name, len)


def _section_stated(section: str) -> Getter:
    """True when a proposal section is given with at least one field stated; else unstated.

    Never false: a section cannot be stated as absent. Rules use these facts in ``requires``
    for criteria about a text or number field that can only be missing, never "no": silence
    in a section that is filled in counts as not met; an absent section leaves it unknown.
    """

    def get(proposal: Proposal) -> bool | None:
        value = getattr(proposal, section)
        if value is None:
            return None
        stated = any(_answered(getattr(value, name)) for name in FIELD_NAMES[type(value)])
        return True if stated else None

    return get


#: Where data is given in confidence, or to get care, education or support.
IN_CONFIDENCE = frozenset(
    {
        CollectionContext.HEALTH_CARE,
        CollectionContext.SOCIAL_CARE,
        CollectionContext.EDUCATION,
        CollectionContext.VICTIM_OR_WITNESS,
    }
)
#: Decisions that go against a person (a decision on eligibility that can take a benefit or
#: service away is stated as a denial of service too).
_ADVERSE = frozenset({DecisionKind.SANCTION, DecisionKind.DENIAL_OF_SERVICE})
_POPULATION_USES = frozenset({PurposeKind.PLANNING, PurposeKind.RESEARCH})


def _member(section: str, field: str, value: Enum) -> Getter:
    """Whether a stated tuple field holds ``value``; unknown if it is not stated."""

    def get(proposal: Proposal) -> bool | None:
        part = getattr(proposal, section)
        values = None if part is None else getattr(part, field)
        return None if values is None else value in values

    return get


def _population_only(proposal: Proposal) -> bool | None:
    """Every stated kind of use is planning or research: nothing is done to anyone."""
    kinds = None if proposal.purpose is None else proposal.purpose.kinds
    return None if kinds is None else _POPULATION_USES.issuperset(kinds)


def _adverse(proposal: Proposal) -> bool | None:
    decisions = None if proposal.purpose is None else proposal.purpose.decisions
    return None if decisions is None else not _ADVERSE.isdisjoint(decisions)


def _serious(risk: Any) -> bool | None:
    """Severe, or significant and probable (before mitigation); unknown if not rated."""
    return _serious_rating(risk.likelihood, risk.severity)


def _serious_rating(likelihood: Likelihood | None, severity: Severity | None) -> bool | None:
    """Severe, or significant and probable; unknown if not rated enough to tell."""
    if severity is _SEVERE or (severity is _SIGNIFICANT and likelihood is _PROBABLE):
        return True
    if severity is None or (severity is _SIGNIFICANT and likelihood is None):
        return None
    return False


def _fit_for_decisions(proposal: Proposal) -> bool | None:
    """No item is stated unreliable, or a person reviews every result before a decision."""
    items = proposal.data_items
    unreliable = (
        None
        if items is None
        else _any3(None if i.reliable is None else not i.reliable for i in items)
    )
    review = None if proposal.sharing is None else proposal.sharing.human_review
    return _any3((None if unreliable is None else not unreliable, review))


def _wholesale(proposal: Proposal) -> bool | None:
    """Blanket, informal or whole-population sharing; false only when stated otherwise."""
    sharing, subjects = proposal.sharing, proposal.data_subjects
    case_by_case = None if sharing is None else sharing.case_by_case
    informal = None if sharing is None else sharing.informal
    whole = None if subjects is None else subjects.whole_population
    if case_by_case is False or informal or whole:
        return True
    return None if case_by_case is None or whole is None else False


LISTS: tuple[FactList, ...] = (
    FactList(
        "data_items",
        "count.data_items",
        "$.data_items",
        "name",
        (
            _item("name", "text", "The item's name."),
            _item(
                "category",
                "DataCategory",
                "What kind of information it is.",
                values=_values(DataCategory),
            ),
            _item(
                "special_category",
                "boolean",
                "Special category data (UK GDPR Art. 9), stated or implied by its category.",
                _is_special,
                "special_category",
            ),
            _item(
                "criminal_offence",
                "boolean",
                "Criminal offence data (UK GDPR Art. 10), stated or implied by its category.",
                _is_criminal,
                "criminal_offence",
            ),
            _item(
                "identifiability",
                "Identifiability",
                "How directly it identifies people.",
                values=_values(Identifiability),
            ),
            _item(
                "justified",
                "boolean",
                "A justification for sharing the item is stated (never false: unstated if not).",
                lambda i: _stated(i.justification),
                "justification",
            ),
            _item(
                "identifiability_reason_given",
                "boolean",
                "A reason for sharing it at this level of identifiability is stated (never "
                "false: unstated if not).",
                lambda i: _stated(i.identifiability_reason),
                "identifiability_reason",
            ),
            _item(
                "collected_in",
                "CollectionContext",
                "Where it came from: the service or setting it was first collected in.",
                values=_values(CollectionContext),
            ),
            _item("reliable", "boolean", "Reliable enough for the decisions made with it."),
        ),
        lambda p: p.data_items,
    ),
    FactList(
        "benefits",
        "count.benefits",
        "$.benefits",
        "description",
        (
            _item("description", "text", "What the benefit is."),
            _item(
                "for_individuals",
                "boolean",
                "It benefits the individuals concerned.",
                lambda b: None if b.beneficiaries is None else _INDIVIDUALS in b.beneficiaries,
                "beneficiaries",
            ),
            _item(
                "for_wider_public",
                "boolean",
                "It benefits the wider public.",
                lambda b: None if b.beneficiaries is None else _WIDER_PUBLIC in b.beneficiaries,
                "beneficiaries",
            ),
            _item(
                "for_organisations",
                "boolean",
                "It benefits the organisations involved.",
                lambda b: None if b.beneficiaries is None else _ORGANISATIONS in b.beneficiaries,
                "beneficiaries",
            ),
            _item(
                "measured",
                "boolean",
                "How the benefit will be measured is stated (never false: unstated if not).",
                lambda b: _stated(b.measure),
                "measure",
            ),
            _item(
                "evidenced",
                "boolean",
                "Evidence for the benefit is given (never false: unstated if not).",
                lambda b: _stated(b.evidence),
                "evidence",
            ),
        ),
        lambda p: p.benefits,
    ),
    FactList(
        "risks",
        "count.risks",
        "$.risks",
        "description",
        (
            _item("description", "text", "What the risk is."),
            _item("likelihood", "Likelihood", "Likelihood of harm.", values=_values(Likelihood)),
            _item("severity", "Severity", "Severity of harm.", values=_values(Severity)),
            _item(
                "mitigated",
                "boolean",
                "At least one mitigation is stated; false if the mitigations are stated as "
                "none ([]), unstated if they are left out.",
                lambda r: _listed(r.mitigations),
                "mitigations",
            ),
            _item(
                "serious",
                "boolean",
                "Severe, or significant and probable, before mitigation; unknown if not rated.",
                _serious,
                "severity",
            ),
            _item(
                "residual_likelihood",
                "Likelihood",
                "Likelihood of harm after the mitigations.",
                values=_values(Likelihood),
            ),
            _item(
                "residual_severity",
                "Severity",
                "Severity of harm after the mitigations.",
                values=_values(Severity),
            ),
            _item(
                "residual_serious",
                "boolean",
                "The risk remaining after the mitigations is still severe, or significant and "
                "probable; unknown if the residual risk is not rated.",
                lambda r: _serious_rating(r.residual_likelihood, r.residual_severity),
                "residual_severity",
            ),
            _item(
                "accepted",
                "boolean",
                "A reason for accepting the remaining risk is stated (never false: unstated "
                "if not).",
                lambda r: _stated(r.accepted_reason),
                "accepted_reason",
            ),
        ),
        lambda p: p.risks,
    ),
    FactList(
        "alternatives",
        "count.alternatives",
        "$.alternatives",
        "description",
        (
            _item("description", "text", "The less intrusive option considered."),
            _item(
                "explained",
                "boolean",
                "Why it was rejected is stated (never false: unstated if not).",
                lambda a: _stated(a.why_rejected),
                "why_rejected",
            ),
        ),
        lambda p: p.alternatives,
    ),
    FactList(
        "parties",
        "count.parties",
        "$.parties",
        "name",
        (
            _item("name", "text", "The organisation's name."),
            _item("sector", "Sector", "Its sector.", values=_values(Sector)),
            _item(
                "provider",
                "boolean",
                "It provides data.",
                lambda p: None if p.roles is None else "provider" in p.roles,
                "roles",
            ),
            _item(
                "recipient",
                "boolean",
                "It receives data.",
                lambda p: None if p.roles is None else "recipient" in p.roles,
                "roles",
            ),
            _item(
                "controller_role",
                "ControllerRole",
                "Its role under UK GDPR.",
                values=_values(ControllerRole),
            ),
            _item("private_contractor", "boolean", "It is a private contractor."),
        ),
        lambda p: p.parties,
    ),
)

_E = _enum_kind

FACTS: tuple[Fact, ...] = (
    # purpose
    _field("purpose.statement", "The purpose as stated."),
    _derived(
        "purpose.statement_words",
        "integer",
        "Number of words in the purpose statement.",
        ("$.purpose.statement",),
        lambda p: _words(_statement(p)),
    ),
    _field(
        "purpose.objectives_count",
        "Number of objectives listed.",
        "purpose.objectives",
        kind="integer",
    ),
    _field(
        "purpose.intended_outcomes_count",
        "Number of intended outcomes listed.",
        "purpose.intended_outcomes",
        kind="integer",
    ),
    _field("purpose.original_collection_purpose", "Why the data was first collected."),
    _field(
        "purpose.compatible_with_original",
        "The new use is stated to be compatible.",
        kind="boolean",
    ),
    _field("purpose.compatibility_reasoning", "Why the new use is compatible."),
    _field("purpose.limits_on_other_uses", "The stated limits on any other use."),
    _field(
        "purpose.onward_sharing", "Whether recipients may pass the data on.", **_E(OnwardSharing)
    ),
    # parties
    _derived(
        "count.parties", "integer", "Number of parties.", ("$.parties",), _count_of("parties")
    ),
    _derived(
        "organisations.any_private_contractor",
        "boolean",
        "A private contractor takes part.",
        ("$.parties",),
        _over("parties", lambda ps: _any3(p.private_contractor for p in ps)),
    ),
    _derived(
        "organisations.any_health_or_care",
        "boolean",
        "A health or social care organisation takes part.",
        ("$.parties",),
        _over(
            "parties",
            lambda ps: _any3(
                None if p.sector is None else p.sector in _HEALTH_AND_CARE for p in ps
            ),
        ),
    ),
    # data
    _derived(
        "count.data_items",
        "integer",
        "Number of data items.",
        ("$.data_items",),
        _count_of("data_items"),
    ),
    _derived(
        "data.any_special_category",
        "boolean",
        "Some item is special category data (Art. 9).",
        ("$.data_items",),
        _over("data_items", lambda items: _any3(_is_special(i) for i in items)),
    ),
    _derived(
        "data.any_criminal_offence",
        "boolean",
        "Some item is criminal offence data (Art. 10).",
        ("$.data_items",),
        _over("data_items", lambda items: _any3(_is_criminal(i) for i in items)),
    ),
    _derived(
        "data.identified_count",
        "integer",
        "Number of items shared identified.",
        ("$.data_items",),
        _over(
            "data_items",
            lambda items: sum(i.identifiability is _IDENTIFIED for i in items),
        ),
    ),
    # data subjects
    _field("subjects.description", "Whose data it is.", "data_subjects.description"),
    _field(
        "subjects.approximate_count",
        "About how many people's data.",
        "data_subjects.approximate_count",
        kind="integer",
    ),
    _field(
        "subjects.includes_children",
        "Children's data is included.",
        "data_subjects.includes_children",
        kind="boolean",
    ),
    _field(
        "subjects.children_justification",
        "Why children's data is needed.",
        "data_subjects.children_justification",
    ),
    _field(
        "subjects.includes_vulnerable",
        "Vulnerable people's data is included.",
        "data_subjects.includes_vulnerable",
        kind="boolean",
    ),
    # sharing
    _field("sharing.method", "How data moves.", **_E(SharingMethod)),
    _field("sharing.frequency", "How often data moves.", **_E(Frequency)),
    _field("sharing.volume_records", "Number of records shared.", kind="integer"),
    _field("sharing.combines_datasets", "Datasets are matched or combined.", kind="boolean"),
    _field(
        "sharing.automated_decisions", "Automated decisions are made about people.", kind="boolean"
    ),
    _field("sharing.systematic_monitoring", "People are systematically monitored.", kind="boolean"),
    _field("sharing.innovative_technology", "Innovative technology is used.", kind="boolean"),
    # alternatives and consequences
    _derived(
        "count.alternatives",
        "integer",
        "Number of alternatives considered.",
        ("$.alternatives",),
        _count_of("alternatives"),
    ),
    _field("consequences_of_not_sharing", "What happens if the data is not shared."),
    # benefits and risks
    _derived(
        "count.benefits",
        "integer",
        "Number of benefits stated.",
        ("$.benefits",),
        _count_of("benefits"),
    ),
    _derived(
        "beneficiaries.individuals",
        "boolean",
        "Some benefit is for the individuals concerned; unknown if none is and some benefit "
        "does not say who it is for.",
        ("$.benefits",),
        _over("benefits", lambda bs: _any3(_benefits(b, _INDIVIDUALS) for b in bs)),
    ),
    _derived(
        "beneficiaries.wider_public",
        "boolean",
        "Some benefit is for the wider public; unknown if none is and some benefit does not "
        "say who it is for.",
        ("$.benefits",),
        _over("benefits", lambda bs: _any3(_benefits(b, _WIDER_PUBLIC) for b in bs)),
    ),
    _derived("count.risks", "integer", "Number of risks stated.", ("$.risks",), _count_of("risks")),
    # legal basis
    _field(
        "legal.article_6",
        "The UK GDPR Art. 6 lawful basis.",
        "legal_basis.article_6",
        **_E(Article6Basis),
    ),
    _field(
        "legal.article_9_condition",
        "The UK GDPR Art. 9 condition.",
        "legal_basis.article_9_condition",
        **_E(Article9Condition),
    ),
    _field(
        "legal.article_10_condition",
        "The Art. 10 / DPA 2018 Sch. 1 condition.",
        "legal_basis.article_10_condition",
    ),
    _field(
        "legal.statutory_gateway",
        "The statutory power or gateway relied on.",
        "legal_basis.statutory_gateway",
    ),
    # governance
    _field("governance.accountable_owner", "The named accountable owner."),
    _field("governance.dpia_status", "State of the DPIA.", **_E(DpiaStatus)),
    _field("governance.dpia_reference", "Reference of the DPIA."),
    _field("governance.data_sharing_agreement", "Reference of the data sharing agreement."),
    _field(
        "governance.dpo_consulted", "The data protection officer was consulted.", kind="boolean"
    ),
    _field(
        "governance.caldicott_guardian_approved", "A Caldicott Guardian approved.", kind="boolean"
    ),
    _field("governance.review_date", "When the sharing will be reviewed.", kind="date"),
    _field("governance.evaluation_plan", "How outcomes will be evaluated."),
    # safeguards
    _field("safeguards.access_control", "Who may access the data, and how."),
    _field(
        "safeguards.security_measures_count",
        "Number of security measures listed.",
        "safeguards.security_measures",
        kind="integer",
    ),
    _field("safeguards.setting", "Where recipients work with the data.", **_E(Setting)),
    _field("safeguards.retention_period", "How long data is kept (ISO 8601 period)."),
    _derived(
        "safeguards.retention_days",
        "integer",
        "The retention period in days (a year as 365, a month as 30).",
        ("$.safeguards.retention_period",),
        lambda p: (lambda r: None if r is None else r.approx_days)(
            _at(p, "safeguards.retention_period")
        ),
    ),
    _field(
        "safeguards.retention_reason",
        "Why the purpose needs the data for as long as the retention period.",
    ),
    _field(
        "safeguards.kept_indefinitely",
        "The data is kept with no end date.",
        kind="boolean",
    ),
    _field("safeguards.deletion_method", "How data is deleted at the end."),
    _field("safeguards.audit_logging", "Access is logged for audit.", kind="boolean"),
    _field("safeguards.breach_procedure", "A breach procedure is in place.", kind="boolean"),
    _field("safeguards.international_transfer", "Data leaves the UK.", kind="boolean"),
    _field("safeguards.transfer_safeguard", "The safeguard for an international transfer."),
    # transparency
    _field("transparency.privacy_notice", "Where the privacy notice is."),
    _field("transparency.register_entry", "The published register entry."),
    _field("transparency.purpose_published", "The purpose is published.", kind="boolean"),
    _field("transparency.individuals_informed", "The people concerned are told.", kind="boolean"),
    _field("transparency.plain_language_summary", "A plain-language summary."),
    _field("transparency.challenge_route", "How people can question or challenge it."),
    _field(
        "transparency.engagement_done",
        "The public was engaged.",
        "transparency.public_engagement.done",
        kind="boolean",
    ),
    _field(
        "transparency.engagement_findings",
        "What public engagement found.",
        "transparency.public_engagement.findings",
    ),
    # resources
    _field("resources.cost_gbp", "Cost in pounds.", kind="number"),
    _field("resources.staff_days", "Staff time in days.", kind="number"),
    _field("resources.expected_savings_gbp", "Expected savings in pounds.", kind="number"),
    # content checks: what free text says, read as a reviewer would at a glance
    _derived(
        "purpose.specific_words",
        "integer",
        "Number of distinct words in the purpose statement that are not generic (not "
        "function words, nor words such as data, share, improve, services, outcomes).",
        ("$.purpose.statement",),
        lambda p: specific_words(_statement(p)),
    ),
    _derived(
        "data.any_identified",
        "boolean",
        "Some item is shared identified; unknown if none is and some item does not say how "
        "identifiable it is.",
        ("$.data_items",),
        _over(
            "data_items",
            lambda items: _any3(
                None if i.identifiability is None else i.identifiability is _IDENTIFIED
                for i in items
            ),
        ),
    ),
    _derived(
        "dates.proposal",
        "date",
        "The proposal's own date: when it was last updated, or else created.",
        ("$.updated", "$.created"),
        lambda p: _plain(p.updated or p.created),
    ),
    _derived(
        "dates.updated_not_before_created",
        "boolean",
        "The proposal was last updated on or after the day it was created; unstated unless "
        "both are stated.",
        ("$.updated", "$.created"),
        lambda p: None if p.updated is None or p.created is None else p.updated >= p.created,
    ),
    _derived(
        "governance.review_after_proposal",
        "boolean",
        "The review date is after the proposal's own date; unstated unless both are stated.",
        ("$.governance.review_date",),
        lambda p: _after(_at(p, "governance.review_date"), p.updated or p.created),
    ),
    _derived(
        "governance.review_not_past",
        "boolean",
        "The review date is on or after the date of the assessment (its as_of date).",
        ("$.governance.review_date",),
        lambda p: None,  # set by build_facts, which knows the as_of date
    ),
    _derived(
        "assessment.as_of",
        "date",
        "The date the assessment is made as of (today unless given).",
        ("(assessment)",),
        lambda p: None,  # set by build_facts
    ),
    _derived(
        "resources.savings_ratio",
        "number",
        "Expected savings divided by cost (to two decimal places); unstated unless both are "
        "stated and the cost is above zero.",
        ("$.resources.expected_savings_gbp", "$.resources.cost_gbp"),
        lambda p: _ratio(_at(p, "resources.expected_savings_gbp"), _at(p, "resources.cost_gbp")),
    ),
    _derived(
        "safeguards.retention_years",
        "number",
        "The retention period in years (its days, a year as 365 and a month as 30, over "
        "365; to four decimal places).",
        ("$.safeguards.retention_period",),
        lambda p: (lambda r: None if r is None else round(r.approx_days / 365, 4))(
            _at(p, "safeguards.retention_period")
        ),
    ),
    _derived(
        "safeguards.access_restricted",
        "boolean",
        "The access control limits access to people with a need (named staff, roles, "
        '"only"); false if it opens access to anyone or everyone; unstated if it says '
        "neither.",
        ("$.safeguards.access_control",),
        lambda p: access_restricted(_access_control(p)),
    ),
    # sections: given with at least one field stated (true), or not (unstated; never false)
    *(
        _derived(
            f"stated.{section}",
            "boolean",
            f"The {section.replace('_', ' ')} section is given with at least one field "
            "stated; unstated otherwise (never false).",
            (f"$.{section}",),
            _section_stated(section),
        )
        for section in (
            "purpose",
            "legal_basis",
            "governance",
            "safeguards",
            "transparency",
            "resources",
        )
    ),
    # what the data is used to do, and where it came from (issue 11)
    *(
        _derived(
            f"purpose.kind.{kind.value}",
            "boolean",
            f"The data is used for {kind.value.replace('_', ' ')}; unknown if the kinds of "
            "use are not stated.",
            ("$.purpose.kinds",),
            _member("purpose", "kinds", kind),
        )
        for kind in PurposeKind
    ),
    *(
        _derived(
            f"purpose.decision.{kind.value}",
            "boolean",
            f"A decision about individuals ({kind.value.replace('_', ' ')}) follows; unknown "
            "if the decisions are not stated.",
            ("$.purpose.decisions",),
            _member("purpose", "decisions", kind),
        )
        for kind in DecisionKind
    ),
    _derived(
        "purpose.population_only",
        "boolean",
        "Every kind of use stated is planning or research: no service, decision or action "
        "about an individual.",
        ("$.purpose.kinds",),
        _population_only,
    ),
    _derived(
        "purpose.adverse_decisions",
        "boolean",
        "A sanction or a denial of a service or benefit follows for individuals.",
        ("$.purpose.decisions",),
        _adverse,
    ),
    _derived(
        "data.any_given_in_confidence",
        "boolean",
        "Some item was collected in confidence or to give care, education or support (health "
        "care, social care, education, a victim's or witness's report).",
        ("$.data_items",),
        _over(
            "data_items",
            lambda items: _any3(
                None if i.collected_in is None else i.collected_in in IN_CONFIDENCE for i in items
            ),
        ),
    ),
    _derived(
        "data.fit_for_decisions",
        "boolean",
        "No item is stated to be unreliable, or a person reviews every result before anything "
        "is decided about an individual.",
        ("$.data_items", "$.sharing.human_review"),
        _fit_for_decisions,
    ),
    _field(
        "subjects.whole_population",
        "It covers a whole population.",
        "data_subjects.whole_population",
        kind="boolean",
    ),
    _field(
        "subjects.children_best_interests",
        "The children's best interests were assessed.",
        "data_subjects.children_best_interests",
        kind="boolean",
    ),
    _field("sharing.profiling", "Individuals are scored, profiled or predicted.", kind="boolean"),
    _field("sharing.human_review", "A person reviews every result first.", kind="boolean"),
    _field("sharing.case_by_case", "Each disclosure is decided case by case.", kind="boolean"),
    _field("sharing.informal", "The sharing is informal.", kind="boolean"),
    _derived(
        "sharing.wholesale",
        "boolean",
        "Blanket (not case by case), informal, or whole-population sharing.",
        (
            "$.sharing.case_by_case",
            "$.sharing.informal",
            "$.data_subjects.whole_population",
        ),
        _wholesale,
    ),
    _field(
        "legal.confidentiality_basis",
        "What sets aside the duty of confidence.",
        "legal_basis.confidentiality_basis",
        **_E(ConfidentialityBasis),
    ),
    _field(
        "legal.clear_law_with_safeguards",
        "The sharing rests on clear law with safeguards (ECHR Art. 8).",
        "legal_basis.clear_law_with_safeguards",
        kind="boolean",
    ),
    _field(
        "governance.use_monitored",
        "Recipients and their use of the data are checked.",
        kind="boolean",
    ),
    _field(
        "governance.equality_impact_assessed",
        "The equality impact was assessed.",
        kind="boolean",
    ),
    _field(
        "governance.research_approval",
        "An ethics committee or access panel approved.",
        kind="boolean",
    ),
    _field(
        "transparency.opt_outs_honoured",
        "Objections and opt-outs are honoured.",
        kind="boolean",
    ),
    _derived(
        "harm.any_serious",
        "boolean",
        "Some risk is of severe harm, or of significant harm that is probable (before "
        "mitigation); unknown if none is and some risk is not rated.",
        ("$.risks",),
        _over("risks", lambda rs: _any3(_serious(r) for r in rs)),
    ),
    _derived(
        "beneficiaries.individuals_evidenced",
        "boolean",
        "Some benefit for the individuals concerned has evidence given for it.",
        ("$.benefits",),
        _over(
            "benefits",
            lambda bs: _any3(
                None
                if b.beneficiaries is None
                else (_INDIVIDUALS in b.beneficiaries and b.evidence is not None)
                for b in bs
            ),
        ),
    ),
)


LISTS_BY_PATH: dict[str, FactList] = {lst.path: lst for lst in LISTS}


def _compile_builder() -> Callable[[Proposal], dict[str, Any]]:
    """The fact document's builder, written once from the vocabulary as one Python function:
    each section of the proposal read once, each copied field inline, each other fact by its
    getter, in the order the vocabulary names them (as :func:`reference_facts` has them)."""
    names: dict[Any, str] = {}  # the namespace: getters and helpers by generated name
    sections: dict[str, str] = {"": "p"}  # attribute path -> variable holding it
    lines: list[str] = []

    def name_of(value: Any) -> str:
        return names.setdefault(value, f"_g{len(names)}")

    def holder(prefix: str) -> str:
        """The variable holding the proposal's object at a dotted attribute path."""
        if prefix not in sections:
            parent, _, last = prefix.rpartition(".")
            outer = holder(parent)
            var = sections[prefix] = "s_" + prefix.replace(".", "_")
            read = (
                f"{outer}.{last}"
                if outer == "p"
                else f"None if {outer} is None else {outer}.{last}"
            )
            lines.append(f"    {var} = {read}")
        return sections[prefix]

    def value(get: Getter, root: str) -> str:
        """The expression for a fact of ``root`` (the proposal ``p``, or a list item ``i``)."""
        dotted = _COPIES.get(get)
        if dotted is None or (root != "p" and "." in dotted):
            return f"{name_of(get)}({root})"
        prefix, _, last = dotted.rpartition(".")
        outer = holder(prefix) if root == "p" else root
        read = f"_copy({outer}.{last})"
        return read if outer == root else f"(None if {outer} is None else {read})"

    def level(node: dict[str, Any], pad: str) -> str:
        entries = [
            f"{pad}    {name!r}: "
            + (level(inner, pad + "    ") if isinstance(inner, dict) else value(inner, "p"))
            + ","
            for name, inner in node.items()
        ]
        return "{\n" + "\n".join(entries) + f"\n{pad}}}"

    tree: dict[str, Any] = {}
    for fact in FACTS:
        *outer, last = fact.path.split(".")
        node = tree
        for part in outer:
            node = node.setdefault(part, {})
        node[last] = fact.get
    body = f"    return {{\n        {PROPOSAL_KEY!r}: p,\n" + level(tree, "    ")[2:-1].rstrip(" ")
    for lst in LISTS:
        fields = ", ".join(f"{f.path!r}: {value(f.get, 'i')}" for f in lst.items)
        items = name_of(lst.get)
        body += (
            f"        {lst.path!r}: [] if (l := {items}(p)) is None"
            f" else [{{{fields}}} for i in l],\n"
        )
    source = "def build(p):\n" + "\n".join(lines) + "\n" + body + "    }\n"
    namespace: dict[str, Any] = {v: k for k, v in names.items()}
    namespace["_copy"] = _plain
    exec(compile(source, "<fact document builder>", "exec"), namespace)
    build: Callable[[Proposal], dict[str, Any]] = namespace["build"]
    build.__doc__ = source  # what it runs, for anyone debugging it
    return build


def at_path(doc: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    """The value of a fact document (plain dicts) at a split dotted path; ``None`` if absent."""
    value: Any = doc
    for name in parts:
        if type(value) is not dict:
            return None
        value = value.get(name)
    return value


#: The key under which the fact document carries the proposal itself, for explanations
#: only (to quote a non-answer); it is not a fact, and rules cannot name it.
PROPOSAL_KEY = "$proposal"
_build = _compile_builder()


def today() -> dt.date:
    """The default as_of date of an assessment: today in UTC."""
    return dt.datetime.now(dt.UTC).date()


def build_facts(proposal: Proposal, as_of: dt.date | None = None) -> dict[str, Any]:
    """The fact document for a proposal, assessed as of a date (today by default): nested
    mappings keyed by the dotted paths."""
    doc = _build(proposal)
    as_of = as_of or today()
    review = _at(proposal, "governance.review_date")
    doc["governance"]["review_not_past"] = None if review is None else review >= as_of
    doc["assessment"]["as_of"] = as_of.isoformat()
    return doc


def reference_facts(proposal: Proposal, as_of: dt.date) -> dict[str, Any]:
    """The fact document built the plain way, one fact at a time by its getter: what
    :func:`build_facts` must give (a test compares them)."""
    doc: dict[str, Any] = {PROPOSAL_KEY: proposal}
    for fact in FACTS:
        *outer, last = fact.path.split(".")
        node = doc
        for part in outer:
            node = node.setdefault(part, {})
        node[last] = fact.get(proposal)
    review = _at(proposal, "governance.review_date")
    doc["governance"]["review_not_past"] = None if review is None else review >= as_of
    doc["assessment"]["as_of"] = as_of.isoformat()
    for lst in LISTS:
        items = lst.get(proposal)
        doc[lst.path] = (
            [] if items is None else [{f.path: f.get(i) for f in lst.items} for i in items]
        )
    return doc
