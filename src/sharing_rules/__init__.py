"""sharing-rules: check data-sharing proposals against the Data for Public Benefit framework."""

from ._assess import Assessor, assess, proposal_digest
from ._dialogue import (
    CardResult,
    DialogueError,
    DialogueRecord,
    Question,
    ResidentCondition,
    Score,
    Session,
    ingest,
    load_records,
)
from ._errors import AssessmentError, Problem, ProposalError, RuleError, SharingRulesError
from ._examples import ExampleResult, run_examples
from ._load import load_proposal, parse_proposal, proposal_from_dict, proposal_to_dict
from ._model import *  # noqa: F403 - the model's names are listed in its __all__
from ._model import __all__ as _model_all
from ._render import render_html, render_markdown, render_text
from ._rules import (
    Derivation,
    Example,
    FeatureInfo,
    Messages,
    Rule,
    RulePack,
    RuleSeverity,
    TestInfo,
    load_rules,
)
from ._schema import proposal_schema, verdict_schema
from ._verdict import (
    Detail,
    FeatureResult,
    FeatureStatus,
    Finding,
    Outcome,
    PackInfo,
    Status,
    TestResult,
    TestStatus,
    Verdict,
    verdict_from_dict,
)
from ._version import __version__
from ._voice import PublicVoice, VoiceSource, public_voice

__all__ = [
    "AssessmentError",
    "Assessor",
    "CardResult",
    "DialogueError",
    "DialogueRecord",
    "PublicVoice",
    "Question",
    "ResidentCondition",
    "Score",
    "Session",
    "VoiceSource",
    "ingest",
    "load_records",
    "public_voice",
    "Derivation",
    "Detail",
    "Example",
    "ExampleResult",
    "FeatureInfo",
    "FeatureResult",
    "FeatureStatus",
    "Finding",
    "Messages",
    "Outcome",
    "PackInfo",
    "Rule",
    "RulePack",
    "RuleSeverity",
    "Status",
    "TestInfo",
    "TestResult",
    "TestStatus",
    "Verdict",
    "assess",
    "load_rules",
    "proposal_digest",
    "proposal_schema",
    "render_html",
    "render_markdown",
    "render_text",
    "run_examples",
    "verdict_schema",
    "verdict_from_dict",
    "Problem",
    "ProposalError",
    "RuleError",
    "SharingRulesError",
    "__version__",
    "load_proposal",
    "parse_proposal",
    "proposal_from_dict",
    "proposal_to_dict",
    *_model_all,
]
