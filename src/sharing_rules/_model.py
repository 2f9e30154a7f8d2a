"""The proposal model: frozen attrs classes describing a proposal to share personal data.

Every field that a proposer may leave out is optional and defaults to ``None``, meaning
"not stated". A stated ``False`` or an empty tuple is information; ``None`` is its absence.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from enum import Enum, StrEnum
from typing import Any

import attrs
from attrs import validators as v

__all__ = [
    "AlternativeOption",
    "Article6Basis",
    "Article9Condition",
    "Beneficiary",
    "Benefit",
    "ControllerRole",
    "DataCategory",
    "DataItem",
    "DataSubjects",
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


Check = Callable[[Any], "str | None"]


class InvalidFieldsError(ValueError):
    """Raised by a model class when fields hold invalid values; lists every one."""

    def __init__(self, cls: type, problems: list[tuple[str, str]]) -> None:
        self.cls = cls
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))


class _Checked:
    """Mixin: after ``__init__``, run every field's check and report all failures at once."""

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        problems = []
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            check: Check | None = field.metadata.get("check")
            value = getattr(self, field.name)
            message = check(value) if check is not None else None
            if message:
                problems.append((field.name, message))
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


def _field(check: Check, required: bool = False) -> Any:
    def optional_check(value: Any) -> str | None:
        return None if value is None and not required else check(value)

    if required:
        return attrs.field(metadata={"check": optional_check})
    return attrs.field(default=None, metadata={"check": optional_check})


def _scalar(
    kind: type | tuple[type, ...], minimum: float | None = None, maximum: float | None = None
) -> Check:
    def check(value: Any) -> str | None:
        if not _is(kind, value):
            if isinstance(kind, type) and issubclass(kind, Enum):
                allowed = ", ".join(m.value for m in kind)
                return f"{value!r} is not one of the allowed values: {allowed}"
            return f"expected {_type_name(kind)}, got {type(value).__name__}"
        if isinstance(value, str) and not value.strip():
            return "must not be blank; leave it out if it is not known"
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number, got {value!r}"
        if minimum is not None and value < minimum:
            return f"must be at least {minimum:g}, got {value!r}"
        if maximum is not None and value > maximum:
            return f"must be at most {maximum:g}, got {value!r}"
        return None

    return check


def _tuple(item_check: Check, non_empty: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, tuple):
            return f"expected a list, got {type(value).__name__}"
        if non_empty and not value:
            return "must list at least one value; leave it out if it is not known"
        for index, item in enumerate(value):
            message = item_check(item)
            if message:
                return f"item {index}: {message}"
        return None

    return check


def _text(required: bool = False) -> Any:
    return _field(_scalar(str), required)


def _optional(kind: type | tuple[type, ...]) -> Any:
    return _field(_scalar(kind))


def _flag() -> Any:
    return _field(_scalar(bool))


def _count() -> Any:
    return _field(_scalar(int, minimum=0))


def _amount() -> Any:
    """A quantity such as pounds or days: 0, or from 0.01 up to 10^15 (no exponents)."""
    base = _scalar((int, float), minimum=0, maximum=1e15)

    def check(value: Any) -> str | None:
        if base(value) is None and 0 < value < 0.01:
            return f"must be 0 or at least 0.01, got {value!r}"
        return base(value)

    return _field(check)


def _tuple_of(kind: type, non_empty: bool = False) -> Any:
    """An optional tuple; ``None`` is "not stated", ``()`` is "stated as none"."""
    return _field(_tuple(_scalar(kind), non_empty))


def _texts() -> Any:
    return _field(_tuple(_scalar(str)))


@attrs.frozen(slots=True)
class Party(_Checked):
    """An organisation taking part in the sharing."""

    name: str = _text(required=True)
    roles: tuple[PartyRole, ...] | None = _tuple_of(PartyRole, non_empty=True)
    sector: Sector | None = _optional(Sector)
    controller_role: ControllerRole | None = _optional(ControllerRole)
    private_contractor: bool | None = _flag()


@attrs.frozen(slots=True)
class Purpose(_Checked):
    """Why the data is shared, and the limits that protect against function creep."""

    statement: str | None = _text()
    objectives: tuple[str, ...] | None = _texts()
    intended_outcomes: tuple[str, ...] | None = _texts()
    original_collection_purpose: str | None = _text()
    compatible_with_original: bool | None = _flag()
    compatibility_reasoning: str | None = _text()
    limits_on_other_uses: str | None = _text()
    onward_sharing: OnwardSharing | None = _optional(OnwardSharing)


@attrs.frozen(slots=True)
class DataItem(_Checked):
    """One item of personal data to be shared."""

    name: str = _text(required=True)
    description: str | None = _text()
    category: DataCategory | None = _optional(DataCategory)
    special_category: bool | None = _flag()
    criminal_offence: bool | None = _flag()
    identifiability: Identifiability | None = _optional(Identifiability)
    justification: str | None = _text()
    identifiability_reason: str | None = _text()


@attrs.frozen(slots=True)
class DataSubjects(_Checked):
    """Whose data it is."""

    description: str | None = _text()
    approximate_count: int | None = _count()
    includes_children: bool | None = _flag()
    children_justification: str | None = _text()
    includes_vulnerable: bool | None = _flag()


@attrs.frozen(slots=True)
class Sharing(_Checked):
    """How, how often and how much data moves."""

    method: SharingMethod | None = _optional(SharingMethod)
    frequency: Frequency | None = _optional(Frequency)
    volume_records: int | None = _count()
    combines_datasets: bool | None = _flag()
    combination_detail: str | None = _text()
    automated_decisions: bool | None = _flag()
    systematic_monitoring: bool | None = _flag()
    innovative_technology: bool | None = _flag()


@attrs.frozen(slots=True)
class AlternativeOption(_Checked):
    """A less intrusive way of meeting the purpose that was considered."""

    description: str = _text(required=True)
    why_rejected: str | None = _text()


@attrs.frozen(slots=True)
class Benefit(_Checked):
    """An expected benefit of the sharing."""

    description: str = _text(required=True)
    beneficiaries: tuple[Beneficiary, ...] | None = _tuple_of(Beneficiary, non_empty=True)
    features: tuple[int, ...] | None = _field(_tuple(_scalar(int, minimum=1, maximum=5)))
    measure: str | None = _text()
    evidence: str | None = _text()


@attrs.frozen(slots=True)
class Risk(_Checked):
    """A risk of harm to people or organisations, with its mitigations.

    ``likelihood`` and ``severity`` describe the risk *before* its mitigations (the
    inherent risk): the framework pack asks that every serious risk so assessed has a
    mitigation.
    """

    description: str = _text(required=True)
    likelihood: Likelihood | None = _optional(Likelihood)
    severity: Severity | None = _optional(Severity)
    mitigations: tuple[str, ...] | None = _texts()


@attrs.frozen(slots=True)
class LegalBasis(_Checked):
    """The lawful basis and conditions for processing."""

    article_6: Article6Basis | None = _optional(Article6Basis)
    article_9_condition: Article9Condition | None = _optional(Article9Condition)
    article_10_condition: str | None = _text()
    statutory_gateway: str | None = _text()


@attrs.frozen(slots=True)
class Governance(_Checked):
    """Who is accountable, and how the sharing is assessed and reviewed."""

    accountable_owner: str | None = _text()
    dpia_status: DpiaStatus | None = _optional(DpiaStatus)
    dpia_reference: str | None = _text()
    data_sharing_agreement: str | None = _text()
    dpo_consulted: bool | None = _flag()
    caldicott_guardian_approved: bool | None = _flag()
    review_date: dt.date | None = _optional(dt.date)
    evaluation_plan: str | None = _text()


@attrs.frozen(slots=True)
class Safeguards(_Checked):
    """Technical and organisational protections."""

    access_control: str | None = _text()
    security_measures: tuple[str, ...] | None = _texts()
    setting: Setting | None = _optional(Setting)
    retention_period: Period | None = _optional(Period)
    deletion_method: str | None = _text()
    audit_logging: bool | None = _flag()
    breach_procedure: bool | None = _flag()
    international_transfer: bool | None = _flag()
    transfer_safeguard: str | None = _text()


@attrs.frozen(slots=True)
class PublicEngagement(_Checked):
    """Engagement with the public about the sharing."""

    done: bool | None = _flag()
    method: str | None = _text()
    findings: str | None = _text()


@attrs.frozen(slots=True)
class Transparency(_Checked):
    """What the public and the people concerned are told, and how they can challenge it."""

    privacy_notice: str | None = _text()
    register_entry: str | None = _text()
    purpose_published: bool | None = _flag()
    individuals_informed: bool | None = _flag()
    plain_language_summary: str | None = _text()
    challenge_route: str | None = _text()
    public_engagement: PublicEngagement | None = _optional(PublicEngagement)


@attrs.frozen(slots=True)
class Resources(_Checked):
    """What the sharing costs and saves (feature 4)."""

    cost_gbp: float | None = _amount()
    staff_days: float | None = _amount()
    expected_savings_gbp: float | None = _amount()
    notes: str | None = _text()


@attrs.frozen(slots=True)
class Proposal(_Checked):
    """A proposal to share personal data between public service providers.

    Only ``id`` and ``title`` are required; everything else may be left unstated
    (``None``), and the assessment then reports the criteria that need it as unknown.
    """

    id: str = _text(required=True)
    title: str = _text(required=True)
    version: str | None = _text()
    created: dt.date | None = _optional(dt.date)
    updated: dt.date | None = _optional(dt.date)
    parties: tuple[Party, ...] | None = _tuple_of(Party)
    purpose: Purpose | None = _optional(Purpose)
    data_items: tuple[DataItem, ...] | None = _tuple_of(DataItem)
    data_subjects: DataSubjects | None = _optional(DataSubjects)
    sharing: Sharing | None = _optional(Sharing)
    alternatives: tuple[AlternativeOption, ...] | None = _tuple_of(AlternativeOption)
    consequences_of_not_sharing: str | None = _text()
    benefits: tuple[Benefit, ...] | None = _tuple_of(Benefit)
    risks: tuple[Risk, ...] | None = _tuple_of(Risk)
    legal_basis: LegalBasis | None = _optional(LegalBasis)
    governance: Governance | None = _optional(Governance)
    safeguards: Safeguards | None = _optional(Safeguards)
    transparency: Transparency | None = _optional(Transparency)
    resources: Resources | None = _optional(Resources)
    #: Whether the proposal may appear in the public register (``sharing-rules register``):
    #: ``false`` leaves it out; not stated, it may appear (issue 15).
    public: bool | None = _flag()
