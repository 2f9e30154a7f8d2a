"""Hypothesis strategies for proposals, for testing systems that embed ``sharing_rules``.

Install with ``pip install "sharing-rules[hypothesis]"``. Every function returns a
strategy; none takes "a value or a strategy". Arguments are checked when the function is
called, and bad ones raise :class:`hypothesis.errors.InvalidArgument`.

* :func:`proposals` gives valid :class:`~sharing_rules.Proposal` objects: sparse ones with
  most fields unstated, complete ones with every field stated, and, on request, proposals
  built to reach an outcome or to fail a test or a rule of the framework (or another pack).
* :func:`proposal_dicts` gives input documents (plain JSON-like data), valid or, with
  ``valid=False``, each with at least one problem the loader rejects.
* :func:`parties`, :func:`data_items`, :func:`benefits`, :func:`risks`,
  :func:`alternatives` and :func:`periods` give the parts of a proposal.

Installing the package registers :func:`proposals` (and the parts) with
:func:`hypothesis.strategies.from_type`, so ``st.from_type(Proposal)`` works.
"""

from __future__ import annotations

try:
    from hypothesis import assume, event
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sharing_rules.strategies needs Hypothesis; install it with: "
        'pip install "sharing-rules[hypothesis]"'
    ) from exc

import copy
import datetime as dt
import functools
import string
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

import attrs

from ._assess import Assessor
from ._conditions import facts_named
from ._errors import ProposalError, did_you_mean
from ._facts import LISTS_BY_PATH, SPECIAL_CATEGORIES
from ._load import proposal_from_dict, proposal_to_dict
from ._model import (
    AlternativeOption,
    Article6Basis,
    Article9Condition,
    Beneficiary,
    Benefit,
    CollectionContext,
    ConfidentialityBasis,
    ControllerRole,
    DataCategory,
    DataItem,
    DataSubjects,
    DecisionKind,
    DpiaStatus,
    Frequency,
    Governance,
    Identifiability,
    LegalBasis,
    Likelihood,
    OnwardSharing,
    Party,
    PartyRole,
    Period,
    Proposal,
    PublicEngagement,
    Purpose,
    PurposeKind,
    Resources,
    Risk,
    Safeguards,
    Sector,
    Setting,
    Severity,
    Sharing,
    SharingMethod,
    Transparency,
)
from ._rules import Rule, RulePack, RuleSeverity, load_rules
from ._verdict import Outcome, Status, TestStatus, Verdict

__all__ = [
    "alternatives",
    "benefits",
    "data_items",
    "parties",
    "periods",
    "proposal_dicts",
    "proposals",
    "risks",
]

T = TypeVar("T")
SearchStrategy = st.SearchStrategy

# ------------------------------------------------------------------------------ values

_CLAUSES = (
    "the council shares names and addresses of eligible residents",
    "the fire service offers each resident a free home safety visit",
    "only named staff in the prevention team may open the list",
    "records are matched once a month on a secure platform",
    "families who need early help are offered a named key worker",
    "the school nursing team contacts parents before any referral",
    "people who object are removed from the next extract",
    "the data is kept on secure systems in the United Kingdom",
    "aggregate figures are published every quarter on the council website",
    "the partnership board reviews the sharing every year",
    "older people living alone are at the highest risk of harm",
    "the housing team checks eligibility for council tax reduction",
    "a pilot with four hundred households showed clear benefits",
    "no data is used for enforcement or marketing of any kind",
    "identifiable data is used only where a visit needs it",
    "the recipient deletes the extract within thirty five days",
    "hospital discharge teams are told about support needs in advance",
    "residents are told about the sharing in a letter and online",
    "a data protection impact assessment was completed and signed off",
    "the resident panel asked for plain language and an easy opt out",
)
_NAMES = (
    "Full name",
    "Address and postcode",
    "Date of birth",
    "NHS number",
    "Age band",
    "Lives alone flag",
    "Care package indicator",
    "School attended",
    "Tenancy reference",
    "Council tax account",
    "Ashvale Borough Council",
    "Riverside NHS Foundation Trust",
    "South Pennine Fire and Rescue Service",
    "Northshire Police",
    "Riverside ICB",
    "Ashvale Housing Trust",
    "Northshire County Council Children's Services",
)


def _clauses(size: int) -> SearchStrategy[str]:
    """Sentences of ``size`` clauses (each of at least eight words); cheap to draw."""
    clause = st.sampled_from(_CLAUSES)
    return st.tuples(*[clause] * size).map(lambda ps: "; ".join(ps).capitalize() + ".")


def _non_blank(text: str) -> str:
    return text if text.strip() else text + "x"


#: Any non-blank text, from plain sentences to arbitrary Unicode.
_TEXT: SearchStrategy[str] = st.one_of(
    st.sampled_from(_NAMES), _clauses(1), st.text(min_size=1, max_size=24).map(_non_blank)
)
_IDS: SearchStrategy[str] = st.one_of(
    st.from_regex(r"DSP-20[0-9]{2}-[0-9]{3}", fullmatch=True), _TEXT
)
_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
_COUNTS = st.integers(min_value=0, max_value=10**9)
#: The model takes amounts of 0, or from 0.01 up to 10^15.
_AMOUNTS: SearchStrategy[float] = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    st.floats(min_value=0.01, max_value=1e15, allow_nan=False, allow_infinity=False),
)


def _maybe(strategy: SearchStrategy[T]) -> SearchStrategy[T | None]:
    """``None`` ("not stated") or a value; shrinks towards ``None``."""
    return st.none() | strategy


def _tuples(
    elements: SearchStrategy[T], min_size: int = 0, max_size: int = 4
) -> SearchStrategy[tuple[T, ...]]:
    return st.lists(elements, min_size=min_size, max_size=max_size).map(tuple)


def _named(name: str, strategy: SearchStrategy[T], **shown: Any) -> SearchStrategy[T]:
    """``strategy`` with a short repr, ``name(**shown)``, in place of its (huge) own."""

    def draw_it(draw: st.DrawFn, /, **_: Any) -> T:
        return draw(strategy)

    draw_it.__name__ = draw_it.__qualname__ = name
    return st.composite(draw_it)(**shown)


def _builds(cls: type[T], **fields: SearchStrategy[Any]) -> SearchStrategy[T]:
    """``st.builds`` with a strategy for every field of a model class; a field the model
    gains and this module does not know fails at import, not silently stays unstated."""
    missing = {f.name for f in attrs.fields(typing.cast(Any, cls))} - set(fields)
    if missing:  # pragma: no cover - the model changed
        raise TypeError(f"sharing_rules.strategies has no strategy for {cls}: {missing}")
    return st.builds(cls, **fields)


@attrs.frozen(repr=False)
class _Shown:
    """An argument as shown in a strategy's repr."""

    text: str

    def __repr__(self) -> str:
        return self.text


def _enum(cls: type[Enum]) -> SearchStrategy[Any]:
    return st.sampled_from(cls)


# ----------------------------------------------------------------------- part strategies


def periods() -> SearchStrategy[Period]:
    """Calendar periods such as retention periods (``P6Y``, ``P18M``, ``P90D``)."""
    small = st.integers(min_value=0, max_value=30)
    return _named(
        "periods",
        _builds(
            Period,
            years=small,
            months=st.integers(min_value=0, max_value=24),
            days=st.integers(min_value=0, max_value=400),
        ),
    )


def parties() -> SearchStrategy[Party]:
    """Organisations taking part, with any of their optional fields unstated."""
    return _named(
        "parties",
        _builds(
            Party,
            name=_TEXT,
            roles=_maybe(_tuples(_enum(PartyRole), 1, 2)),
            sector=_maybe(_enum(Sector)),
            controller_role=_maybe(_enum(ControllerRole)),
            private_contractor=_maybe(st.booleans()),
        ),
    )


def data_items() -> SearchStrategy[DataItem]:
    """Data items, with any of their optional fields unstated."""
    return _named(
        "data_items",
        _builds(
            DataItem,
            name=_TEXT,
            description=_maybe(_TEXT),
            category=_maybe(_enum(DataCategory)),
            special_category=_maybe(st.booleans()),
            criminal_offence=_maybe(st.booleans()),
            identifiability=_maybe(_enum(Identifiability)),
            justification=_maybe(_TEXT),
            identifiability_reason=_maybe(_TEXT),
            collected_in=_maybe(_enum(CollectionContext)),
            reliable=_maybe(st.booleans()),
        ),
    )


def benefits() -> SearchStrategy[Benefit]:
    """Expected benefits, with any of their optional fields unstated."""
    return _named(
        "benefits",
        _builds(
            Benefit,
            description=_TEXT,
            beneficiaries=_maybe(_tuples(_enum(Beneficiary), 1, 3)),
            features=_maybe(_tuples(st.integers(min_value=1, max_value=5), 0, 5)),
            measure=_maybe(_TEXT),
            evidence=_maybe(_TEXT),
        ),
    )


def risks() -> SearchStrategy[Risk]:
    """Risks of harm, with any of their optional fields unstated."""
    return _named(
        "risks",
        _builds(
            Risk,
            description=_TEXT,
            likelihood=_maybe(_enum(Likelihood)),
            severity=_maybe(_enum(Severity)),
            mitigations=_maybe(_tuples(_TEXT)),
            residual_likelihood=_maybe(_enum(Likelihood)),
            residual_severity=_maybe(_enum(Severity)),
            accepted_reason=_maybe(_TEXT),
        ),
    )


def alternatives() -> SearchStrategy[AlternativeOption]:
    """Less intrusive options considered, with or without why they were rejected."""
    return _named(
        "alternatives",
        _builds(AlternativeOption, description=_TEXT, why_rejected=_maybe(_TEXT)),
    )


def _purposes() -> SearchStrategy[Purpose]:
    return _builds(
        Purpose,
        statement=_maybe(st.one_of(_TEXT, st.one_of(_clauses(2), _clauses(3)))),
        objectives=_maybe(_tuples(_TEXT)),
        intended_outcomes=_maybe(_tuples(_TEXT)),
        original_collection_purpose=_maybe(_TEXT),
        compatible_with_original=_maybe(st.booleans()),
        compatibility_reasoning=_maybe(_TEXT),
        limits_on_other_uses=_maybe(_TEXT),
        onward_sharing=_maybe(_enum(OnwardSharing)),
        kinds=_maybe(_tuples(_enum(PurposeKind), 1, 3)),
        decisions=_maybe(_tuples(_enum(DecisionKind), 0, 2)),
    )


def _subjects() -> SearchStrategy[DataSubjects]:
    return _builds(
        DataSubjects,
        description=_maybe(_TEXT),
        approximate_count=_maybe(_COUNTS),
        includes_children=_maybe(st.booleans()),
        children_justification=_maybe(_TEXT),
        includes_vulnerable=_maybe(st.booleans()),
        whole_population=_maybe(st.booleans()),
        children_best_interests=_maybe(st.booleans()),
    )


def _sharings() -> SearchStrategy[Sharing]:
    flag = _maybe(st.booleans())
    return _builds(
        Sharing,
        method=_maybe(_enum(SharingMethod)),
        frequency=_maybe(_enum(Frequency)),
        volume_records=_maybe(_COUNTS),
        combines_datasets=flag,
        combination_detail=_maybe(_TEXT),
        automated_decisions=flag,
        systematic_monitoring=flag,
        innovative_technology=flag,
        profiling=flag,
        human_review=flag,
        case_by_case=flag,
        informal=flag,
    )


def _legal_bases() -> SearchStrategy[LegalBasis]:
    return _builds(
        LegalBasis,
        article_6=_maybe(_enum(Article6Basis)),
        article_9_condition=_maybe(_enum(Article9Condition)),
        article_10_condition=_maybe(_TEXT),
        statutory_gateway=_maybe(_TEXT),
        confidentiality_basis=_maybe(_enum(ConfidentialityBasis)),
        clear_law_with_safeguards=_maybe(st.booleans()),
    )


def _governances() -> SearchStrategy[Governance]:
    flag = _maybe(st.booleans())
    return _builds(
        Governance,
        accountable_owner=_maybe(_TEXT),
        dpia_status=_maybe(_enum(DpiaStatus)),
        dpia_reference=_maybe(_TEXT),
        data_sharing_agreement=_maybe(_TEXT),
        dpo_consulted=flag,
        caldicott_guardian_approved=flag,
        review_date=_maybe(_DATES),
        evaluation_plan=_maybe(_TEXT),
        use_monitored=flag,
        equality_impact_assessed=flag,
        research_approval=flag,
    )


def _safeguards() -> SearchStrategy[Safeguards]:
    flag = _maybe(st.booleans())
    # A retention period and kept_indefinitely: true contradict each other (the model
    # refuses both): one or the other, or neither.
    retention = st.one_of(
        st.tuples(_maybe(periods()), _maybe(st.just(False))),
        st.tuples(st.none(), st.just(True)),
    )
    return retention.flatmap(
        lambda kept: _builds(
            Safeguards,
            access_control=_maybe(_TEXT),
            security_measures=_maybe(_tuples(_TEXT)),
            setting=_maybe(_enum(Setting)),
            retention_period=st.just(kept[0]),
            retention_reason=_maybe(_TEXT),
            kept_indefinitely=st.just(kept[1]),
            deletion_method=_maybe(_TEXT),
            audit_logging=flag,
            breach_procedure=flag,
            international_transfer=flag,
            transfer_safeguard=_maybe(_TEXT),
        )
    )


def _transparencies() -> SearchStrategy[Transparency]:
    flag = _maybe(st.booleans())
    engagement = _builds(PublicEngagement, done=flag, method=_maybe(_TEXT), findings=_maybe(_TEXT))
    return _builds(
        Transparency,
        privacy_notice=_maybe(_TEXT),
        register_entry=_maybe(_TEXT),
        purpose_published=flag,
        individuals_informed=flag,
        plain_language_summary=_maybe(_TEXT),
        challenge_route=_maybe(_TEXT),
        public_engagement=_maybe(engagement),
        opt_outs_honoured=flag,
    )


def _resources() -> SearchStrategy[Resources]:
    return _builds(
        Resources,
        cost_gbp=_maybe(_AMOUNTS),
        staff_days=_maybe(_AMOUNTS),
        expected_savings_gbp=_maybe(_AMOUNTS),
        notes=_maybe(_TEXT),
    )


def _sparse_proposals() -> SearchStrategy[Proposal]:
    """Any valid proposal: each field stated or not, independently; shrinks to id and title."""
    return _builds(
        Proposal,
        id=_IDS,
        title=_TEXT,
        version=_maybe(_TEXT),
        created=_maybe(_DATES),
        updated=_maybe(_DATES),
        parties=_maybe(_tuples(parties())),
        purpose=_maybe(_purposes()),
        data_items=_maybe(_tuples(data_items())),
        data_subjects=_maybe(_subjects()),
        sharing=_maybe(_sharings()),
        alternatives=_maybe(_tuples(alternatives(), max_size=3)),
        consequences_of_not_sharing=_maybe(_TEXT),
        benefits=_maybe(_tuples(benefits())),
        risks=_maybe(_tuples(risks())),
        legal_basis=_maybe(_legal_bases()),
        governance=_maybe(_governances()),
        safeguards=_maybe(_safeguards()),
        transparency=_maybe(_transparencies()),
        resources=_maybe(_resources()),
        public=_maybe(st.booleans()),
    )


# ------------------------------------------------------------------ complete proposals

_PUBLIC_SECTORS = tuple(s for s in Sector if s not in (Sector.PRIVATE, Sector.OTHER))
_SECURE_METHODS = (
    SharingMethod.SECURE_TRANSFER,
    SharingMethod.API,
    SharingMethod.SHARED_PLATFORM,
    SharingMethod.SECURE_ENVIRONMENT,
)
_NAME = st.sampled_from(_NAMES)
_MAYBE_VERSION = _maybe(st.sampled_from(["1", "1.1", "2.0"]))
_PUBLIC_SECTOR = st.sampled_from(_PUBLIC_SECTORS)
_SECURE_METHOD = st.sampled_from(_SECURE_METHODS)
_SENTENCE = _clauses(1)
_STATEMENT = _clauses(3)
_MAYBE_SENTENCE = _maybe(_SENTENCE)


def _notes(min_size: int = 1, max_size: int = 3) -> SearchStrategy[tuple[str, ...]]:
    return _tuples(_SENTENCE, min_size, max_size)


def _between(low: int, high: int) -> SearchStrategy[int]:
    return st.integers(min_value=low, max_value=high)


_BOOLEANS = st.booleans()
_ROLES = _tuples(_enum(PartyRole), 1, 2)
_BENEFICIARIES = _tuples(_enum(Beneficiary), 1, 2)
_EXTRA_FEATURES = _tuples(_between(1, 5), 0, 2)


@st.composite
def _complete_party(draw: st.DrawFn, role: PartyRole | None = None) -> Party:
    return Party(
        name=draw(_NAME),
        roles=(role,) if role is not None else draw(_ROLES),
        sector=draw(_PUBLIC_SECTOR),
        controller_role=draw(_enum(ControllerRole)),
        private_contractor=False,
    )


@st.composite
def _complete_data_item(draw: st.DrawFn) -> DataItem:
    category = draw(_enum(DataCategory))
    return DataItem(
        name=draw(_NAME),
        description=draw(_MAYBE_SENTENCE),
        category=category,
        special_category=category in SPECIAL_CATEGORIES,
        criminal_offence=category is DataCategory.CRIMINAL_OFFENCE,
        identifiability=draw(_enum(Identifiability)),
        justification=draw(_SENTENCE),
        identifiability_reason=draw(_SENTENCE),
        collected_in=draw(_enum(CollectionContext)),
        reliable=True,
    )


@st.composite
def _complete_benefit(
    draw: st.DrawFn, beneficiary: Beneficiary | None = None, features: tuple[int, ...] = ()
) -> Benefit:
    extra = draw(_EXTRA_FEATURES)
    return Benefit(
        description=draw(_SENTENCE),
        beneficiaries=(beneficiary,) if beneficiary else draw(_BENEFICIARIES),
        features=tuple(sorted({*features, *extra})) or (1,),
        measure=draw(_SENTENCE),
        evidence=draw(_SENTENCE),
    )


# Strategies are built once: building them in every draw costs more than drawing from them.
_PROVIDER = _complete_party(PartyRole.PROVIDER)
_RECIPIENT = _complete_party(PartyRole.RECIPIENT)
_MORE_PARTIES = _tuples(_complete_party(), 0, 2)
_COMPLETE_ITEMS = _tuples(_complete_data_item(), 1, 5)
_FOR_INDIVIDUALS = _complete_benefit(Beneficiary.INDIVIDUALS, (1, 3))
_FOR_THE_PUBLIC = _complete_benefit(Beneficiary.WIDER_PUBLIC, (2, 4))
_MORE_BENEFITS = _tuples(_complete_benefit(), 0, 2)
_MODERATE_RISKS = _tuples(
    st.builds(
        Risk,
        description=_SENTENCE,
        likelihood=st.sampled_from((Likelihood.REMOTE, Likelihood.POSSIBLE)),
        severity=st.sampled_from((Severity.MINIMAL, Severity.SIGNIFICANT)),
        mitigations=_notes(1, 3),
        residual_likelihood=st.just(Likelihood.REMOTE),
        residual_severity=st.just(Severity.MINIMAL),
        accepted_reason=_SENTENCE,
    ),
    1,
    4,
)
_EXPLAINED_ALTERNATIVES = _tuples(
    st.builds(AlternativeOption, description=_SENTENCE, why_rejected=_SENTENCE), 1, 3
)
_CREATED = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
_RESTRICTED = st.sampled_from((OnwardSharing.PROHIBITED, OnwardSharing.WITH_PROVIDER_AGREEMENT))
_PUBLIC_BASES = st.sampled_from((Article6Basis.PUBLIC_TASK, Article6Basis.LEGAL_OBLIGATION))
_SAFE_SETTINGS = st.sampled_from(
    (Setting.SECURE_RECIPIENT_SYSTEMS, Setting.TRUSTED_RESEARCH_ENVIRONMENT)
)
_NOTES = _notes()
_MEASURES = _notes(1, 4)
#: Legitimate kinds of use: care or a service, safeguarding, planning, research, fraud control.
_LEGITIMATE_KINDS = _tuples(
    st.sampled_from(
        (
            PurposeKind.INDIVIDUAL_SERVICE,
            PurposeKind.SAFEGUARDING,
            PurposeKind.PLANNING,
            PurposeKind.RESEARCH,
            PurposeKind.FRAUD_OR_ERROR,
        )
    ),
    1,
    2,
)
_DECISIONS = _tuples(_enum(DecisionKind), 0, 2)
_CONFIDENTIALITY_BASES = st.sampled_from(
    (
        ConfidentialityBasis.CONSENT,
        ConfidentialityBasis.STATUTORY,
        ConfidentialityBasis.S251_SUPPORT,
    )
)


@st.composite
def _complete_proposal(draw: st.DrawFn) -> Proposal:
    """A proposal with every field stated, the way a careful proposer would state it."""
    created = draw(_CREATED)
    updated = created + dt.timedelta(days=draw(_between(0, 120)))
    review = updated + dt.timedelta(days=draw(_between(90, 1095)))
    items = draw(_COMPLETE_ITEMS)
    special = any(i.special_category for i in items)
    criminal = any(i.criminal_offence for i in items)
    children, combines, transfer = draw(_BOOLEANS), draw(_BOOLEANS), draw(_BOOLEANS)
    count = draw(_between(1, 2_000_000))
    cost = draw(_between(0, 5_000_000))
    return Proposal(
        id=draw(_IDS),
        title=draw(_SENTENCE),
        version=draw(_MAYBE_VERSION),
        created=created,
        updated=updated,
        parties=(draw(_PROVIDER), draw(_RECIPIENT), *draw(_MORE_PARTIES)),
        purpose=Purpose(
            statement=draw(_STATEMENT),
            objectives=draw(_NOTES),
            intended_outcomes=draw(_NOTES),
            original_collection_purpose=draw(_SENTENCE),
            compatible_with_original=True,
            compatibility_reasoning=draw(_SENTENCE),
            limits_on_other_uses=draw(_SENTENCE),
            onward_sharing=draw(_RESTRICTED),
            kinds=tuple(dict.fromkeys(draw(_LEGITIMATE_KINDS))),
            decisions=tuple(dict.fromkeys(draw(_DECISIONS))),
        ),
        data_items=items,
        data_subjects=DataSubjects(
            description=draw(_SENTENCE),
            approximate_count=count,
            includes_children=children,
            children_justification=draw(_SENTENCE) if children else None,
            includes_vulnerable=draw(_BOOLEANS),
            whole_population=draw(_BOOLEANS),
            children_best_interests=True if children else None,
        ),
        sharing=Sharing(
            method=draw(_SECURE_METHOD),
            frequency=draw(_enum(Frequency)),
            volume_records=min(count, draw(_between(1, 2_000_000))),
            combines_datasets=combines,
            combination_detail=draw(_SENTENCE) if combines else None,
            automated_decisions=False,
            systematic_monitoring=False,
            innovative_technology=draw(_BOOLEANS),
            profiling=draw(_BOOLEANS),
            human_review=True,
            case_by_case=draw(_BOOLEANS),
            informal=False,
        ),
        alternatives=draw(_EXPLAINED_ALTERNATIVES),
        consequences_of_not_sharing=draw(_SENTENCE),
        benefits=(draw(_FOR_INDIVIDUALS), draw(_FOR_THE_PUBLIC), *draw(_MORE_BENEFITS)),
        risks=draw(_MODERATE_RISKS),
        legal_basis=LegalBasis(
            article_6=draw(_PUBLIC_BASES),
            article_9_condition=draw(_enum(Article9Condition)) if special else None,
            article_10_condition=draw(_SENTENCE) if criminal else None,
            statutory_gateway=draw(_SENTENCE),
            confidentiality_basis=draw(_CONFIDENTIALITY_BASES),
            clear_law_with_safeguards=True,
        ),
        governance=Governance(
            accountable_owner=draw(_SENTENCE),
            dpia_status=DpiaStatus.COMPLETED,
            dpia_reference=draw(_IDS),
            data_sharing_agreement=draw(_IDS),
            dpo_consulted=True,
            caldicott_guardian_approved=True,
            review_date=review,
            evaluation_plan=draw(_SENTENCE),
            use_monitored=True,
            equality_impact_assessed=True,
            research_approval=True,
        ),
        safeguards=Safeguards(
            access_control=draw(_SENTENCE),
            security_measures=draw(_MEASURES),
            setting=draw(_SAFE_SETTINGS),
            retention_period=Period(years=draw(_between(0, 5)), months=draw(_between(1, 11))),
            retention_reason=draw(_SENTENCE),
            kept_indefinitely=False,
            deletion_method=draw(_SENTENCE),
            audit_logging=True,
            breach_procedure=True,
            international_transfer=transfer,
            transfer_safeguard=draw(_SENTENCE) if transfer else None,
        ),
        transparency=Transparency(
            privacy_notice=draw(_SENTENCE),
            register_entry=draw(_SENTENCE),
            purpose_published=True,
            individuals_informed=True,
            plain_language_summary=draw(_STATEMENT),
            challenge_route=draw(_SENTENCE),
            public_engagement=PublicEngagement(
                done=True, method=draw(_SENTENCE), findings=draw(_SENTENCE)
            ),
            opt_outs_honoured=True,
        ),
        resources=Resources(
            cost_gbp=cost,
            staff_days=draw(_between(1, 5000)),
            expected_savings_gbp=cost + draw(_between(1, 5_000_000)),
            notes=draw(_SENTENCE),
        ),
        public=True,
    )


_COMPLETE_PROPOSALS = _complete_proposal()
_SPARSE_PROPOSALS = _sparse_proposals()
#: Any valid proposal: sparse ones, and complete ones (which rarely arise by chance).
_ANY_PROPOSALS = st.one_of(_SPARSE_PROPOSALS, _COMPLETE_PROPOSALS)


# ------------------------------------------------------------------ the model's shape

_Kind = str  # text, flag, count, amount, date, period, enum, texts, enums, features, object,
#             objects


@attrs.frozen
class _Slot:
    """A field of a model class, as a place in an input document to put a bad value."""

    name: str
    kind: _Kind
    required: bool
    target: Any = None  #: the enum class, or the model class of objects


@functools.cache
def _slots(cls: type) -> tuple[_Slot, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for field in attrs.fields(cls):
        kind, target = _classify(hints[field.name])
        out.append(_Slot(field.name, kind, field.default is attrs.NOTHING, target))
    return tuple(out)


def _classify(hint: Any) -> tuple[_Kind, Any]:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if len(args) > 1:  # float | int stays together as an amount
            return "amount", None
        hint = args[0]
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if attrs.has(item):
            return "objects", item
        if isinstance(item, type) and issubclass(item, Enum):
            return "enums", item
        return ("features", None) if item is int else ("texts", None)
    simple = {
        str: "text",
        bool: "flag",
        int: "count",
        float: "amount",
        dt.date: "date",
        Period: "period",
    }
    if hint in simple:
        return simple[hint], None
    if isinstance(hint, type) and issubclass(hint, Enum):
        return "enum", hint
    if attrs.has(hint):
        return "object", hint
    raise TypeError(f"no strategy for {hint!r}")  # pragma: no cover - a new model type


# -------------------------------------------------------------------- the rule-pack plan

_TARGETS_HELP = "pass at most one of outcome, failing and failing_rule"


@attrs.frozen
class _Reads:
    """Proposal fields a rule's condition reads (and does not require to be stated)."""

    fields: tuple[str, ...] = ()  #: dotted paths from ``$``
    item_fields: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)  #: list -> fields


@attrs.frozen(repr=False)
class _Plan:
    """What the strategies know about a rule pack: how to break and how to mend its rules."""

    pack: RulePack
    assessor: Assessor
    #: rule id -> proposal fragments (from the rule's examples) that make it not met
    breakers: Mapping[str, tuple[Mapping[str, Any], ...]]
    #: rule id -> proposal fragments that make it met (or not applicable)
    menders: Mapping[str, tuple[Mapping[str, Any], ...]]
    #: rule id -> groups of dotted proposal paths whose absence makes it unknown
    forgettable: Mapping[str, tuple[tuple[str, ...], ...]]
    #: rule id -> what its condition reads that a not-met example may leave out
    reads: Mapping[str, _Reads]

    def __repr__(self) -> str:
        return f"<plan for rule pack {self.pack.id!r} {self.pack.digest[:15]}>"


_PLANS: dict[str, _Plan] = {}


@functools.cache
def _default_pack() -> RulePack:
    return load_rules()


def _plan(pack: RulePack) -> _Plan:
    plan = _PLANS.get(pack.digest)
    if plan is not None and plan.pack == pack:
        return plan
    assessor = Assessor(pack)
    breakers: dict[str, list[Mapping[str, Any]]] = {}
    menders: dict[str, list[Mapping[str, Any]]] = {}
    for rule in pack.rules:
        for example in rule.examples:
            try:
                verdict = assessor.assess(proposal_from_dict(_merge(_BASE, example.proposal)))
            except ProposalError:
                continue
            status = _statuses(verdict)[rule.id]
            if example.expect == "not_met" and status is Status.NOT_MET:
                breakers.setdefault(rule.id, []).append(example.proposal)
            elif example.expect in ("met", "not_applicable") and status in _PASSING:
                menders.setdefault(rule.id, []).append(example.proposal)
    plan = _Plan(
        pack,
        assessor,
        {k: tuple(v) for k, v in breakers.items()},
        {k: tuple(v) for k, v in menders.items()},
        _forgettable(pack),
        {rule.id: _reads(pack, rule) for rule in pack.rules},
    )
    _PLANS[pack.digest] = plan
    return plan


def _sources(pack: RulePack, fact: str, depth: int = 0) -> Iterator[str]:
    """The proposal fields (dotted, from ``$``) a fact is read from; through derivations."""
    for derivation in pack.derivations:
        if derivation.sets == fact and depth < 3:
            for name in derivation.requires:
                yield from _sources(pack, name, depth + 1)
            return
    info = pack.vocabulary.get(fact)
    for source in info.source if info else ():
        if source.startswith("$.") and "[" not in source:
            yield source[2:]


def _forgettable_rule(pack: RulePack, rule: Rule) -> tuple[tuple[str, ...], ...]:
    groups = [tuple(dict.fromkeys(_sources(pack, fact))) for fact in rule.requires]
    return tuple(g for g in dict.fromkeys(groups) if g)


def _forgettable(pack: RulePack) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per rule, for each fact it requires, the proposal fields to take out together to
    leave that fact unstated (all the inputs of a derived fact)."""
    return {r.id: groups for r in pack.rules if (groups := _forgettable_rule(pack, r))}


_LISTS = LISTS_BY_PATH
_PROPOSAL_SLOTS = {slot.name: slot for slot in _slots(Proposal)}


def _reads(pack: RulePack, rule: Rule) -> _Reads:
    """What a rule's condition reads, apart from what it requires (whole sections and
    lists, and required fields, are left alone)."""
    required = {p for group in _forgettable_rule(pack, rule) for p in group}
    fields: dict[str, None] = {}
    items: dict[str, dict[str, None]] = {}
    for name in facts_named(rule.condition):
        if "[]." in name:
            list_name, _, field_name = name.partition("[].")
            spec = _LISTS.get(list_name)
            fact = next((f for f in spec.items if f.path == field_name), None) if spec else None
            slot = _PROPOSAL_SLOTS.get(list_name)
            if fact is None or slot is None or slot.kind != "objects":
                continue
            optional = {s.name for s in _slots(slot.target) if not s.required}
            if fact.source[0] in optional:
                items.setdefault(list_name, {})[fact.source[0]] = None
            continue
        for path in _sources(pack, name):
            top = _PROPOSAL_SLOTS.get(path.split(".")[0])
            whole = "." not in path and top is not None and top.kind in ("object", "objects")
            if path not in required and not whole:
                fields[path] = None
    return _Reads(tuple(fields), {k: tuple(v) for k, v in items.items()})


def _break(doc: Mapping[str, Any], fragment: Mapping[str, Any], reads: _Reads) -> dict[str, Any]:
    """``doc`` made to look like a rule's not-met example where the rule looks, and left
    as it was elsewhere: the fields the condition reads are taken out (in every item of
    the lists it reads), then the example is laid over, its list items over the
    document's own items."""
    out = copy.deepcopy(dict(doc))
    for path in reads.fields:
        out = _forget(out, path)
    for list_name, names in reads.item_fields.items():
        if isinstance(out.get(list_name), list):
            out[list_name] = [
                {k: v for k, v in item.items() if k not in names}
                if isinstance(item, Mapping)
                else item
                for item in out[list_name]
            ]
    for key, value in fragment.items():
        old = out.get(key)
        if isinstance(value, list) and value and key in reads.item_fields and old:
            laid = [
                _merge(old[min(i, len(old) - 1)], item) if isinstance(item, Mapping) else item
                for i, item in enumerate(value)
            ]
            out[key] = laid + old[len(value) :]
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            out[key] = _merge(old, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


_BASE: Mapping[str, Any] = {"id": "example", "title": "Rule example"}
_PASSING = (Status.MET, Status.NOT_APPLICABLE)


def _merge(base: Mapping[str, Any], fragment: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``fragment`` laid over it: mappings merge, everything else replaces."""
    out = dict(base)
    for key, value in fragment.items():
        old = out.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            out[key] = _merge(old, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _forget(doc: Mapping[str, Any], dotted: str) -> dict[str, Any]:
    """``doc`` without the value at a dotted path (a no-op if it is not there)."""
    out = dict(doc)
    head, _, rest = dotted.partition(".")
    if not rest:
        out.pop(head, None)
    elif isinstance(out.get(head), Mapping):
        out[head] = _forget(out[head], rest)
    return out


def _statuses(verdict: Verdict) -> dict[str, Status]:
    return {f.rule_id: f.status for f in verdict.findings}


def _build(doc: Mapping[str, Any]) -> Proposal | None:
    try:
        return proposal_from_dict(doc)
    except ProposalError:
        return None


# ------------------------------------------------------------------ targeted proposals

Check = Callable[[Verdict], bool]
#: ("break", rule id, fragment): lay the rule's not-met example over a proposal;
#: ("forget", rule id, dotted paths): take out fields behind a fact the rule requires.
Damage = tuple[str, str, Any]


@attrs.frozen(repr=False, eq=False)  # hashed by identity, for the caches below
class _Target:
    """What a targeted strategy aims at, how to get there, and how to check it."""

    plan: _Plan
    label: str  #: the arguments given to proposals(), used as the repr
    check: Check
    damage: tuple[Damage, ...] = ()

    def __repr__(self) -> str:
        return self.label


@functools.cache
def _damage_of(target: _Target) -> SearchStrategy[Damage]:
    return st.sampled_from(target.damage)


@functools.cache
def _mended_of(target: _Target) -> SearchStrategy[tuple[dict[str, Any], Verdict]]:
    return _mended(target)


@st.composite
def _mended(draw: st.DrawFn, target: _Target) -> tuple[dict[str, Any], Verdict]:
    """A complete proposal (as a document) and its verdict. Rules it does not pass under
    the target's pack are mended with their own passing examples, a few rounds at most."""
    plan = target.plan
    doc = proposal_to_dict(draw(_COMPLETE_PROPOSALS))
    verdict = plan.assessor.assess(proposal_from_dict(doc))
    for _ in range(3):
        gaps = [
            f.rule_id
            for f in verdict.findings
            if f.status not in _PASSING and f.rule_id in plan.menders
        ]
        if not gaps:
            break
        event("proposals: mended a rule the complete proposal did not pass")
        mended = doc
        for rule_id in gaps:
            mended = _merge(mended, plan.menders[rule_id][0])
        proposal = _build(mended)
        if proposal is None:
            break
        doc, verdict = mended, plan.assessor.assess(proposal)
    return doc, verdict


def _checked(target: _Target, doc: Mapping[str, Any]) -> Proposal | None:
    proposal = _build(doc)
    if proposal is None or not target.check(target.plan.assessor.assess(proposal)):
        return None
    return proposal


@st.composite
def _broken(draw: st.DrawFn, target: _Target) -> Proposal:
    """Any proposal with a rule broken by its not-met example, meeting the target.

    The example is laid over the proposal where the rule looks (see :func:`_break`); if
    that does not meet the target, it is laid over the whole proposal; if that does not
    either, the example on its own (with the proposal's id and title) is used.
    """
    base = proposal_to_dict(draw(_ANY_PROPOSALS))
    _, rule_id, fragment = draw(_damage_of(target))
    proposal = _checked(target, _break(base, fragment, target.plan.reads[rule_id]))
    if proposal is None:
        event("proposals: laid the rule's not-met example over the whole proposal")
        proposal = _checked(target, _merge(base, fragment))
    if proposal is None:
        event("proposals: used the rule's not-met example on its own")
        proposal = _checked(target, _merge({"id": base["id"], "title": base["title"]}, fragment))
    if proposal is None:
        event("proposals: rejected (the rule's example did not meet the target)")
    assume(proposal is not None)
    assert proposal is not None
    return proposal


@st.composite
def _acceptable(draw: st.DrawFn, target: _Target) -> Proposal:
    """A complete proposal (mended where needed) that meets the target."""
    doc, verdict = draw(_mended_of(target))
    if not target.check(verdict):
        event("proposals: rejected (a complete proposal did not meet the target)")
    assume(target.check(verdict))
    return proposal_from_dict(doc)


@st.composite
def _with_gap(draw: st.DrawFn, target: _Target) -> Proposal:
    """A complete proposal damaged in one place, meeting the target."""
    doc, _ = draw(_mended_of(target))
    action, rule_id, what = draw(_damage_of(target))
    if action == "break":
        proposal = _checked(target, _break(doc, what, target.plan.reads[rule_id]))
    else:
        for path in what:
            doc = _forget(doc, path)
        proposal = _checked(target, doc)
    if proposal is None:
        event(f"proposals: rejected (damage by {action} did not meet the target)")
    assume(proposal is not None)
    assert proposal is not None
    return proposal


def _fails_rule(rule_id: str) -> Check:
    return lambda v: _statuses(v).get(rule_id) is Status.NOT_MET


def _fails_test(test: str) -> Check:
    return lambda v: v.tests[test].status is TestStatus.NOT_MET


def _lands_in(outcome: Outcome) -> Check:
    return lambda v: v.outcome is outcome


def _targeted(
    plan: _Plan, label: str, outcome: Outcome | None, failing: str | None, failing_rule: str | None
) -> SearchStrategy[Proposal]:
    pack = plan.pack
    ids = [r.id for r in pack.rules]
    blocking = [r for r in pack.rules if r.severity is RuleSeverity.BLOCKING]
    advisory = [r for r in pack.rules if r.severity is RuleSeverity.ADVISORY]

    def breaking(rules: Sequence[Rule]) -> tuple[Damage, ...]:
        return tuple(("break", r.id, f) for r in rules for f in plan.breakers.get(r.id, ()))

    if failing_rule is not None:
        if failing_rule not in ids:
            hint = did_you_mean(failing_rule, ids)
            raise InvalidArgument(
                f"failing_rule={failing_rule!r} is not a rule of pack "
                f"{pack.id!r}" + (f"; {hint}" if hint else "")
            )
        damage = breaking([pack.rule(failing_rule)])
        if not damage:
            raise InvalidArgument(
                f"failing_rule={failing_rule!r}: the rule has no example with 'expect: "
                "not_met' that the engine gives not met, so there is nothing to build "
                "failing proposals from; add one to the rule's examples"
            )
        return _broken(_Target(plan, label, _fails_rule(failing_rule), damage))
    if failing is not None:
        if failing not in pack.tests:
            hint = did_you_mean(failing, list(pack.tests))
            raise InvalidArgument(
                f"failing={failing!r} is not a test; the tests are "
                f"{', '.join(pack.tests)}" + (f" ({hint})" if hint else "")
            )
        damage = breaking([r for r in blocking if r.test == failing])
        if not damage:
            raise InvalidArgument(
                f"failing={failing!r}: no blocking rule of that test has an example with "
                "'expect: not_met' to build failing proposals from"
            )
        return _broken(_Target(plan, label, _fails_test(failing), damage))
    assert outcome is not None
    check = _lands_in(outcome)
    if outcome is Outcome.ACCEPTABLE:
        return _acceptable(_Target(plan, label, check))
    if outcome is Outcome.NOT_ACCEPTABLE:
        damage = breaking(blocking)
        if not damage:
            raise InvalidArgument(
                f"{label}: no blocking rule has an example with 'expect: not_met' to build from"
            )
        return _broken(_Target(plan, label, check, damage))
    # A gap: a rule left unknown (or, for advisory rules, not met) in a complete proposal.
    # For an advisory gap, fields that blocking rules need or read are not taken out.
    if outcome is Outcome.ACCEPTABLE_WITH_CONDITIONS:
        untouchable = {p for r in blocking for g in plan.forgettable.get(r.id, ()) for p in g}
        untouchable.update(p for r in blocking for p in plan.reads[r.id].fields)
        damage = breaking(advisory) + tuple(
            ("forget", r.id, group)
            for r in advisory
            for group in plan.forgettable.get(r.id, ())
            if not untouchable.intersection(group)
        )
    else:
        damage = tuple(
            ("forget", r.id, group) for r in blocking for group in plan.forgettable.get(r.id, ())
        )
    if not damage:
        kind = "advisory" if outcome is Outcome.ACCEPTABLE_WITH_CONDITIONS else "blocking"
        raise InvalidArgument(
            f"{label}: pack {pack.id!r} has no {kind} rule that can be "
            "left unknown or not met, so this outcome cannot be reached"
        )
    return _with_gap(_Target(plan, label, check, damage))


def proposals(
    *,
    outcome: Outcome | None = None,
    failing: str | None = None,
    failing_rule: str | None = None,
    rules: RulePack | None = None,
) -> SearchStrategy[Proposal]:
    """Valid :class:`~sharing_rules.Proposal` objects.

    With no arguments: any valid proposal, from sparse ones (only ``id`` and ``title``,
    most fields unstated) to complete ones; every value passes the model's checks.

    Give at most one target, and the proposals are built to meet it under the framework
    pack, or under ``rules`` if given:

    * ``outcome``: an :class:`~sharing_rules.Outcome` the verdict must have;
    * ``failing``: a test (``"purposeful"``, ``"proportionate"``, ``"responsible"``) that
      must be not met;
    * ``failing_rule``: the id of a rule that must be not met.

    Targeted proposals start from a complete proposal, or any proposal, and are damaged
    where the target needs it, using the ``not_met`` examples each rule carries; every one
    is assessed before it is returned, so the target holds exactly. Raises
    :class:`~hypothesis.errors.InvalidArgument` for an unknown test or rule id, or a
    target the pack cannot reach (for instance ``ACCEPTABLE_WITH_CONDITIONS`` in a pack
    with no advisory rules).

    >>> from hypothesis import given
    >>> from sharing_rules import TestStatus, assess
    >>> @given(proposals(failing="responsible"))
    ... def test_fails_responsible(proposal):
    ...     assert assess(proposal).tests["responsible"].status is TestStatus.NOT_MET
    >>> test_fails_responsible()
    """
    targets = [
        name
        for name, value in (
            ("outcome", outcome),
            ("failing", failing),
            ("failing_rule", failing_rule),
        )
        if value is not None
    ]
    if len(targets) > 1:
        raise InvalidArgument(f"got {' and '.join(targets)}: {_TARGETS_HELP}")
    if outcome is not None and not isinstance(outcome, Outcome):
        raise InvalidArgument(f"outcome={outcome!r} must be an Outcome, such as Outcome.ACCEPTABLE")
    for name, value in (("failing", failing), ("failing_rule", failing_rule)):
        if value is not None and not isinstance(value, str):
            raise InvalidArgument(f"{name}={value!r} must be a str")
    if rules is not None and not isinstance(rules, RulePack):
        raise InvalidArgument(f"rules={rules!r} must be a RulePack (see load_rules())")
    if not targets:
        if rules is not None:
            raise InvalidArgument(
                "rules only matters with outcome, failing or "
                "failing_rule; without a target every valid proposal "
                "is generated"
            )
        return _named("proposals", _ANY_PROPOSALS)
    plan = _plan(rules if rules is not None else _default_pack())
    shown: dict[str, Any] = {targets[0]: failing or failing_rule}
    if outcome is not None:
        shown["outcome"] = _Shown(f"Outcome.{outcome.name}")
    if rules is not None:
        shown["rules"] = _Shown(f"<RulePack {rules.id!r}>")
    label = "proposals({})".format(", ".join(f"{k}={v!r}" for k, v in shown.items()))
    return _named("proposals", _targeted(plan, label, outcome, failing, failing_rule), **shown)


# -------------------------------------------------------------------- input documents

_NOT_TEXT: SearchStrategy[Any] = st.one_of(
    st.integers(),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.floats(allow_nan=False, allow_infinity=False),
)
_BLANK = st.text(alphabet=" \t\n\r\u00a0\u2003", max_size=4)
_NOT_LIST: SearchStrategy[Any] = st.one_of(
    st.text(max_size=8), st.integers(), st.booleans(), st.just({})
)
_NOT_MAPPING: SearchStrategy[Any] = st.one_of(
    st.text(max_size=8), st.integers(), st.booleans(), st.lists(st.integers(), max_size=2)
)


def _bad_enum(cls: type[Enum]) -> SearchStrategy[Any]:
    values = {m.value for m in cls}
    words = st.text(alphabet=string.ascii_lowercase + "_ -", min_size=1, max_size=16)
    return st.one_of(
        words.map(lambda w: w if w not in values else w + "_x"),
        st.integers(),
        st.booleans(),
        st.just([]),
    )


@functools.cache
def _bad_values(slot: _Slot) -> SearchStrategy[Any]:
    """Values the loader must reject in this slot."""
    kind = slot.kind
    if kind == "text":
        return st.one_of(_BLANK, _NOT_TEXT)
    if kind == "flag":
        return st.one_of(st.sampled_from(["yes", "no", "true", "1", 0, 1]), st.just([]))
    if kind == "count":
        return st.one_of(st.integers(max_value=-1), st.sampled_from([1.5, "12", True, "many"]))
    if kind == "amount":
        return st.one_of(
            st.integers(max_value=-1),
            st.floats(max_value=-0.01, allow_nan=False, allow_infinity=False),
            st.sampled_from(["100", True, "lots", [1]]),
        )
    if kind == "date":
        return st.sampled_from(
            ["2024-02-30", "not a date", "31/01/2026", "2026-13-01", 20260131, True, ["2026-01-01"]]
        )
    if kind == "period":
        return st.sampled_from(["six years", "P", "", "P1.5Y", "6Y", "PT6H", 6, True, []])
    if kind == "enum":
        return _bad_enum(slot.target)
    if kind in ("texts", "enums", "features"):
        bad_item = {
            "texts": st.one_of(_BLANK, _NOT_TEXT),
            "enums": _bad_enum(slot.target) if slot.target else st.nothing(),
            "features": st.sampled_from([0, 6, -1, 2.5, "1", True]),
        }[kind]
        options = [_NOT_LIST, st.lists(bad_item, min_size=1, max_size=2)]
        if slot.name in ("roles", "beneficiaries"):
            options.append(st.just([]))
        return st.one_of(*options)
    if kind == "object":
        return _NOT_MAPPING
    return st.one_of(_NOT_LIST, st.lists(_NOT_MAPPING, min_size=1, max_size=2))


def _places(
    doc: Mapping[str, Any], cls: type, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], type, _Slot | None]]:
    """Every place in a document where a bad value can go: (path of the mapping, model
    class, slot); a ``None`` slot stands for an unknown key added to that mapping."""
    yield path, cls, None
    for slot in _slots(cls):
        yield path, cls, slot
        value = doc.get(slot.name)
        if slot.kind == "object" and isinstance(value, Mapping):
            yield from _places(value, slot.target, (*path, slot.name))
        elif slot.kind == "objects" and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from _places(item, slot.target, (*path, slot.name, index))


@functools.cache
def _unknown_key(cls: type) -> SearchStrategy[str]:
    names = {f.name for f in attrs.fields(cls)}
    return st.text(min_size=1, max_size=12).map(lambda k: k if k not in names else k + "_")


_ANY_VALUE = st.none() | _TEXT | st.integers()


def _spoil(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    """Put one problem in ``doc``."""
    places = list(_places(doc, Proposal))
    path, cls, slot = draw(st.sampled_from(places))
    target: Any = doc
    for step in path:
        target = target[step]
    if slot is None:
        target[draw(_unknown_key(cls))] = draw(_ANY_VALUE)
    elif slot.required and draw(_BOOLEANS):
        if draw(_BOOLEANS):
            target.pop(slot.name, None)
        else:
            target[slot.name] = None
    else:
        target[slot.name] = draw(_bad_values(slot))


@st.composite
def _invalid_dicts(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(proposal_to_dict(draw(_ANY_PROPOSALS)))
    for _ in range(draw(_between(1, 3))):
        _spoil(draw, doc)
    return doc


def proposal_dicts(*, valid: bool = True) -> SearchStrategy[dict[str, Any]]:
    """Proposal input documents: plain, JSON-compatible mappings as a YAML or JSON file holds.

    With ``valid=True`` (the default), documents :func:`sharing_rules.proposal_from_dict`
    accepts (they are :func:`proposals` written out with
    :func:`sharing_rules.proposal_to_dict`). With ``valid=False``, documents with at least
    one problem it rejects with :class:`~sharing_rules.ProposalError`: an unknown key, a
    value of the wrong type, a value outside a vocabulary, a number out of range, blank
    text, an invalid date or period, or a required field missing. Use them to test your
    own loaders and forms.
    """
    if not isinstance(valid, bool):
        raise InvalidArgument(f"valid={valid!r} must be True or False")
    if valid:
        return _named("proposal_dicts", _ANY_PROPOSALS.map(proposal_to_dict))
    return _named("proposal_dicts", _invalid_dicts(), valid=False)


# ------------------------------------------------------------------------ registration


def _register_type_strategies() -> None:
    """Make ``st.from_type`` give these strategies for the model's types."""
    registrations: list[tuple[type[Any], SearchStrategy[Any]]] = [
        (Proposal, proposals()),
        (Party, parties()),
        (DataItem, data_items()),
        (Benefit, benefits()),
        (Risk, risks()),
        (AlternativeOption, alternatives()),
        (Period, periods()),
    ]
    for cls, strategy in registrations:
        st.register_type_strategy(cls, strategy)


_register_type_strategies()
