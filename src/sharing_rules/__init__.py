"""sharing-rules: check data-sharing proposals against the Data for Public Benefit framework."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._model import *  # noqa: F403 - the model's names are listed in its __all__
from ._model import __all__ as _model_all
from ._version import __version__

#: Every other public name, and the private module that defines it. Names are imported on
#: first use (module ``__getattr__``), so that ``import sharing_rules`` does not load the
#: command line's click, the report renderer or the schema generator until they are used.
#: A new public name goes here, in ``__all__`` and in the ``TYPE_CHECKING`` block below
#: (tests/test_import.py checks that the three agree).
_LAZY = {
    "AssessmentError": "._errors",
    "Assessor": "._assess",
    "Basis": "._verdict",
    "BatchResult": "._batch",
    "CardResult": "._dialogue",
    "DialogueError": "._dialogue",
    "DialogueRecord": "._dialogue",
    "PublicVoice": "._voice",
    "Question": "._dialogue",
    "ResidentCondition": "._dialogue",
    "Score": "._dialogue",
    "Session": "._dialogue",
    "VoiceSource": "._voice",
    "ingest": "._dialogue",
    "load_records": "._dialogue",
    "public_voice": "._voice",
    "Derivation": "._rules",
    "Detail": "._verdict",
    "Example": "._rules",
    "ExampleResult": "._examples",
    "InputWarning": "._errors",
    "FeatureInfo": "._rules",
    "FeatureResult": "._verdict",
    "FeatureStatus": "._verdict",
    "Finding": "._verdict",
    "Messages": "._rules",
    "Outcome": "._verdict",
    "PackInfo": "._verdict",
    "Rule": "._rules",
    "RulePack": "._rules",
    "RuleSeverity": "._rules",
    "Status": "._verdict",
    "TestInfo": "._rules",
    "TestResult": "._verdict",
    "TestStatus": "._verdict",
    "Verdict": "._verdict",
    "assess": "._assess",
    "assess_many": "._batch",
    "load_rules": "._rules",
    "proposal_digest": "._assess",
    "proposal_schema": "._schema",
    "render_html": "._render",
    "render_markdown": "._render",
    "render_text": "._render",
    "run_examples": "._examples",
    "verdict_schema": "._schema",
    "verdict_from_dict": "._verdict",
    "Problem": "._errors",
    "ProposalError": "._errors",
    "RuleError": "._errors",
    "SharingRulesError": "._errors",
    "UsageError": "._errors",
    "load_proposal": "._load",
    "parse_proposal": "._load",
    "proposal_from_dict": "._load",
    "proposal_to_dict": "._load",
    "DecisionError": "._decision",
    "DecisionRecord": "._decision",
    "DecisionReview": "._decision",
    "DpoAdvice": "._decision",
    "ResidualRisk": "._decision",
    "Resolution": "._decision",
    "RiskLevel": "._decision",
    "Waiver": "._decision",
    "WaiverCheck": "._decision",
    "WaiverStatus": "._decision",
    "apply_decision": "._decision",
    "decision_from_dict": "._decision",
    "decision_schema": "._decision",
    "load_decision": "._decision",
    "risk_level": "._decision",
    "FindingChange": "._diff",
    "StatusChange": "._diff",
    "VerdictDiff": "._diff",
    "diff_proposals": "._diff",
    "diff_verdicts": "._diff",
    "VerdictError": "._errors",
    "Blocker": "._plan",
    "BlockerKind": "._plan",
    "ChangeKind": "._plan",
    "RepairChange": "._plan",
    "RepairPlan": "._plan",
    "RepairStep": "._plan",
    "repair_plan": "._plan",
    "Reassessment": "._reassess",
    "ReassessReport": "._reassess",
    "StoredVerdict": "._reassess",
    "StoreError": "._reassess",
    "load_store": "._reassess",
    "reassess": "._reassess",
}

__all__ = [
    "__version__",
    "AssessmentError",
    "Assessor",
    "Basis",
    "BatchResult",
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
    "InputWarning",
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
    "assess_many",
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
    "UsageError",
    "load_proposal",
    "parse_proposal",
    "proposal_from_dict",
    "proposal_to_dict",
    "DecisionError",
    "DecisionRecord",
    "DecisionReview",
    "DpoAdvice",
    "ResidualRisk",
    "Resolution",
    "RiskLevel",
    "Waiver",
    "WaiverCheck",
    "WaiverStatus",
    "apply_decision",
    "decision_from_dict",
    "decision_schema",
    "load_decision",
    "risk_level",
    "FindingChange",
    "StatusChange",
    "VerdictDiff",
    "diff_proposals",
    "diff_verdicts",
    "VerdictError",
    "Blocker",
    "BlockerKind",
    "ChangeKind",
    "RepairChange",
    "RepairPlan",
    "RepairStep",
    "repair_plan",
    "Reassessment",
    "ReassessReport",
    "StoredVerdict",
    "StoreError",
    "load_store",
    "reassess",
    *_model_all,
]

if TYPE_CHECKING:  # what the names above are, for type checkers (explicitly re-exported)
    from ._assess import Assessor as Assessor
    from ._assess import assess as assess
    from ._assess import proposal_digest as proposal_digest
    from ._batch import BatchResult as BatchResult
    from ._batch import assess_many as assess_many
    from ._decision import DecisionError as DecisionError
    from ._decision import DecisionRecord as DecisionRecord
    from ._decision import DecisionReview as DecisionReview
    from ._decision import DpoAdvice as DpoAdvice
    from ._decision import ResidualRisk as ResidualRisk
    from ._decision import Resolution as Resolution
    from ._decision import RiskLevel as RiskLevel
    from ._decision import Waiver as Waiver
    from ._decision import WaiverCheck as WaiverCheck
    from ._decision import WaiverStatus as WaiverStatus
    from ._decision import apply_decision as apply_decision
    from ._decision import decision_from_dict as decision_from_dict
    from ._decision import decision_schema as decision_schema
    from ._decision import load_decision as load_decision
    from ._decision import risk_level as risk_level
    from ._dialogue import CardResult as CardResult
    from ._dialogue import DialogueError as DialogueError
    from ._dialogue import DialogueRecord as DialogueRecord
    from ._dialogue import Question as Question
    from ._dialogue import ResidentCondition as ResidentCondition
    from ._dialogue import Score as Score
    from ._dialogue import Session as Session
    from ._dialogue import ingest as ingest
    from ._dialogue import load_records as load_records
    from ._diff import FindingChange as FindingChange
    from ._diff import StatusChange as StatusChange
    from ._diff import VerdictDiff as VerdictDiff
    from ._diff import diff_proposals as diff_proposals
    from ._diff import diff_verdicts as diff_verdicts
    from ._errors import AssessmentError as AssessmentError
    from ._errors import InputWarning as InputWarning
    from ._errors import Problem as Problem
    from ._errors import ProposalError as ProposalError
    from ._errors import RuleError as RuleError
    from ._errors import SharingRulesError as SharingRulesError
    from ._errors import UsageError as UsageError
    from ._errors import VerdictError as VerdictError
    from ._examples import ExampleResult as ExampleResult
    from ._examples import run_examples as run_examples
    from ._load import load_proposal as load_proposal
    from ._load import parse_proposal as parse_proposal
    from ._load import proposal_from_dict as proposal_from_dict
    from ._load import proposal_to_dict as proposal_to_dict
    from ._plan import Blocker as Blocker
    from ._plan import BlockerKind as BlockerKind
    from ._plan import ChangeKind as ChangeKind
    from ._plan import RepairChange as RepairChange
    from ._plan import RepairPlan as RepairPlan
    from ._plan import RepairStep as RepairStep
    from ._plan import repair_plan as repair_plan
    from ._reassess import Reassessment as Reassessment
    from ._reassess import ReassessReport as ReassessReport
    from ._reassess import StoredVerdict as StoredVerdict
    from ._reassess import StoreError as StoreError
    from ._reassess import load_store as load_store
    from ._reassess import reassess as reassess
    from ._render import render_html as render_html
    from ._render import render_markdown as render_markdown
    from ._render import render_text as render_text
    from ._rules import Derivation as Derivation
    from ._rules import Example as Example
    from ._rules import FeatureInfo as FeatureInfo
    from ._rules import Messages as Messages
    from ._rules import Rule as Rule
    from ._rules import RulePack as RulePack
    from ._rules import RuleSeverity as RuleSeverity
    from ._rules import TestInfo as TestInfo
    from ._rules import load_rules as load_rules
    from ._schema import proposal_schema as proposal_schema
    from ._schema import verdict_schema as verdict_schema
    from ._verdict import Basis as Basis
    from ._verdict import Detail as Detail
    from ._verdict import FeatureResult as FeatureResult
    from ._verdict import FeatureStatus as FeatureStatus
    from ._verdict import Finding as Finding
    from ._verdict import Outcome as Outcome
    from ._verdict import PackInfo as PackInfo
    from ._verdict import Status as Status
    from ._verdict import TestResult as TestResult
    from ._verdict import TestStatus as TestStatus
    from ._verdict import Verdict as Verdict
    from ._verdict import verdict_from_dict as verdict_from_dict
    from ._voice import PublicVoice as PublicVoice
    from ._voice import VoiceSource as VoiceSource
    from ._voice import public_voice as public_voice


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use, then keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
