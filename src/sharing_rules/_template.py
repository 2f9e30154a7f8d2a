"""The commented proposal template that ``sharing-rules init`` writes."""

from __future__ import annotations

import re
import textwrap
from enum import Enum

from . import _model
from ._version import __version__

__all__ = ["proposal_template"]


def _values(cls: type[Enum]) -> str:
    return ", ".join(str(m.value) for m in cls)


def _wrap_comments(text: str, width: int = 88) -> str:
    lines = []
    for line in text.splitlines():
        match = re.match(r"^(\s*# )(?! {3})(.*)$", line)  # indented commands stay whole
        if match and len(line) > width:
            lines += textwrap.wrap(
                match.group(2),
                width,
                initial_indent=match.group(1),
                subsequent_indent=match.group(1),
                break_on_hyphens=False,
            )
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def proposal_template(path: str = "proposal.yaml") -> str:
    """The commented template that ``sharing-rules init`` writes (to ``path``).

    As written it loads (only ``id`` and ``title`` are stated). Deleting the ``#`` that
    sits directly against a key states that field with its example value.
    """
    names = {
        name: _values(getattr(_model, name))
        for name in (
            "Sector",
            "ControllerRole",
            "OnwardSharing",
            "DataCategory",
            "Identifiability",
            "SharingMethod",
            "Frequency",
            "Beneficiary",
            "Likelihood",
            "Severity",
            "Article6Basis",
            "Article9Condition",
            "DpiaStatus",
            "Setting",
            "PartyRole",
            "PurposeKind",
            "DecisionKind",
            "CollectionContext",
            "ConfidentialityBasis",
        )
    }
    return _wrap_comments(_TEMPLATE.format(**names, version=__version__, path=path))


_TEMPLATE = """\
# A proposal to share personal data, to check against the Data for Public Benefit
# framework with sharing-rules {version} (written by `sharing-rules init`).
#
# How to fill it in
# - Only id and title are required. Leave out whatever is not known yet: the assessment
#   then reports it as information missing, not as a failure.
# - A line whose # sits directly against a key (like "#purpose:") is a field you can
#   state: delete that # and replace the example value. Keep the indentation. Lines
#   starting "# " (hash and space) are explanations.
# - Text in <angle brackets> is a placeholder to replace.
# - Stating false, or an empty list [], is information ("no", "none"); leaving a field
#   out means "not stated".
# - Check it with:
#     sharing-rules assess {path}
#   The format as a JSON Schema: sharing-rules schema proposal

# A reference for the proposal, such as its number in your data sharing register.
id: <reference, e.g. DSP-2026-001>
# A short title: what is shared, by whom, with whom.
title: <short title of the data sharing>
# The proposal's own version, and when it was created and last updated (YYYY-MM-DD).
#version: "0.1"
#created: 2026-01-31
#updated: 2026-01-31
# Whether it may appear in the public register (sharing-rules register): false leaves
# it out.
#public: true

# ---------------------------------------------------------------------------- parties
# Every organisation that discloses (provider) or receives (recipient) the data.
#parties:
  #- name: <organisation that discloses the data>
    # What it does: one or both of {PartyRole}.
    #roles: [provider]
    # Its sector: {Sector}.
    #sector: local_government
    # Its role under UK GDPR: {ControllerRole}.
    #controller_role: controller
    # Whether it is a private company working for a public body.
    #private_contractor: false
  #- name: <organisation that receives the data>
    #roles: [recipient]

# ---------------------------------------------------------------------------- purpose
# Why the data is shared, and the limits that protect against function creep
# (Purposeful test).
#purpose:
  # The purpose in a few specific sentences: the service, the people it is for, and what
  # the data will be used to decide or do.
  #statement: <what the data will be used to decide or do, for whom, and why>
  # The specific objectives, and the outcomes intended for people.
  #objectives: [<objective>]
  #intended_outcomes: [<outcome for people>]
  # Why the data was first collected, and whether the new use is compatible with it.
  #original_collection_purpose: <why the provider holds the data>
  #compatible_with_original: true
  #compatibility_reasoning: <why the new use is compatible with the original purpose>
  # What recipients must not use the data for.
  #limits_on_other_uses: <uses that are ruled out; any new use needs a new decision>
  # Whether recipients may pass the data on: {OnwardSharing}.
  #onward_sharing: prohibited
  # Every kind of use the data is put to, for or against the people it is about:
  # {PurposeKind}.
  #kinds: [individual_service]
  # The decisions about individuals that follow ([] for none): {DecisionKind}.
  #decisions: [support_offered]

# ------------------------------------------------------------------------- data items
# Each item of personal data to be shared, with why it is needed (Proportionate test).
#data_items:
  #- name: <data item, e.g. Address>
    #description: <what exactly is shared>
    # What kind of information it is: {DataCategory}.
    #category: location
    # Special category data (UK GDPR Art. 9), criminal offence data (Art. 10).
    #special_category: false
    #criminal_offence: false
    # How directly it identifies people: {Identifiability}.
    #identifiability: identified
    # Why the purpose cannot be met without this item.
    #justification: <why this item is needed>
    # Why it must be shared at this level of identifiability.
    #identifiability_reason: <why less identifiable data would not do>
    # Where it came from, the service or setting it was first collected in:
    # {CollectionContext}.
    #collected_in: social_care
    # Whether it is accurate and reliable enough for the decisions made with it.
    #reliable: true

# ---------------------------------------------------------------------- data subjects
# Whose data it is.
#data_subjects:
  #description: <the people whose data is shared>
  #approximate_count: 1000
  #includes_children: false
  # If children are included: why their data is needed.
  #children_justification: <why children's data is needed>
  #includes_vulnerable: false
  # Whether it covers a whole population (every child, every patient, a whole register).
  #whole_population: false
  # If children are included: whether their best interests were assessed.
  #children_best_interests: true

# ---------------------------------------------------------------------------- sharing
# How, how often and how much data moves.
#sharing:
  # How: {SharingMethod}.
  #method: secure_transfer
  # How often: {Frequency}.
  #frequency: monthly
  #volume_records: 1000
  # Whether datasets are combined or matched, and how.
  #combines_datasets: false
  #combination_detail: <what is matched with what, and how>
  # Triggers for a DPIA (UK GDPR Art. 35).
  #automated_decisions: false
  #systematic_monitoring: false
  #innovative_technology: false
  # Whether individuals are scored, profiled or their risk predicted, and whether a
  # person reviews every match, score or flag before anything is decided about them.
  #profiling: false
  #human_review: true
  # Whether each disclosure is decided case by case (false: blanket or bulk sharing), and
  # whether the sharing is informal (no written agreement, policy or consistent practice).
  #case_by_case: true
  #informal: false

# ----------------------------------------------------------------------- alternatives
# Less intrusive ways of meeting the purpose that were considered ([] for none).
#alternatives:
  #- description: <e.g. sharing aggregate figures instead>
    #why_rejected: <why it would not meet the purpose>
# What happens if the data is not shared.
#consequences_of_not_sharing: <what people or services lose without the sharing>

# ----------------------------------------------------------------- benefits and risks
# The expected benefits (Responsible test).
#benefits:
  #- description: <the benefit>
    # Who benefits: {Beneficiary}.
    #beneficiaries: [individuals, wider_public]
    # The key features of public benefit it supports (numbers 1 to 5: 1 better services
    # and outcomes for people, 2 positive outcomes for the wider public, 3 respects the
    # individual, 4 effective use of public resources, 5 open and accountable).
    #features: [1, 2]
    #measure: <how the benefit will be measured>
    #evidence: <evidence that the benefit is likely>
# The risks of harm to people or organisations, and their mitigations ([] for none).
#risks:
  #- description: <the risk of harm>
    # Likelihood: {Likelihood}. Severity: {Severity}.
    #likelihood: possible
    #severity: significant
    #mitigations: [<mitigation>]
    # The risk that remains after the mitigations, on the same scales.
    #residual_likelihood: remote
    #residual_severity: minimal
    #accepted_reason: <why the remaining risk is accepted, and who accepted it>

# ------------------------------------------------------------------------ legal basis
#legal_basis:
  # UK GDPR Art. 6(1) lawful basis: {Article6Basis}.
  #article_6: public_task
  # For special category data, the Art. 9(2) condition: {Article9Condition}.
  #article_9_condition: substantial_public_interest
  # For criminal offence data, the Art. 10 condition (DPA 2018 Schedule 1).
  #article_10_condition: <DPA 2018 Schedule 1 condition>
  # The legal power to share, if any.
  #statutory_gateway: <e.g. an Act and section>
  # For confidential data, what sets aside the duty of confidence: {ConfidentialityBasis}.
  #confidentiality_basis: consent
  # Whether the law relied on is clear and foreseeable and has safeguards against arbitrary
  # or disproportionate disclosure (ECHR Art. 8 "in accordance with the law").
  #clear_law_with_safeguards: true

# ------------------------------------------------------------------------- governance
# Who is accountable, and how the sharing is assessed and reviewed.
#governance:
  #accountable_owner: <named role accountable for the sharing>
  # Data protection impact assessment: {DpiaStatus}.
  #dpia_status: completed
  #dpia_reference: <DPIA reference>
  #data_sharing_agreement: <agreement reference>
  #dpo_consulted: true
  #caldicott_guardian_approved: true
  #review_date: 2027-01-31
  #evaluation_plan: <how and when the sharing will be evaluated>
  # Whether recipients are checked and their use of the data monitored against its limits.
  #use_monitored: true
  # Whether the effect on people with protected characteristics was assessed (Equality
  # Act 2010 s.149).
  #equality_impact_assessed: true
  # Whether a research ethics committee or data access panel approved (for research).
  #research_approval: true

# ------------------------------------------------------------------------- safeguards
# Technical and organisational protections.
#safeguards:
  #access_control: <who can see the data, and how access is controlled>
  #security_measures: [<e.g. encryption in transit and at rest>]
  # Where recipients work with the data: {Setting}.
  #setting: secure_recipient_systems
  # How long the data is kept, as an ISO 8601 period: P6Y, P18M, P90D.
  #retention_period: P2Y
  #retention_reason: <why the purpose needs the data for that long>
  # Whether the data is kept with no end date.
  #kept_indefinitely: false
  #deletion_method: <how the data is deleted at the end>
  #audit_logging: true
  #breach_procedure: true
  # Whether data leaves the UK, and under which safeguard.
  #international_transfer: false
  #transfer_safeguard: <e.g. adequacy regulations>

# ----------------------------------------------------------------------- transparency
# What the public and the people concerned are told, and how they can challenge it.
#transparency:
  #privacy_notice: <link to the privacy notice>
  #register_entry: <link to the entry in a public register of data sharing>
  #purpose_published: true
  #individuals_informed: true
  #plain_language_summary: <the sharing explained in plain, accessible language>
  #challenge_route: <how people can object or complain>
  # Whether objections and opt-outs (including the national data opt-out) are honoured.
  #opt_outs_honoured: true
  #public_engagement:
    #done: true
    #method: <e.g. a resident panel>
    #findings: <what the public said, and what changed>

# -------------------------------------------------------------------------- resources
# What the sharing costs and saves (key feature 4).
#resources:
  #cost_gbp: 10000
  #staff_days: 20
  #expected_savings_gbp: 50000
  #notes: <how the figures were estimated>
"""
