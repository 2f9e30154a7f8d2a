"""The proposal model: frozen attrs classes describing a proposal to share personal data.

Every field that a proposer may leave out is optional and defaults to ``None``, meaning
"not stated". A stated ``False`` or an empty tuple is information; ``None`` is its absence.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from enum import Enum, StrEnum
from typing import Any

import attrs
from attrs import validators as v

from ._errors import Problem, ProposalError

__all__ = [
    "AlternativeOption",
    "Article6Basis",
    "Article9Condition",
    "Beneficiary",
    "Benefit",
    "CollectionContext",
    "ConfidentialityBasis",
    "ControllerRole",
    "DataCategory",
    "DataItem",
    "DataSubjects",
    "DecisionKind",
    "DpiaStatus",
    "Frequency",
    "Governance",
    "Identifiability",
    "LegalBasis",
    "Likelihood",
    "OnwardSharing",
    "Party",
    "PartyRole",
    "Period",
    "Proposal",
    "PublicEngagement",
    "Purpose",
    "PurposeKind",
    "Resources",
    "Risk",
    "Safeguards",
    "Sector",
    "Setting",
    "Severity",
    "Sharing",
    "SharingMethod",
    "Transparency",
]


class _Vocabulary(StrEnum):
    """A closed vocabulary; values are the strings used in proposal files."""


class PartyRole(_Vocabulary):
    """What a party does in the sharing."""

    PROVIDER = "provider"  #: discloses the data
    RECIPIENT = "recipient"  #: receives the data


class Sector(_Vocabulary):
    """The sector a party belongs to."""

    LOCAL_GOVERNMENT = "local_government"
    CENTRAL_GOVERNMENT = "central_government"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    POLICE = "police"
    CRIMINAL_JUSTICE = "criminal_justice"
    FIRE_AND_RESCUE = "fire_and_rescue"
    EDUCATION = "education"
    HOUSING = "housing"
    WELFARE = "welfare"
    RESEARCH = "research"
    VOLUNTARY = "voluntary"
    PRIVATE = "private"
    OTHER = "other"


class ControllerRole(_Vocabulary):
    """The party's role under UK GDPR."""

    CONTROLLER = "controller"
    JOINT_CONTROLLER = "joint_controller"
    PROCESSOR = "processor"


class OnwardSharing(_Vocabulary):
    """Whether recipients may pass the data on."""

    PROHIBITED = "prohibited"
    WITH_PROVIDER_AGREEMENT = "with_provider_agreement"
    PERMITTED = "permitted"


class DataCategory(_Vocabulary):
    """The kind of information a data item holds."""

    IDENTIFIER = "identifier"
    CONTACT = "contact"
    DEMOGRAPHIC = "demographic"
    LOCATION = "location"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    CRIMINAL_OFFENCE = "criminal_offence"
    FINANCIAL = "financial"
    EDUCATION = "education"
    HOUSING = "housing"
    ETHNICITY = "ethnicity"
    RELIGION = "religion"
    POLITICAL = "political"
    TRADE_UNION = "trade_union"
    GENETIC = "genetic"
    BIOMETRIC = "biometric"
    SEX_LIFE = "sex_life"
    SEXUAL_ORIENTATION = "sexual_orientation"
    OTHER = "other"


class Identifiability(_Vocabulary):
    """How directly the data identifies people, most identifying first."""

    IDENTIFIED = "identified"
    PSEUDONYMISED = "pseudonymised"
    DE_IDENTIFIED = "de_identified"
    AGGREGATE = "aggregate"
    ANONYMOUS = "anonymous"


class Frequency(_Vocabulary):
    """How often data is shared."""

    ONE_OFF = "one_off"
    AD_HOC = "ad_hoc"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"
    CONTINUOUS = "continuous"


class SharingMethod(_Vocabulary):
    """How the data moves between parties."""

    SECURE_TRANSFER = "secure_transfer"
    API = "api"
    SHARED_PLATFORM = "shared_platform"
    SECURE_ENVIRONMENT = "secure_environment"
    EMAIL = "email"
    PHYSICAL_MEDIA = "physical_media"
    OTHER = "other"


class Beneficiary(_Vocabulary):
    """Who a benefit is for."""

    INDIVIDUALS = "individuals"
    WIDER_PUBLIC = "wider_public"
    ORGANISATIONS = "organisations"


class Likelihood(_Vocabulary):
    """Likelihood of harm (ICO DPIA template scale)."""

    REMOTE = "remote"
    POSSIBLE = "possible"
    PROBABLE = "probable"


class Severity(_Vocabulary):
    """Severity of harm (ICO DPIA template scale)."""

    MINIMAL = "minimal"
    SIGNIFICANT = "significant"
    SEVERE = "severe"


class Article6Basis(_Vocabulary):
    """UK GDPR Article 6(1) lawful bases."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class Article9Condition(_Vocabulary):
    """UK GDPR Article 9(2) conditions for special category data."""

    EXPLICIT_CONSENT = "explicit_consent"
    EMPLOYMENT_SOCIAL_SECURITY = "employment_social_security"
    VITAL_INTERESTS = "vital_interests"
    NOT_FOR_PROFIT_BODY = "not_for_profit_body"
    MADE_PUBLIC = "made_public"
    LEGAL_CLAIMS = "legal_claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"
    HEALTH_SOCIAL_CARE = "health_social_care"
    PUBLIC_HEALTH = "public_health"
    ARCHIVING_RESEARCH_STATISTICS = "archiving_research_statistics"


class DpiaStatus(_Vocabulary):
    """State of the data protection impact assessment."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NOT_REQUIRED = "not_required"


class Setting(_Vocabulary):
    """Where recipients work with the data (Five Safes: safe setting)."""

    TRUSTED_RESEARCH_ENVIRONMENT = "trusted_research_environment"
    SECURE_RECIPIENT_SYSTEMS = "secure_recipient_systems"
    RECIPIENT_SYSTEMS = "recipient_systems"
    OPEN = "open"


class PurposeKind(_Vocabulary):
    """What the data will be used to do, for or to the people it is about."""

    INDIVIDUAL_SERVICE = "individual_service"  #: direct care, or a service to the person
    SAFEGUARDING = "safeguarding"  #: protecting a person at risk
    PLANNING = "planning"  #: service planning, statistics, evaluation
    RESEARCH = "research"
    FRAUD_OR_ERROR = "fraud_or_error"  #: detecting fraud or error
    ENFORCEMENT = "enforcement"  #: enforcement or sanctions against the individual
    IMMIGRATION_CONTROL = "immigration_control"
    COMMERCIAL = "commercial"  #: a commercial purpose of a private body
    OTHER = "other"


class DecisionKind(_Vocabulary):
    """A decision about an individual that follows from the sharing."""

    SUPPORT_OFFERED = "support_offered"
    ELIGIBILITY = "eligibility"  #: for a service or benefit
    SANCTION = "sanction"  #: a penalty, prosecution, enforcement action
    DENIAL_OF_SERVICE = "denial_of_service"


class CollectionContext(_Vocabulary):
    """Where a data item came from: the service or setting in which it was first collected."""

    HEALTH_CARE = "health_care"  #: given in confidence to get health care
    SOCIAL_CARE = "social_care"  #: given in confidence to get social care or support
    EDUCATION = "education"  #: collected by a school, college or other education service
    VICTIM_OR_WITNESS = "victim_or_witness"  #: a victim's or witness's report of a crime
    PUBLIC_SERVICE = "public_service"  #: another public service: a benefit, tax, licence
    LAW_ENFORCEMENT = "law_enforcement"  #: police or criminal justice records of offences
    PUBLIC_REGISTER = "public_register"  #: a register kept by law (electoral, civil)
    COMMERCIAL = "commercial"  #: a private company's own records (e.g. credit reference)
    THIS_PURPOSE = "this_purpose"  #: given by the person for the purpose of this sharing
    OTHER = "other"


class ConfidentialityBasis(_Vocabulary):
    """What sets aside the common law duty of confidence, where the data is confidential."""

    CONSENT = "consent"  #: the person agreed (explicitly or, for direct care, implied)
    STATUTORY = "statutory"  #: a law requires or permits the disclosure
    S251_SUPPORT = "s251_support"  #: NHS Act 2006 s.251 support (England and Wales)
    PUBLIC_INTEREST = "public_interest"  #: an overriding public interest, case by case
    NOT_NEEDED = "not_needed"  #: the data is not confidential, or is de-identified


_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


@attrs.frozen(slots=True)
class Period:
    """A calendar period such as a retention period, written in ISO 8601 (``P6Y``, ``P18M``)."""

    years: int = attrs.field(default=0, validator=v.and_(v.instance_of(int), v.ge(0)))
    months: int = attrs.field(default=0, validator=v.and_(v.instance_of(int), v.ge(0)))
    days: int = attrs.field(default=0, validator=v.and_(v.instance_of(int), v.ge(0)))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read an ISO 8601 period (years, months, weeks, days); raise ``ValueError`` if not one."""
        match = _PERIOD.match(text.strip().upper()) if isinstance(text, str) else None
        if not match or not any(match.groups()):
            raise ValueError(f"{text!r} is not an ISO 8601 period such as 'P6Y', 'P18M' or 'P90D'")
        years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
        return cls(years=years, months=months, days=days + 7 * weeks)

    @property
    def approx_days(self) -> int:
        """The period's length in days, counting a year as 365 days and a month as 30."""
        return self.years * 365 + self.months * 30 + self.days

    def __str__(self) -> str:
        parts = [(self.years, "Y"), (self.months, "M"), (self.days, "D")]
        text = "".join(f"{n}{unit}" for n, unit in parts if n)
        return "P" + (text or "0D")


class _Failure(str):
    """What a field check says is wrong: the message, with its problem code."""

    __slots__ = ("code",)
    code: str

    def __new__(cls, message: str, *, code: str) -> _Failure:
        failure = super().__new__(cls, message)
        failure.code = code
        return failure


Check = Callable[[Any], "_Failure | None"]
"""A field check: ``None`` when the value is valid, else what is wrong."""


class InvalidFieldsError(ProposalError):
    """Raised by a model class when fields hold invalid values; lists every one.

    A :class:`ProposalError` whose ``problems`` have paths relative to the class (``$.id``).
    """

    def __init__(self, cls: type, problems: Sequence[Problem]) -> None:
        self.cls = cls
        super().__init__(problems)


class _Checked:
    """Mixin: after ``__init__``, run every field's check and report all failures at once."""

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        problems = []
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            check: Check | None = field.metadata.get("check")
            value = getattr(self, field.name)
            failed = check(value) if check is not None else None
            if failed:
                problems.append(Problem(f"$.{field.name}", str(failed), code=failed.code))
        if problems:
            raise InvalidFieldsError(type(self), problems)


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "text",
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        dt.date: "a date (YYYY-MM-DD)",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _is(kind: type | tuple[type, ...], value: Any) -> bool:
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        return False
    return isinstance(value, kind)


_EXACT = frozenset({str, int, float, bool, type(None), tuple})


def _builtin(value: Any) -> Any:
    """A subclass of str, int or float (``numpy.str_``, ``numpy.float64``) as the builtin."""
    if type(value) in _EXACT or isinstance(value, Enum | bool):
        return value
    for base in (str, int, float):
        if isinstance(value, base):
            return base(value)
    return value


def _convert(kind: type | tuple[type, ...]) -> Callable[[Any], Any]:
    """A converter for values given to a model class directly: builtins for subclasses, and
    the vocabulary member for its string."""
    if isinstance(kind, type) and issubclass(kind, Enum):
        vocabulary = kind

        def to_member(value: Any) -> Any:
            if isinstance(value, str) and not isinstance(value, Enum):
                try:
                    return vocabulary(str(value))
                except ValueError:
                    return value  # the check reports it
            return value

        return to_member
    return _builtin


def _field(
    check: Check, required: bool = False, convert: Callable[[Any], Any] | None = None
) -> Any:
    def optional_check(value: Any) -> _Failure | None:
        if value is None:
            return _Failure("required but missing", code="missing-required") if required else None
        return check(value)

    if required:
        return attrs.field(metadata={"check": optional_check}, converter=convert)
    return attrs.field(default=None, metadata={"check": optional_check}, converter=convert)


def _allowed(value: Any, kind: type[Enum]) -> str:
    allowed = ", ".join(str(m.value) for m in kind)
    return f"{value!r} is not one of the allowed values: {allowed}"


def _scalar(
    kind: type | tuple[type, ...], minimum: float | None = None, maximum: float | None = None
) -> Check:
    def check(value: Any) -> _Failure | None:
        if not _is(kind, value):
            if isinstance(kind, type) and issubclass(kind, Enum) and isinstance(value, str):
                return _Failure(_allowed(value, kind), code="not-allowed-value")
            return _Failure(
                f"expected {_type_name(kind)}, got {type(value).__name__}", code="wrong-type"
            )
        if isinstance(value, str):
            if not value.strip():
                return _Failure(
                    "must not be blank; leave it out if it is not known", code="invalid-value"
                )
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return _Failure(
                        "holds a lone surrogate, which is not a character", code="encoding"
                    )
        if isinstance(value, float) and not math.isfinite(value):
            return _Failure(f"must be a finite number, got {value!r}", code="invalid-value")
        if minimum is not None and value < minimum:
            return _Failure(f"must be at least {minimum:g}, got {value!r}", code="out-of-range")
        if maximum is not None and value > maximum:
            return _Failure(f"must be at most {maximum:g}, got {value!r}", code="out-of-range")
        return None

    return check


def _tuple(item_check: Check, non_empty: bool = False) -> Check:
    def check(value: Any) -> _Failure | None:
        if not isinstance(value, tuple):
            return _Failure(f"expected a list, got {type(value).__name__}", code="wrong-type")
        if non_empty and not value:
            return _Failure(
                "must list at least one value; leave it out if it is not known",
                code="invalid-value",
            )
        for index, item in enumerate(value):
            failed = item_check(item)
            if failed:
                return _Failure(f"item {index}: {failed}", code=failed.code)
        return None

    return check


def _convert_tuple(item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(item(v) for v in value)
        return value

    return convert


def _text(required: bool = False) -> Any:
    return _field(_scalar(str), required, _builtin)


def _optional(kind: type | tuple[type, ...]) -> Any:
    return _field(_scalar(kind), convert=_convert(kind))


def _flag() -> Any:
    return _field(_scalar(bool))


def _count() -> Any:
    return _bounds(_field(_scalar(int, minimum=0), convert=_builtin), minimum=0)


def _amount() -> Any:
    """A quantity such as pounds or days: 0, or from 0.01 up to 10^15 (no exponents)."""
    base = _scalar((int, float), minimum=0, maximum=1e15)

    def check(value: Any) -> _Failure | None:
        if base(value) is None and 0 < value < 0.01:
            return _Failure(f"must be 0 or at least 0.01, got {value!r}", code="out-of-range")
        return base(value)

    return _bounds(_field(check, convert=_builtin), minimum=0, maximum=1e15)


def _tuple_of(kind: type, non_empty: bool = False) -> Any:
    """An optional tuple; ``None`` is "not stated", ``()`` is "stated as none"."""
    return _bounds(
        _field(_tuple(_scalar(kind), non_empty), convert=_convert_tuple(_convert(kind))),
        non_empty=non_empty or None,
    )


def _texts() -> Any:
    return _field(_tuple(_scalar(str)), convert=_convert_tuple(_builtin))


def _features() -> Any:
    return _bounds(
        _field(_tuple(_scalar(int, minimum=1, maximum=5)), convert=_convert_tuple(_builtin)),
        minimum=1,
        maximum=5,
    )


def _bounds(field: Any, **bounds: float | bool | None) -> Any:
    """Record a field's bounds in its metadata, where the JSON Schema reads them."""
    field.metadata.update({k: v for k, v in bounds.items() if v is not None})
    return field


def _doc(description: str, field: Any) -> Any:
    """Give a field its description (metadata ``description``): the one place a field is
    explained. The JSON Schema shows it; docs/contributing.md lists where else a new
    field goes."""
    field.metadata["description"] = description
    return field


@attrs.frozen(slots=True)
class Party(_Checked):
    """An organisation taking part in the sharing."""

    name: str = _doc("The organisation's name.", _text(required=True))
    roles: tuple[PartyRole, ...] | None = _doc(
        "What it does: discloses (provider) and/or receives (recipient) the data.",
        _tuple_of(PartyRole, non_empty=True),
    )
    sector: Sector | None = _doc("The sector it belongs to.", _optional(Sector))
    controller_role: ControllerRole | None = _doc(
        "Its role under UK GDPR.", _optional(ControllerRole)
    )
    private_contractor: bool | None = _doc(
        "It is a private company working for a public body.", _flag()
    )


@attrs.frozen(slots=True)
class Purpose(_Checked):
    """Why the data is shared, and the limits that protect against function creep."""

    statement: str | None = _doc(
        "The purpose in a few specific sentences: the service, the people it is for, and "
        "what the data will be used to decide or do.",
        _text(),
    )
    objectives: tuple[str, ...] | None = _doc("The specific objectives.", _texts())
    intended_outcomes: tuple[str, ...] | None = _doc(
        "The outcomes intended for people and the public.", _texts()
    )
    original_collection_purpose: str | None = _doc("Why the data was first collected.", _text())
    compatible_with_original: bool | None = _doc(
        "The new use is compatible with the purpose the data was first collected for.", _flag()
    )
    compatibility_reasoning: str | None = _doc("Why the new use is compatible.", _text())
    limits_on_other_uses: str | None = _doc("What recipients must not use the data for.", _text())
    onward_sharing: OnwardSharing | None = _doc(
        "Whether recipients may pass the data on.", _optional(OnwardSharing)
    )
    kinds: tuple[PurposeKind, ...] | None = _doc(
        "Every kind of use the data is put to, for or against the people it is about.",
        _tuple_of(PurposeKind, non_empty=True),
    )
    decisions: tuple[DecisionKind, ...] | None = _doc(
        "The decisions about individuals that follow from the sharing; an empty list "
        "states that no decision about any individual follows. Where a decision on "
        "eligibility can take a benefit or service away, state denial_of_service too.",
        _tuple_of(DecisionKind),
    )


@attrs.frozen(slots=True)
class DataItem(_Checked):
    """One item of personal data to be shared."""

    name: str = _doc("The item's name.", _text(required=True))
    description: str | None = _doc("What exactly is shared.", _text())
    category: DataCategory | None = _doc("What kind of information it is.", _optional(DataCategory))
    special_category: bool | None = _doc("Special category data (UK GDPR Art. 9).", _flag())
    criminal_offence: bool | None = _doc("Criminal offence data (UK GDPR Art. 10).", _flag())
    identifiability: Identifiability | None = _doc(
        "How directly it identifies people.", _optional(Identifiability)
    )
    justification: str | None = _doc("Why the purpose cannot be met without it.", _text())
    identifiability_reason: str | None = _doc(
        "Why it must be shared at this level of identifiability.", _text()
    )
    collected_in: CollectionContext | None = _doc(
        "Where it came from: the service or setting in which it was first collected.",
        _optional(CollectionContext),
    )
    reliable: bool | None = _doc(
        "It is accurate and reliable enough for the decisions made with it (false, for "
        "example, for a list that mixes victims and suspects, or a link inferred from "
        "another organisation's records).",
        _flag(),
    )


@attrs.frozen(slots=True)
class DataSubjects(_Checked):
    """Whose data it is."""

    description: str | None = _doc("The people whose data is shared.", _text())
    approximate_count: int | None = _doc("About how many people.", _count())
    includes_children: bool | None = _doc("Children's data is included.", _flag())
    children_justification: str | None = _doc("Why children's data is needed.", _text())
    includes_vulnerable: bool | None = _doc("Vulnerable people's data is included.", _flag())
    whole_population: bool | None = _doc(
        "It covers everyone in a population (every child, every patient, every resident "
        "of an area, a whole register), not only people the purpose picks out.",
        _flag(),
    )
    children_best_interests: bool | None = _doc(
        "The children's best interests were assessed and the sharing is in them.", _flag()
    )


@attrs.frozen(slots=True)
class Sharing(_Checked):
    """How, how often and how much data moves."""

    method: SharingMethod | None = _doc("How the data moves.", _optional(SharingMethod))
    frequency: Frequency | None = _doc("How often it moves.", _optional(Frequency))
    volume_records: int | None = _doc("How many records are shared.", _count())
    combines_datasets: bool | None = _doc("Datasets are combined or matched.", _flag())
    combination_detail: str | None = _doc("What is matched with what, and how.", _text())
    automated_decisions: bool | None = _doc(
        "Decisions are made about people by automated means.", _flag()
    )
    systematic_monitoring: bool | None = _doc("People are systematically monitored.", _flag())
    innovative_technology: bool | None = _doc("Innovative technology is used.", _flag())
    profiling: bool | None = _doc(
        "Individuals are scored, profiled or their risk or behaviour predicted.", _flag()
    )
    human_review: bool | None = _doc(
        "A person reviews every match, score or flag about an individual, and can set it "
        "aside, before anything is decided or done about them.",
        _flag(),
    )
    case_by_case: bool | None = _doc(
        "Each disclosure is decided case by case against a stated threshold (false: "
        "blanket or bulk sharing, everything that fits a description).",
        _flag(),
    )
    informal: bool | None = _doc(
        "The sharing happens informally: no written agreement, policy or consistent "
        "practice governs what is shared and when.",
        _flag(),
    )


@attrs.frozen(slots=True)
class AlternativeOption(_Checked):
    """A less intrusive way of meeting the purpose that was considered."""

    description: str = _doc("The less intrusive option considered.", _text(required=True))
    why_rejected: str | None = _doc("Why it would not meet the purpose.", _text())


@attrs.frozen(slots=True)
class Benefit(_Checked):
    """An expected benefit of the sharing."""

    description: str = _doc("The benefit.", _text(required=True))
    beneficiaries: tuple[Beneficiary, ...] | None = _doc(
        "Who benefits.", _tuple_of(Beneficiary, non_empty=True)
    )
    features: tuple[int, ...] | None = _doc(
        "The key features of public benefit (1 to 5) it supports.", _features()
    )
    measure: str | None = _doc("How the benefit will be measured.", _text())
    evidence: str | None = _doc("Evidence that the benefit is likely.", _text())


@attrs.frozen(slots=True)
class Risk(_Checked):
    """A risk of harm to people or organisations, with its mitigations.

    ``likelihood`` and ``severity`` describe the risk *before* its mitigations (the
    inherent risk): the framework pack asks that every serious risk so assessed has a
    mitigation, and that the risk remaining after it (``residual_likelihood``,
    ``residual_severity``) is no longer serious or is accepted with a reason.
    """

    description: str = _doc("The risk of harm.", _text(required=True))
    likelihood: Likelihood | None = _doc(
        "Likelihood of harm, before mitigation.", _optional(Likelihood)
    )
    severity: Severity | None = _doc("Severity of harm, before mitigation.", _optional(Severity))
    mitigations: tuple[str, ...] | None = _doc("How the risk is reduced.", _texts())
    residual_likelihood: Likelihood | None = _doc(
        "Likelihood of harm that remains after the mitigations (the residual risk).",
        _optional(Likelihood),
    )
    residual_severity: Severity | None = _doc(
        "Severity of harm that remains after the mitigations (the residual risk).",
        _optional(Severity),
    )
    accepted_reason: str | None = _doc(
        "Why the risk that remains after mitigation is accepted, and who accepted it (the "
        "ICO DPIA template's 'residual risk approved').",
        _text(),
    )


@attrs.frozen(slots=True)
class LegalBasis(_Checked):
    """The lawful basis and conditions for processing."""

    article_6: Article6Basis | None = _doc(
        "The UK GDPR Art. 6(1) lawful basis.", _optional(Article6Basis)
    )
    article_9_condition: Article9Condition | None = _doc(
        "The UK GDPR Art. 9(2) condition for special category data.",
        _optional(Article9Condition),
    )
    article_10_condition: str | None = _doc(
        "The Art. 10 / DPA 2018 Schedule 1 condition for criminal offence data.", _text()
    )
    statutory_gateway: str | None = _doc("The legal power to share, if any.", _text())
    confidentiality_basis: ConfidentialityBasis | None = _doc(
        "What sets aside the common law duty of confidence, where the data is confidential.",
        _optional(ConfidentialityBasis),
    )
    clear_law_with_safeguards: bool | None = _doc(
        "The sharing rests on law that is clear and foreseeable and has safeguards against "
        "arbitrary or disproportionate disclosure, so that it is 'in accordance with the "
        "law' (ECHR Art. 8); false where a court or regulator found it is not.",
        _flag(),
    )


@attrs.frozen(slots=True)
class Governance(_Checked):
    """Who is accountable, and how the sharing is assessed and reviewed."""

    accountable_owner: str | None = _doc("The named role accountable for the sharing.", _text())
    dpia_status: DpiaStatus | None = _doc(
        "State of the data protection impact assessment.", _optional(DpiaStatus)
    )
    dpia_reference: str | None = _doc("The DPIA's reference.", _text())
    data_sharing_agreement: str | None = _doc("The data sharing agreement's reference.", _text())
    dpo_consulted: bool | None = _doc("The data protection officer was consulted.", _flag())
    caldicott_guardian_approved: bool | None = _doc("A Caldicott Guardian approved.", _flag())
    review_date: dt.date | None = _doc("When the sharing will be reviewed.", _optional(dt.date))
    evaluation_plan: str | None = _doc("How and when outcomes will be evaluated.", _text())
    use_monitored: bool | None = _doc(
        "Recipients are checked to be who they say they are, and their use of the data is "
        "monitored or audited against the limits on it.",
        _flag(),
    )
    equality_impact_assessed: bool | None = _doc(
        "The effect on people with protected characteristics was assessed (public sector "
        "equality duty, Equality Act 2010 s.149).",
        _flag(),
    )
    research_approval: bool | None = _doc(
        "A research ethics committee or a data access panel approved the use.", _flag()
    )


@attrs.frozen(slots=True)
class Safeguards(_Checked):
    """Technical and organisational protections."""

    access_control: str | None = _doc(
        "Who can see the data, and how access is controlled.", _text()
    )
    security_measures: tuple[str, ...] | None = _doc("The security measures.", _texts())
    setting: Setting | None = _doc("Where recipients work with the data.", _optional(Setting))
    retention_period: Period | None = _doc(
        "How long the data is kept (an ISO 8601 period).", _optional(Period)
    )
    retention_reason: str | None = _doc(
        "Why the purpose needs the data for as long as the retention period (a statutory "
        "retention schedule, the time allowed to challenge a decision, a research project's "
        "length).",
        _text(),
    )
    kept_indefinitely: bool | None = _doc(
        "The data is kept with no end date (indefinitely, or 'for as long as needed' with no "
        "period set).",
        _flag(),
    )
    deletion_method: str | None = _doc("How the data is deleted at the end.", _text())
    audit_logging: bool | None = _doc("Access is logged for audit.", _flag())
    breach_procedure: bool | None = _doc("A breach procedure is in place.", _flag())
    international_transfer: bool | None = _doc("Data leaves the UK.", _flag())
    transfer_safeguard: str | None = _doc("The safeguard for an international transfer.", _text())

    def __attrs_post_init__(self) -> None:
        _Checked.__attrs_post_init__(self)
        if self.kept_indefinitely is True and self.retention_period is not None:
            problem = Problem(
                "$.kept_indefinitely",
                "contradicts the retention period: data kept for a period is not kept indefinitely",
                "leave out one of retention_period and kept_indefinitely",
                code="invalid-value",
            )
            raise InvalidFieldsError(type(self), [problem])


@attrs.frozen(slots=True)
class PublicEngagement(_Checked):
    """Engagement with the public about the sharing."""

    done: bool | None = _doc("The public was engaged.", _flag())
    method: str | None = _doc("How (for example a resident panel).", _text())
    findings: str | None = _doc("What the public said, and what changed.", _text())


@attrs.frozen(slots=True)
class Transparency(_Checked):
    """What the public and the people concerned are told, and how they can challenge it."""

    privacy_notice: str | None = _doc("Where the privacy notice is.", _text())
    register_entry: str | None = _doc("The entry in a public register of data sharing.", _text())
    purpose_published: bool | None = _doc("The purpose is published.", _flag())
    individuals_informed: bool | None = _doc("The people concerned are told.", _flag())
    plain_language_summary: str | None = _doc(
        "The sharing explained in plain, accessible language.", _text()
    )
    challenge_route: str | None = _doc("How people can object or complain.", _text())
    public_engagement: PublicEngagement | None = _doc(
        "Engagement with the public about the sharing.", _optional(PublicEngagement)
    )
    opt_outs_honoured: bool | None = _doc(
        "People's objections and opt-outs are honoured, including the national data opt-out "
        "where it applies.",
        _flag(),
    )


@attrs.frozen(slots=True)
class Resources(_Checked):
    """What the sharing costs and saves (feature 4)."""

    cost_gbp: float | None = _doc("Cost in pounds.", _amount())
    staff_days: float | None = _doc("Staff time in days.", _amount())
    expected_savings_gbp: float | None = _doc("Expected savings in pounds.", _amount())
    notes: str | None = _doc("How the figures were estimated.", _text())


@attrs.frozen(slots=True)
class Proposal(_Checked):
    """A proposal to share personal data between public service providers.

    Only ``id`` and ``title`` are required; everything else may be left unstated
    (``None``), and the assessment then reports the criteria that need it as unknown.
    """

    id: str = _doc(
        "A reference for the proposal, such as its number in a data sharing register.",
        _text(required=True),
    )
    title: str = _doc("What is shared, by whom, with whom.", _text(required=True))
    version: str | None = _doc("The proposal's own version.", _text())
    created: dt.date | None = _doc("When the proposal was created.", _optional(dt.date))
    updated: dt.date | None = _doc("When it was last updated.", _optional(dt.date))
    parties: tuple[Party, ...] | None = _doc(
        "Every organisation that discloses or receives the data.", _tuple_of(Party)
    )
    purpose: Purpose | None = _doc("Why the data is shared (Purposeful test).", _optional(Purpose))
    data_items: tuple[DataItem, ...] | None = _doc(
        "Each item of personal data to be shared.", _tuple_of(DataItem)
    )
    data_subjects: DataSubjects | None = _doc("Whose data it is.", _optional(DataSubjects))
    sharing: Sharing | None = _doc("How, how often and how much data moves.", _optional(Sharing))
    alternatives: tuple[AlternativeOption, ...] | None = _doc(
        "Less intrusive ways of meeting the purpose that were considered.",
        _tuple_of(AlternativeOption),
    )
    consequences_of_not_sharing: str | None = _doc(
        "What happens if the data is not shared.", _text()
    )
    benefits: tuple[Benefit, ...] | None = _doc("The expected benefits.", _tuple_of(Benefit))
    risks: tuple[Risk, ...] | None = _doc(
        "The risks of harm, with their mitigations.", _tuple_of(Risk)
    )
    legal_basis: LegalBasis | None = _doc(
        "The lawful basis and conditions for processing.", _optional(LegalBasis)
    )
    governance: Governance | None = _doc(
        "Accountability, assessment and review.", _optional(Governance)
    )
    safeguards: Safeguards | None = _doc(
        "Technical and organisational protections.", _optional(Safeguards)
    )
    transparency: Transparency | None = _doc(
        "What the public and the people concerned are told.", _optional(Transparency)
    )
    resources: Resources | None = _doc("What the sharing costs and saves.", _optional(Resources))
    public: bool | None = _doc(
        "Whether the proposal may appear in the public register (sharing-rules register): "
        "false leaves it out; not stated, it may appear.",
        _flag(),
    )


#: Every enumeration of the model (the fact builder and the proposal digest read their
#: members' values from one table each).
ENUMS: tuple[type[Enum], ...] = tuple(
    c
    for c in list(globals().values())
    if isinstance(c, type) and issubclass(c, Enum) and c.__module__ == __name__
)
#: The field names, in order, of every record class of the model (``Period`` is a value).
FIELD_NAMES: dict[type, tuple[str, ...]] = {
    c: tuple(f.name for f in attrs.fields(c))
    for c in list(globals().values())
    if isinstance(c, type) and attrs.has(c) and c is not Period
}
