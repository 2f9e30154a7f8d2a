"""sharing-rules: check data-sharing proposals against the Data for Public Benefit framework."""

from ._errors import AssessmentError, Problem, ProposalError, RuleError, SharingRulesError
from ._load import load_proposal, parse_proposal, proposal_from_dict, proposal_to_dict
from ._model import *  # noqa: F403 - the model's names are listed in its __all__
from ._model import __all__ as _model_all
from ._version import __version__

__all__ = [
    "AssessmentError",
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
