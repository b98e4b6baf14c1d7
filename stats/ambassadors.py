"""What parent ambassadors bring: families referred, come, and gone on along the pathway,
per school and per ambassador, small counts suppressed as on the dashboard
(stats.disclosure). Officials read no name, not even the ambassadors': they are numbered."""

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from network.models import AmbassadorReferral
from pathway.permissions import Role, in_their_towns
from stats.disclosure import Disclosure, Row, Table
from stats.report import collate

FIGURES = ("referred", "came", "went_on")


def ambassador_tables(user, *, year=None, threshold=None):
    """(per school, per ambassador) tables for `user`: every school of their town for the
    network admin and officials (of their territory's towns for its coordinator), their
    own for a coordinator."""
    referrals = in_their_towns(AmbassadorReferral.objects.all(), user, "school")
    if not user.is_network_admin and user.role == Role.COORDINATOR:
        referrals = referrals.filter(school__in=user.actor_ids)
    if year:
        referrals = referrals.filter(created_at__year=year)
    went_on = Q(referral__resident__achievement_on__isnull=False) | Q(
        referral__resident__leisure_on__isnull=False
    )
    rows = referrals.values(
        "school_id",
        "school__name",
        "ambassador_id",
        "ambassador__first_name",
        "ambassador__last_name",
    ).annotate(
        referred=Count("pk"),
        came=Count("pk", filter=Q(came_on__isnull=False)),
        went_on=Count("pk", filter=Q(came_on__isnull=False) & went_on),
    )
    d = Disclosure(threshold or settings.STATS_MIN_COUNT)
    schools, ambassadors = defaultdict(lambda: [0, 0, 0]), defaultdict(lambda: [0, 0, 0])
    school_names, ambassador_names = {}, {}
    for row in rows:
        for i, figure in enumerate(FIGURES):
            schools[row["school_id"]][i] += row[figure]
            ambassadors[row["ambassador_id"]][i] += row[figure]
        school_names[row["school_id"]] = row["school__name"]
        ambassador_names[row["ambassador_id"]] = (
            f"{row['ambassador__first_name']} {row['ambassador__last_name']}".strip()
        )
    totals = [sum(v[i] for v in schools.values()) for i in range(3)]
    for i, figure in enumerate(FIGURES):
        d.count(("all", figure), totals[i])
        for group, values in (("school", schools), ("ambassador", ambassadors)):
            for key, figures in values.items():
                d.count((group, key, figure), figures[i])
            d.equation(("all", figure), [(group, key, figure) for key in values])
    # Those referred who did not come, and those who came and did not go on: known to a
    # reader by subtraction, so part of the equations.
    for group, values in (("school", schools), ("ambassador", ambassadors), ("all", None)):
        keys = [None] if values is None else list(values)
        for key in keys:
            prefix = ("all",) if values is None else (group, key)
            for whole, part, rest in (
                ("referred", "came", "not_came"),
                ("came", "went_on", "stopped"),
            ):
                w, p = (*prefix, whole), (*prefix, part)
                r = d.count((*prefix, rest), d.values[w] - d.values[p], displayed=False)
                d.equation(w, [p, r])
    d.protect()

    columns = [_("Familles orientées"), _("Familles venues"), _("Allées plus loin")]

    def row(label, prefix, total=False):
        return Row(label, [d.cell((*prefix, f)) for f in FIGURES], total=total)

    by_school = sorted(schools, key=lambda pk: collate(school_names[pk]))
    named = user.is_network_admin or user.role == Role.COORDINATOR
    # Officials get numbers, in the order ambassadors joined (not their names' order).
    by_ambassador = sorted(
        ambassadors, key=lambda pk: collate(ambassador_names[pk]) if named else pk
    )
    school_table = Table(
        "ambassadeurs-etablissements",
        _("Familles orientées par des parents ambassadeurs, par établissement"),
        _("Établissement"),
        columns,
        [row(school_names[pk], ("school", pk)) for pk in by_school]
        + [row(_("Total"), ("all",), total=True)],
        note=_(
            "« Allées plus loin » : venues, puis passées à la formation ou aux loisirs numériques."
        ),
    )
    ambassador_table = Table(
        "ambassadeurs",
        _("Familles orientées, par parent ambassadeur"),
        _("Parent ambassadeur"),
        columns,
        [
            row(
                ambassador_names[pk] if named else _("Parent ambassadeur n° %(n)s") % {"n": n},
                ("ambassador", pk),
            )
            for n, pk in enumerate(by_ambassador, start=1)
        ]
        + [row(_("Total"), ("all",), total=True)],
    )
    return school_table, ambassador_table, d


def cells_of(table):
    """{row label: [cell texts]} (for tests and the annual report)."""
    return {r.label: [c.text for c in r.cells] for r in table.rows}
