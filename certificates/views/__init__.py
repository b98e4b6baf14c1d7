"""The certificates' pages. A package, as one file passed 800 lines; every view is
re-exported here, so that urls.py names them as before (`views.certificate_verify`):

- public.py: the public check (by code, by PDF file), badge images, the issuer's documents;
- staff.py: mediators and the coordination (eligible residents, issuing, revoking,
  partners' endorsements);
- resident.py: the resident's own certificates and learner record;
- pix.py: importing Pix Orga results.

Time is read through public.current_time() everywhere, so that tests freeze it once."""

from certificates.views.pix import pix_import, pix_import_confirm
from certificates.views.public import (
    certificate_badge_png,
    certificate_badge_svg,
    certificate_check,
    certificate_verify,
    certificate_verify_credential,
    certificate_verify_index,
    certificate_verify_pdf,
    claims,
    endorsement_credential,
    endorser_key,
    endorser_profile,
    issuer_key,
    issuer_profile,
    record_claims,
    status_list,
    stored_pdf,
)
from certificates.views.resident import (
    linkedin_url,
    me_certificate,
    me_certificate_pdf,
    me_certificates,
    me_record,
    me_record_credential,
    me_record_pdf,
)
from certificates.views.staff import (
    certificate_detail,
    certificate_download,
    certificate_eligible,
    certificate_issue,
    certificate_list,
    certificate_revoke_view,
    endorsement_list,
)

__all__ = [
    "certificate_badge_png",
    "certificate_badge_svg",
    "certificate_check",
    "certificate_detail",
    "certificate_download",
    "certificate_eligible",
    "certificate_issue",
    "certificate_list",
    "certificate_revoke_view",
    "certificate_verify",
    "certificate_verify_credential",
    "certificate_verify_index",
    "certificate_verify_pdf",
    "claims",
    "endorsement_credential",
    "endorsement_list",
    "endorser_key",
    "endorser_profile",
    "issuer_key",
    "issuer_profile",
    "linkedin_url",
    "me_certificate",
    "me_certificate_pdf",
    "me_certificates",
    "me_record",
    "me_record_credential",
    "me_record_pdf",
    "pix_import",
    "pix_import_confirm",
    "record_claims",
    "status_list",
    "stored_pdf",
]
