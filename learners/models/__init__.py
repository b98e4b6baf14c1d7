"""The people who travel the pathway and what happened to them. A package, as one file
passed 800 lines; every name is re-exported here (`from learners.models import Resident`):

- staff.py: staff users and their roles;
- residents.py: residents, their search, who may see them and their consent to sharing;
- sessions.py: sessions, participations with their outcomes, competence assessments;
- referrals.py: referrals from one actor to another actor or a pole;
- access.py: the access journal, residents' personal links and the API keys;
- imports.py: files uploaded to be imported;
- signups.py: sign-ups to planned workshops.

`Role` (pathway.permissions) and `normalise` (pathway.text), which these models use, are
named here too."""

from learners.models.access import (
    AccessAction,
    AccessLog,
    AccessLogQuerySet,
    ApiToken,
    ApiTokenQuerySet,
    ResidentLink,
    ResidentLinkQuerySet,
    TokenScope,
)
from learners.models.imports import ImportJob, ImportJobQuerySet, ImportStatus
from learners.models.referrals import Referral, ReferralQuerySet, ReferralStatus
from learners.models.residents import (
    ACROSS_TOWNS_CONSENT_VERSION,
    ACROSS_TOWNS_TEXT,
    CODE_ALPHABET,
    CONSENT_FIELDS,
    CONSENT_TEXTS,
    CURRENT_CONSENT_VERSION,
    FOLLOWING_NEEDS_SHARING,
    NOT_SHARED,
    AgeBand,
    Gender,
    Resident,
    ResidentQuerySet,
    SocialStatus,
    VisibleThroughResident,
    age_band,
    normalise,
    random_code,
    resident_management,
    resident_visibility,
)
from learners.models.sessions import (
    Autonomy,
    BlockedReason,
    CompetenceAssessment,
    CompetenceAssessmentQuerySet,
    Equipment,
    Location,
    PaperworkResult,
    Participation,
    ParticipationQuerySet,
    RedirectionKind,
    Session,
    SessionFormat,
    SessionQuerySet,
    WorkshopLevel,
)
from learners.models.signups import (
    SignupStatus,
    WorkshopAttendance,
    WorkshopSignup,
    WorkshopSignupQuerySet,
)
from learners.models.staff import Role, StaffUserManager, User

__all__ = [
    "ACROSS_TOWNS_CONSENT_VERSION",
    "ACROSS_TOWNS_TEXT",
    "CODE_ALPHABET",
    "CONSENT_FIELDS",
    "CONSENT_TEXTS",
    "CURRENT_CONSENT_VERSION",
    "FOLLOWING_NEEDS_SHARING",
    "NOT_SHARED",
    "AccessAction",
    "AccessLog",
    "AccessLogQuerySet",
    "ApiToken",
    "ApiTokenQuerySet",
    "Autonomy",
    "BlockedReason",
    "CompetenceAssessment",
    "CompetenceAssessmentQuerySet",
    "Equipment",
    "ImportJob",
    "ImportJobQuerySet",
    "ImportStatus",
    "Location",
    "PaperworkResult",
    "Participation",
    "ParticipationQuerySet",
    "Referral",
    "ReferralQuerySet",
    "ReferralStatus",
    "Resident",
    "ResidentLink",
    "ResidentLinkQuerySet",
    "ResidentQuerySet",
    "Role",
    "Session",
    "SessionFormat",
    "SessionQuerySet",
    "SignupStatus",
    "SocialStatus",
    "AgeBand",
    "Gender",
    "RedirectionKind",
    "age_band",
    "StaffUserManager",
    "TokenScope",
    "User",
    "VisibleThroughResident",
    "WorkshopAttendance",
    "WorkshopLevel",
    "WorkshopSignup",
    "WorkshopSignupQuerySet",
    "normalise",
    "random_code",
    "resident_management",
    "resident_visibility",
]
