"""The record's closed vocabularies (statuses, reasons, kinds, roles): a module of its own so
that the command line can offer them as choices without importing SQLAlchemy."""
DRAFT_STATUSES = ("under_expertise", "adopted", "not_adopted", "withdrawn")
NOT_ADOPTED_REASONS = ("rejected_by_government", "developer_recalled", "superseded", "lost_relevance",
                       "negative_conclusion", "other")
DECISIONS = ("pending", "confirmed", "rejected")
REC_KINDS = ("delete", "reword", "add_procedure", "add_deadline", "close_list", "other")
REC_STATUSES = ("issued", "accepted", "rejected_by_developer")
INCORPORATION = ("unknown", "incorporated", "not_incorporated")
ROLES = ("admin", "expert", "agency")
