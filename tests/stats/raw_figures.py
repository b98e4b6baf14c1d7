"""The dashboard's figures computed the slow, obvious way — Python loops over the raw
sessions, participations, assessments, referrals and certificates — to check the summary
tables against (tests only; stats.figures reads the summaries)."""

from collections import Counter, defaultdict

from django.utils import timezone

from certificates.models import Certificate
from learners.models import CompetenceAssessment, Participation, Referral, Resident, Session
from pathway.models import ModuleCompetence, Pole
from stats.figures import Figures, Funnel
from stats.models import AgeBand

RANK = {pole.value: pole.rank for pole in Pole}


def month_of(day):
    return day.replace(day=1)


def raw_figures(filters):
    period = filters.period
    start, last_day = period.start, period.last_day
    months = set(period.months())

    def in_scope(actor_id):
        return filters.actor_ids is None or actor_id in filters.actor_ids

    def public(resident, year):
        if resident is None:
            return False
        if filters.neighbourhood_ids is not None and (
            resident.neighbourhood_id not in filters.neighbourhood_ids
        ):
            return False
        if filters.age and AgeBand.of(resident.birth_year, year) != filters.age:
            return False
        return not filters.social_status or resident.social_status == filters.social_status

    ref = filters.reference_year
    residents = {r.pk: r for r in Resident.objects.filter(merged_into__isnull=True)}
    everybody = {r.pk: r for r in Resident.objects.all()}
    history = defaultdict(list)
    for p in Participation.objects.order_by("date", "id"):
        if p.resident_id in residents:
            history[p.resident_id].append(p)
    figures = Figures()

    # Distinct residents, new ones, month by month.
    reach = defaultdict(lambda: [0, 0])
    population = defaultdict(lambda: [0, 0])  # whatever the public filters
    series = defaultdict(Counter)
    for pk, visits in history.items():
        resident = residents[pk]
        mine = [p for p in visits if in_scope(p.actor_id) and filters.pole_allows(p.pole)]
        if not mine:
            continue
        for month in months:
            seen = [p for p in mine if month_of(p.date) == month]
            if seen and public(resident, month.year):
                series[month]["all"] += 1
                for pole in {p.pole for p in seen}:
                    series[month][pole] += 1
        if any(start <= p.date <= last_day for p in mine):
            key = (
                resident.neighbourhood_id,
                AgeBand.of(resident.birth_year, ref),
                resident.social_status,
            )
            new = start <= mine[0].date <= last_day
            counted = [population[key], reach[key]] if public(resident, ref) else [population[key]]
            for counts in counted:
                counts[0] += 1
                counts[1] += new
    figures.reach = dict(reach)
    figures.population = dict(population)
    figures.residents_by_month = {month: counts for month, counts in series.items() if counts}

    # Sessions held.
    activity = defaultdict(lambda: [0, 0, 0])
    for s in Session.objects.filter(date__gte=start, date__lte=last_day):
        if in_scope(s.actor_id) and filters.pole_allows(s.pole):
            totals = activity[month_of(s.date), s.pole, s.format]
            totals[0] += 1
            totals[1] += s.duration_minutes
            totals[2] += s.participant_count + s.unregistered_count
    figures.activity = dict(activity)

    # Paperwork outcomes.
    if filters.pole_allows(Pole.NECESSITY):
        paperwork = Counter()
        for p in Participation.objects.exclude(paperwork_result=""):
            if start <= p.date <= last_day and in_scope(p.actor_id):
                paperwork[p.operator_id, p.paperwork_result, p.blocked_reason] += 1
        figures.paperwork = dict(paperwork)

    # The funnel and autonomy.
    for pk, visits in history.items():
        resident = residents[pk]
        if not public(resident, ref):
            continue
        first = min(visits, key=lambda p: (p.date, RANK[p.pole]))
        if (
            first.pole == Pole.NECESSITY
            and month_of(first.date) in months
            and in_scope(first.actor_id)
        ):
            funnel = figures.funnel.setdefault(month_of(first.date), Funnel())
            funnel.started += 1
            trained = [p.date for p in visits if p.pole == Pole.ACHIEVEMENT]
            if trained:
                funnel.achievement += 1
                funnel.to_achievement[(trained[0] - first.date).days] += 1
                leisure = [
                    p.date for p in visits if p.pole == Pole.LEISURE and p.date >= trained[0]
                ]
                if leisure:
                    funnel.leisure += 1
                    funnel.to_leisure[(leisure[0] - trained[0]).days] += 1
        paperwork = [p for p in visits if p.pole == Pole.NECESSITY and p.autonomy is not None]
        if (
            filters.pole_allows(Pole.NECESSITY)
            and len(paperwork) >= 2
            and start <= paperwork[0].date <= last_day
            and in_scope(paperwork[0].actor_id)
        ):
            key = (paperwork[0].autonomy, paperwork[-1].autonomy)
            figures.autonomy[key] = figures.autonomy.get(key, 0) + 1

    # Modules completed, certificates issued.
    if filters.pole_allows(Pole.ACHIEVEMENT):
        targets = defaultdict(list)
        for target in ModuleCompetence.objects.select_related("module"):
            targets[target.module].append((target.competence_id, target.target_level))
        assessed = defaultdict(list)
        for a in CompetenceAssessment.objects.select_related("session").order_by(
            "assessed_on", "id"
        ):
            assessed[a.resident_id].append(a)
        completions = Counter()
        for pk, found in assessed.items():
            resident = residents.get(pk)
            if resident is None or not public(resident, ref):
                continue
            for module, wanted in targets.items():
                hits = []
                for competence_id, level in wanted:
                    hit = next(
                        (a for a in found if a.competence_id == competence_id and a.level >= level),
                        None,
                    )
                    hits.append(hit)
                if None in hits:
                    continue
                last = max(hits, key=lambda a: a.assessed_on)
                actor_id = (last.session.actor_id if last.session else None) or module.actor_id
                if start <= last.assessed_on <= last_day and in_scope(actor_id):
                    completions[module.pk] += 1
        figures.completions = dict(completions)
        certificates = Counter()
        for c in Certificate.objects.filter(revoked_at__isnull=True):
            day = timezone.localtime(c.issued_at).date()
            if (
                start <= day <= last_day
                and in_scope(c.actor_id)
                and public(everybody[c.resident_id], ref)
            ):
                certificates[c.module_id] += 1
        figures.certificates = dict(certificates)

    # Referrals.
    referrals = defaultdict(lambda: [0, 0, 0])
    for r in Referral.objects.all():
        day = timezone.localtime(r.sent_at).date()
        if not start <= day <= last_day or not public(everybody[r.resident_id], ref):
            continue
        if filters.actor_ids is not None and not (
            r.from_actor_id in filters.actor_ids or r.to_actor_id in filters.actor_ids
        ):
            continue
        if filters.pole and r.to_pole != filters.pole:
            continue
        totals = referrals[r.from_actor_id, r.to_actor_id, "" if r.to_actor_id else r.to_pole]
        totals[0] += 1
        totals[1] += r.seen_at is not None or r.status in ("seen", "closed")
        totals[2] += r.status == "closed"
    figures.referrals = dict(referrals)
    return figures
