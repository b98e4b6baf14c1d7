"""Spreadsheets of residents, sessions with their participants, and competence assessments
(django-import-export), with the same French headers on export and import, dates in French
formats, and residents named by their reference. A package: sessions alone passed the
size of one file."""

from learners.resources.people import AssessmentResource, ResidentResource
from learners.resources.sessions import SESSION_COLUMNS, SessionResource

__all__ = ["SESSION_COLUMNS", "AssessmentResource", "ResidentResource", "SessionResource"]
