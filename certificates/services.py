"""Issuing and revoking certificates, and checking a certificate PDF someone hands in.

certificate_issue() and certificate_issue_many() are the only ways certificates are made:
the mediators' pages, the admin action, the issue_certificates command and seed_demo all
call them.
"""

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import credentials, pdf, signing
from certificates.models import (
    Certificate,
    CertificateCompetence,
    Endorsement,
    LearnerRecord,
    Signatory,
)
from learners.models import CompetenceAssessment, Participation, Resident, random_code
from learners.models.residents import TownActors
from pathway.models import ModuleCompetence
from pathway.permissions import in_town_of


def signing_key():
    """The key set that signs now, with its private keys; a French ValidationError when
    there is none (never created, or retired)."""
    try:
        key = signing.current_key()
    except signing.IssuerKeysMissing as error:
        raise ValidationError(str(error)) from None
    if key.credential_private is None or key.pdf_signer is None:
        raise ValidationError(
            str(signing.IssuerKeysMissing(_("clé %(key)s retirée") % {"key": key.key_id}))
        )
    return key


@dataclass
class Evidence:
    """What a resident did for a module, read from the records."""

    targets: list = field(default_factory=list)  # ModuleCompetence rows
    levels: dict = field(default_factory=dict)  # competence id -> best level reached
    first_assessed: object = None
    last_assessed: object = None
    minutes: int = 0
    start: object = None
    end: object = None
    last_actor_id: int | None = None

    def missing(self):
        return [t for t in self.targets if self.levels.get(t.competence_id, 0) < t.target_level]


def gather_evidence(pairs):
    """Evidence of every (resident, module) pair, in four queries whatever their number."""
    resident_ids = {r.pk for r, _m in pairs}
    module_ids = {m.pk for _r, m in pairs}
    targets = defaultdict(list)
    for target in ModuleCompetence.objects.filter(module_id__in=module_ids).select_related(
        "competence"
    ):
        targets[target.module_id].append(target)
    competence_ids = {t.competence_id for ts in targets.values() for t in ts}
    assessed = {}
    for row in (
        CompetenceAssessment.objects.filter(
            resident_id__in=resident_ids, competence_id__in=competence_ids
        )
        .values("resident_id", "competence_id")
        .annotate(best=Max("level"), first=Min("assessed_on"), last=Max("assessed_on"))
        .order_by()
    ):
        assessed[row["resident_id"], row["competence_id"]] = row
    attended = Participation.objects.filter(
        resident_id__in=resident_ids, session__module_id__in=module_ids
    )
    training = {
        (row["resident_id"], row["session__module_id"]): row
        for row in attended.values("resident_id", "session__module_id")
        .annotate(minutes=Sum("session__duration_minutes"), start=Min("date"), end=Max("date"))
        .order_by()
    }
    last_actor = {}
    for resident_id, module_id, actor_id in attended.order_by("-date", "-id").values_list(
        "resident_id", "session__module_id", "actor_id"
    ):
        last_actor.setdefault((resident_id, module_id), actor_id)

    evidence = {}
    for resident, module in pairs:
        key = (resident.pk, module.pk)
        found = Evidence(targets=targets[module.pk], last_actor_id=last_actor.get(key))
        for target in found.targets:
            row = assessed.get((resident.pk, target.competence_id))
            if row:
                found.levels[target.competence_id] = row["best"]
                found.first_assessed = min(filter(None, [found.first_assessed, row["first"]]))
                found.last_assessed = max(filter(None, [found.last_assessed, row["last"]]))
        if key in training:
            row = training[key]
            found.minutes, found.start, found.end = row["minutes"], row["start"], row["end"]
        evidence[key] = found
    return evidence


def certificate_issue(*, resident, module, issued_by=None, **options):
    """Issue the certificate of `module` to `resident` (see certificate_issue_many)."""
    return certificate_issue_many(pairs=[(resident, module)], issued_by=issued_by, **options)[0]


@transaction.atomic
def certificate_issue_many(
    *, pairs, issued_by=None, signatory=None, language="fr", expires_on=None, now=None
):
    """Issue certificates for (resident, module) pairs: all of them, or none.

    Each pair must have every competence of the module assessed at or above its target, and
    no certificate in force for that module. The signatory is `signatory` (one of the
    issuer's actors), or else the default signatory of the actor where the resident last
    trained for the module. For each certificate: the record and its competences, an Open
    Badges 3.0 credential with an eddsa-rdfc-2022 proof, the PDF with the credential
    attached, signed (PAdES) and stored with its SHA-256. Raises ValidationError with one
    French message per problem; nothing is written then.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    pairs = list({(r.pk, m.pk): (r, m) for r, m in pairs}.values())
    if not pairs:
        raise ValidationError(_("Choisissez au moins une personne à qui délivrer l'attestation."))
    if language not in pdf.LANGUAGES:
        raise ValidationError(_("Choisissez la langue de l'attestation : français ou anglais."))
    if expires_on is not None and expires_on <= today:
        raise ValidationError(_("La date de fin de validité doit être après aujourd'hui."))
    if issued_by is not None:
        check_issuer(issued_by, pairs, signatory)
    key = signing_key()

    evidence = gather_evidence(pairs)
    in_force = {
        (resident_id, module_id): code
        for resident_id, module_id, code in Certificate.objects.in_force()
        .filter(resident_id__in={r.pk for r, _m in pairs}, module_id__in={m.pk for _r, m in pairs})
        .values_list("resident_id", "module_id", "code")
    }
    signatories = choose_signatories(pairs, evidence, issued_by=issued_by, signatory=signatory)
    errors = []
    for resident, module in pairs:
        pair = (resident.pk, module.pk)
        name = resident.display_name
        if pair in in_force:
            errors.append(
                _(
                    "%(name)s a déjà l'attestation du module « %(module)s » (code %(code)s) : "
                    "elle n'est pas délivrée deux fois."
                )
                % {"name": name, "module": module.name, "code": in_force[pair]}
            )
            continue
        if resident.erased_at or not (resident.first_name or resident.last_name):
            errors.append(
                _(
                    "%(name)s n'a pas de nom dans sa fiche : une attestation nomme la personne. "
                    "Ajoutez son prénom et son nom, puis recommencez."
                )
                % {"name": name}
            )
            continue
        found = evidence[pair]
        missing = found.missing()
        if not found.targets:
            errors.append(
                _("Le module « %(module)s » n'a aucune compétence visée : rien à attester.")
                % {"module": module.name}
            )
        elif missing:
            errors.append(
                _(
                    "%(name)s n'a pas encore toutes les compétences du module « %(module)s » : "
                    "%(missing)s."
                )
                % {
                    "name": name,
                    "module": module.name,
                    "missing": ", ".join(describe_missing(t, found.levels) for t in missing),
                }
            )
        if isinstance(signatories[pair], str):
            errors.append(signatories[pair])
    if errors:
        raise ValidationError(errors)

    certificates = []
    for resident, module in pairs:
        found = evidence[resident.pk, module.pk]
        chosen = signatories[resident.pk, module.pk]
        start = found.start or found.first_assessed or today
        end = max(found.end or found.last_assessed or start, start)
        certificates.append(
            Certificate(
                code=Certificate.new_code(chosen.actor.town.certificate_prefix),
                resident=resident,
                module=module,
                actor=chosen.actor,
                signatory_name=chosen.name,
                signatory_role=chosen.role,
                issued_by=issued_by,
                issued_at=now,
                hours=(Decimal(found.minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP),
                period_start=start,
                period_end=end,
                expires_on=expires_on,
                language=language,
                key_id=key.key_id,
            )
        )
    Certificate.objects.bulk_create(certificates)
    lines_of = {}
    for certificate in certificates:
        found = evidence[certificate.resident.pk, certificate.module.pk]
        lines_of[certificate.pk] = [
            CertificateCompetence(
                certificate=certificate,
                competence=target.competence,
                level=found.levels[target.competence_id],
            )
            for target in sorted(found.targets, key=lambda t: t.competence.code)
        ]
    CertificateCompetence.objects.bulk_create(
        [line for lines in lines_of.values() for line in lines]
    )

    endorsed = defaultdict(list)
    for endorsement in Endorsement.objects.filter(module__in={m.pk for _r, m in pairs}).order_by(
        "issued_at", "pk"
    ):
        endorsed[endorsement.module_id].append(endorsement.credential)

    pdf_field = Certificate._meta.get_field("pdf")
    stored = []
    try:
        for certificate in certificates:
            found = evidence[certificate.resident.pk, certificate.module.pk]
            # Its position in the revocation status list: the id is unique and never reused.
            certificate.status_index = certificate.pk
            document = sign_certificate(
                certificate,
                lines_of[certificate.pk],
                targets={t.competence_id: t.target_level for t in found.targets},
                key=key,
                now=now,
                endorsements=endorsed[certificate.module.pk],
            )
            name = pdf_field.generate_filename(certificate, certificate.pdf_filename)
            certificate.pdf.name = pdf_field.storage.save(name, ContentFile(document))
            stored.append(certificate.pdf.name)
            certificate.pdf_sha256 = hashlib.sha256(document).hexdigest()
        Certificate.objects.bulk_update(
            certificates, ["status_index", "pdf", "pdf_sha256", "credential"], batch_size=500
        )
    except BaseException:
        for name in stored:
            pdf_field.storage.delete(name)
        raise
    return certificates


def sign_certificate(certificate, lines, *, targets, key, now, endorsements=()):
    """Sign the credential, attach it to the PDF, sign the PDF: returns the PDF bytes and
    sets certificate.credential."""
    unsigned = credentials.certificate_credential(
        certificate,
        lines,
        targets=targets,
        salt=credentials.new_salt(),
        endorsements=endorsements,
    )
    certificate.credential = credentials.sign(
        unsigned,
        private_key=key.credential_private,
        verification_method=credentials.verification_method(key.key_id, certificate.town),
        created=credentials.xsd_datetime(now),
    )
    document = pdf.certificate_pdf(
        certificate, competences=lines, verify_url=certificate.verify_url
    )
    document = signing.embed_attachment(
        document,
        filename=f"attestation-{certificate.code}.json",
        data=json.dumps(certificate.credential, ensure_ascii=False, indent=1).encode(),
        mime_type="application/json",
        description="Open Badges 3.0 (W3C Verifiable Credential)",
    )
    return key.sign_pdf(
        document,
        reason=f"{pdf.TEXT[certificate.language]['title']} {certificate.code}",
        location=certificate.actor.city or certificate.actor.name,
        signer_name=certificate.actor.name,
    )


def describe_missing(target, levels):
    reached = levels.get(target.competence_id)
    if reached is None:
        return _("%(code)s pas encore évaluée (niveau %(target)s visé)") % {
            "code": target.competence.code,
            "target": target.target_level,
        }
    return _("%(code)s niveau %(reached)s sur %(target)s visé") % {
        "code": target.competence.code,
        "reached": reached,
        "target": target.target_level,
    }


def check_issuer(user, pairs, signatory):
    if not user.is_active or not user.works_with_residents:
        raise ValidationError(
            _("Seuls les médiateurs et la coordination délivrent des attestations.")
        )
    visible = set(
        Resident.objects.visible_to(user)
        .filter(pk__in={r.pk for r, _m in pairs})
        .values_list("pk", flat=True)
    )
    hidden = [r.display_name for r, _m in pairs if r.pk not in visible]
    if hidden:
        raise ValidationError(
            _("Vous ne suivez pas ces personnes : %(names)s.") % {"names": ", ".join(hidden)}
        )
    if signatory is not None and not (
        (user.is_network_admin and in_town_of(user, signatory.actor_id))
        or signatory.actor_id in user.actor_ids
    ):
        raise ValidationError(_("Choisissez un signataire de votre structure."))


def choose_signatories(pairs, evidence, *, issued_by, signatory):
    """The signatory of each pair, or a French message saying why there is none."""
    if signatory is not None:
        return dict.fromkeys(((r.pk, m.pk) for r, m in pairs), signatory)
    own = None
    if issued_by is not None and not issued_by.is_network_admin:
        own = issued_by.actor_ids
    elif issued_by is not None and issued_by.town_ids is not None:
        # A town's network admin issues in their town's name only.
        own = TownActors(issued_by.town_ids)
    actor_of = {}
    for resident, module in pairs:
        actor_id = evidence[resident.pk, module.pk].last_actor_id or resident.created_by_actor_id
        if own is not None and actor_id not in own:
            actor_id = issued_by.main_actor.pk if issued_by.main_actor else None
        actor_of[resident.pk, module.pk] = actor_id
    defaults = {
        s.actor_id: s
        for s in Signatory.objects.filter(
            actor_id__in=set(actor_of.values()), is_default=True
        ).select_related("actor__town")
    }
    chosen = {}
    for pair, actor_id in actor_of.items():
        chosen[pair] = defaults.get(actor_id) or _(
            "La structure qui délivre l'attestation n'a pas de signataire par défaut : la "
            "coordination doit en ajouter un (administration, « Signataires »)."
        )
    return chosen


@transaction.atomic
def certificate_revoke(*, certificate, reason, revoked_by, now=None):
    """Revoke a certificate: its check page, its JSON and the status list say so at once.
    Only the network admin may; the reason is shown publicly."""
    if not (revoked_by.is_active and revoked_by.is_network_admin):
        raise ValidationError(_("Seule la coordination du réseau peut révoquer une attestation."))
    if not in_town_of(revoked_by, certificate.actor_id):
        raise ValidationError(
            _("Seule la coordination de la ville qui l'a délivrée peut révoquer une attestation.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Écrivez le motif de la révocation : il est affiché publiquement."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise ValidationError(
            _("Cette attestation est déjà révoquée depuis le %(date)s.")
            % {"date": timezone.localdate(locked.revoked_at).strftime("%d/%m/%Y")}
        )
    locked.revoked_at = now or timezone.now()
    locked.revocation_reason = reason
    locked.save(update_fields=["revoked_at", "revocation_reason"])
    return locked


# When residents' records are merged or erased (learners.signals) -----------------------------


def certificates_follow_merge(sender, *, survivor, duplicate, **kwargs):
    """Two records being merged: the duplicate's certificates go to the survivor, unless both
    hold a valid one for the same module (then the merge is refused, and nothing written)."""
    valid = Certificate.objects.filter(revoked_at__isnull=True)
    shared_modules = set(valid.filter(resident=survivor).values_list("module_id", flat=True)) & set(
        valid.filter(resident=duplicate).values_list("module_id", flat=True)
    )
    if shared_modules:
        raise ValidationError(
            _(
                "Les deux fiches ont chacune une attestation valide pour le même module : "
                "révoquez-en une avant de fusionner."
            )
        )
    Certificate.objects.filter(resident=duplicate).update(resident=survivor)


def certificates_follow_erasure(sender, *, resident_ids, revoke_certificates, now, **kwargs):
    """Residents being erased: their certificates stay verifiable as issued to an erased
    person, but the stored PDF, which names them, is deleted (once the erasure commits);
    revoked as well when they asked for it."""
    certificates = list(Certificate.objects.filter(resident_id__in=resident_ids))
    files = [certificate.pdf.name for certificate in certificates if certificate.pdf]
    for certificate in certificates:
        certificate.pdf = ""
        if revoke_certificates and certificate.revoked_at is None:
            certificate.revoked_at = now
            certificate.revocation_reason = _("Données effacées à la demande de la personne.")
        certificate.save(update_fields=["pdf", "revoked_at", "revocation_reason"])
    if files:
        storage = Certificate._meta.get_field("pdf").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])


# Checking a PDF handed in by an employer -----------------------------------------------------

CODE_IN_URL = re.compile(r"/verify/([A-Z0-9-]{6,40})/$")


@dataclass
class PdfReport:
    """What the check of an uploaded PDF found, in the words the page shows."""

    signature: signing.PdfCheck
    certificate: Certificate | None = None
    record: LearnerRecord | None = None
    credential_found: bool = False
    credential_matches: bool = False
    proof_valid: bool = False
    same_file: bool = False

    @property
    def document(self):
        """What the file says it is: a certificate, or a learner record."""
        return self.certificate or self.record

    @property
    def authentic(self):
        """Signed by us, unchanged, and carrying the very credential we recorded."""
        return (
            self.signature.ok
            and self.document is not None
            and self.credential_matches
            and self.proof_valid
        )


def certificate_check_pdf(*, data):
    """Check a PDF someone says is one of our certificates or learner records: the PAdES
    signature against all our keys (current and retired), then the credential attached to
    it against the record and its own proof."""
    check = signing.verify_pdf(
        data, trusted_certificates=[k.certificate_pem for k in signing.all_keys()]
    )
    report = PdfReport(signature=check)
    attached = [body for name, body in check.attachments.items() if name.endswith(".json")]
    if len(attached) != 1:
        return report
    try:
        credential = json.loads(attached[0])
    except ValueError:
        return report
    report.credential_found = isinstance(credential, dict)
    match = CODE_IN_URL.search(str(credential.get("id", ""))) if report.credential_found else None
    if match is None:
        return report
    report.certificate = Certificate.objects.with_claims().filter(code=match.group(1)).first()
    if report.certificate is None:
        report.record = (
            LearnerRecord.objects.select_related("resident").filter(code=match.group(1)).first()
        )
    document = report.document
    if document is None:
        return report
    report.credential_matches = credential == document.credential
    report.same_file = hashlib.sha256(data).hexdigest() == document.pdf_sha256
    try:
        key = signing.load_key(document.key_id)
    except signing.IssuerKeysMissing:
        return report
    report.proof_valid = credentials.verify(credential, public_key=key.credential_public)
    return report


# Endorsements -------------------------------------------------------------------------------

MAX_COMMENT_CHARS = 1000


@transaction.atomic
def endorsement_issue(*, endorser, comment, issued_by, module=None, certificate=None, now=None):
    """Publish a partner's endorsement of a module or of one certificate: an Open Badges
    3.0 EndorsementCredential whose issuer is the partner, signed by the network on its
    behalf. The coordination records it once the partner has said so in writing; it shows
    on the check pages of the certificates concerned, in their JSON, in the credentials of
    the module's certificates issued afterwards and in every learner record made since."""
    now = now or timezone.now()
    if not (issued_by.is_active and issued_by.is_network_admin):
        raise ValidationError(
            _("Seule la coordination du réseau enregistre les recommandations des partenaires.")
        )
    if (module is None) == (certificate is None):
        raise ValidationError(
            _("Choisissez ce que le partenaire recommande : un module, ou une attestation.")
        )
    # A town's coordination speaks for its own town: the certificates its actors issued,
    # its actors' modules and the network's common ones (revocation follows the same rule).
    actor_id = certificate.actor_id if certificate is not None else module.actor_id
    if actor_id is not None and not in_town_of(issued_by, actor_id):
        raise ValidationError(
            _(
                "Seule la coordination de la ville qui a délivré l'attestation ou qui propose "
                "le module en enregistre les recommandations."
            )
        )
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            _("Écrivez ce que dit le partenaire : c'est le texte de la recommandation.")
        )
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValidationError(
            _("Le texte de la recommandation dépasse %(max)s caractères : raccourcissez-le.")
            % {"max": MAX_COMMENT_CHARS}
        )
    if certificate is not None and certificate.revoked_at:
        raise ValidationError(
            _("Cette attestation est révoquée : elle ne peut plus être recommandée.")
        )
    already = Endorsement.objects.filter(
        endorser=endorser, **({"module": module} if module else {"certificate": certificate})
    )
    if already.exists():
        raise ValidationError(
            _("%(endorser)s recommande déjà %(what)s.")
            % {"endorser": endorser.name, "what": module.name if module else certificate.code}
        )
    key = signing_key()
    endorsement = Endorsement(
        public_id=random_code(16),
        endorser=endorser,
        module=module,
        certificate=certificate,
        comment=comment,
        issued_at=now,
        issued_by=issued_by,
        key_id=key.key_id,
    )
    endorsement.credential = credentials.sign(
        credentials.endorsement_credential(endorsement),
        private_key=key.credential_private,
        verification_method=credentials.endorser_verification_method(endorser, key.key_id),
        created=credentials.xsd_datetime(now),
    )
    endorsement.save()
    return endorsement


# The learner record -------------------------------------------------------------------------


def record_contents(resident, *, today):
    """The certificates a learner record of `resident` gathers today (valid ones, oldest
    first, claims loaded) and the endorsements about them."""
    certificates = list(
        Certificate.objects.filter(resident=resident)
        .valid(today=today)
        .with_claims()
        .order_by("issued_at", "pk")
    )
    endorsements = list(Endorsement.objects.about(certificates)) if certificates else []
    return certificates, endorsements


def learner_record_issue(*, resident, now=None):
    """The resident's learner record ("passeport numérique") as of now: the latest one when
    nothing changed since (same certificates in force, same endorsements), otherwise a new
    one: its Comprehensive Learner Record 2.0 credential (every certificate's own signed
    credential inside) with an eddsa-rdfc-2022 proof, and its PDF with that credential
    attached, signed (PAdES) and stored. Raises ValidationError in French when there is
    nothing to gather."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if resident.erased_at or not (resident.first_name or resident.last_name):
        raise ValidationError(
            _("Un passeport numérique nomme la personne : sa fiche n'a pas de nom.")
        )
    certificates, endorsements = record_contents(resident, today=today)
    if not certificates:
        raise ValidationError(
            _(
                "Pas encore d'attestation valide : le passeport numérique les rassemble, il "
                "sera prêt avec la première."
            )
        )
    contents = json.dumps(
        {
            "certificates": [c.pk for c in certificates],
            "endorsements": sorted(e.pk for e in endorsements),
        }
    )
    contents_key = hashlib.sha256(contents.encode()).hexdigest()
    latest = (
        LearnerRecord.objects.filter(resident=resident, contents_key=contents_key)
        .exclude(pdf="")
        .order_by("-issued_at")
        .first()
    )
    if latest is not None:
        return latest
    return make_learner_record(
        resident, certificates, endorsements, contents_key=contents_key, now=now
    )


@transaction.atomic
def make_learner_record(resident, certificates, endorsements, *, contents_key, now):
    key = signing_key()
    record = LearnerRecord(
        resident=resident, issued_at=now, contents_key=contents_key, key_id=key.key_id
    )
    record.save()
    record.certificates.set(certificates)
    by_module = defaultdict(list)
    for endorsement in endorsements:
        if endorsement.module_id:
            by_module[endorsement.module_id].append(endorsement.credential)
    record.credential = credentials.sign(
        credentials.learner_record_credential(
            record, certificates, endorsements=by_module, salt=credentials.new_salt()
        ),
        private_key=key.credential_private,
        verification_method=credentials.verification_method(key.key_id, record.town),
        created=credentials.xsd_datetime(now),
    )
    document = pdf.learner_record_pdf(record, certificates, endorsements)
    document = signing.embed_attachment(
        document,
        filename=f"passeport-{record.code}.json",
        data=json.dumps(record.credential, ensure_ascii=False, indent=1).encode(),
        mime_type="application/json",
        description="Comprehensive Learner Record 2.0 (W3C Verifiable Credential)",
    )
    document = key.sign_pdf(
        document,
        reason=f"{credentials.RECORD_TITLE} {record.code}",
        location=record.town.name,
        signer_name=record.town.network_name,
    )
    pdf_field = LearnerRecord._meta.get_field("pdf")
    name = pdf_field.generate_filename(record, record.pdf_filename)
    record.pdf.name = pdf_field.storage.save(name, ContentFile(document))
    try:
        record.pdf_sha256 = hashlib.sha256(document).hexdigest()
        record.save(update_fields=["credential", "pdf", "pdf_sha256"])
    except BaseException:
        pdf_field.storage.delete(record.pdf.name)
        raise
    return record
