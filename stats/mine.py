"""A mediator's own statistics (/mes-statistiques/): their sessions, the people they met,
hours, topics, the autonomy of the people they helped and the certificates they issued,
month by month over a period; a coordinator reads the same for each of their actor's
mediators and for the actor as a whole. Read from the sessions themselves (the summary
tables count by actor, not by mediator) in a constant number of queries, through
indexes that cover them (session_creator_stats_idx, session_stats_idx)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from certificates.models import Certificate
from learners.models import Participation, Session, SessionFormat, User
from pathway.models import Actor, Pole, Topic
from pathway.permissions import Role, in_their_towns
from pathway.sorting import sort_key
from stats.charts import BarChart
from stats.disclosure import Cell, Disclosure, Row, Table
from stats.figures import _aware_bounds, month_label

MEDIATOR_PREFIX, ACTOR_PREFIX = "m", "a"


@dataclass(frozen=True)
class Whose:
    """Whose figures a page shows: one mediator's sessions (at `actor_ids` only, when a
    coordinator reads them: not what they did for another employer), or an actor's."""

    label: str
    mediator: User | None = None
    actor: Actor | None = None
    actor_ids: frozenset | None = None  # None: wherever they worked (their own figures)
    key: str = ""  # the value of the "qui" choice ("" for one's own figures)

    def sessions(self, prefix=""):
        """Q on sessions (or, with `prefix`, on a relation to them), and on participations,
        which carry their session's author and actor."""
        condition = Q()
        if self.mediator is not None:
            condition &= Q(**{f"{prefix}created_by": self.mediator})
            if self.actor_ids is not None:
                condition &= Q(**{f"{prefix}actor_id__in": self.actor_ids})
        else:
            condition &= Q(**{f"{prefix}actor": self.actor})
        return condition

    def certificates(self):
        condition = Q()
        if self.mediator is not None:
            condition &= Q(issued_by=self.mediator)
            if self.actor_ids is not None:
                condition &= Q(actor_id__in=self.actor_ids)
        else:
            condition &= Q(actor=self.actor)
        return condition


def own(user):
    return Whose(label=user.get_full_name() or user.username, mediator=user)


def choices_for(user):
    """What a coordinator (or the network admin) may read: [(key, label)], their own
    figures first, then each mediator of their actors, then each actor as a whole, with
    {id: mediator} and {id: actor} of these. None for a mediator, who reads their own
    only."""
    if not (user.is_network_admin or user.role == Role.COORDINATOR):
        return None
    actors = (
        in_their_towns(Actor.objects.all(), user, "pk")
        if user.is_network_admin
        else Actor.objects.filter(pk__in=user.actor_ids)
    )
    actors = sorted(actors.only("id", "name"), key=lambda a: sort_key(a.name))
    people = (
        User.objects.filter(
            is_active=True,
            role__in=[Role.MEDIATOR, Role.COORDINATOR],
            actors__in=[a.pk for a in actors],
        )
        .exclude(pk=user.pk)
        .distinct()
        .only("id", "username", "first_name", "last_name")
    )
    people = sorted(people, key=lambda p: sort_key(str(p)))
    return (
        [
            ("", _("Mes propres chiffres")),
            *((f"{MEDIATOR_PREFIX}{p.pk}", str(p)) for p in people),
            *(
                (f"{ACTOR_PREFIX}{a.pk}", _("Toute la structure : %(name)s") % {"name": a.name})
                for a in actors
            ),
        ],
        {p.pk: p for p in people},
        {a.pk: a for a in actors},
    )


def whose_for(user, key, choices):
    """The figures `user` asks for with the "qui" choice `key`, given what choices_for()
    found for them; 404 for any they may not read (another actor's mediator, an unknown
    one, anything but their own for a mediator)."""
    key = (key or "").strip()
    if not key:
        return own(user)
    if choices is None or not key[1:].isdigit():
        raise Http404
    _choices, people, actors = choices
    number = int(key[1:])
    if key[0] == MEDIATOR_PREFIX and number in people:
        person = people[number]
        # Their sessions at the actors `user` reads, not what they did for another
        # employer (a coordinator's actors) or in another town (a town's network admin's):
        # a mediator may work in two towns. Every actor for the superuser.
        return Whose(
            label=str(person),
            mediator=person,
            actor_ids=None if user.town_ids is None else frozenset(actors),
            key=key,
        )
    if key[0] == ACTOR_PREFIX and number in actors:
        actor = actors[number]
        return Whose(label=actor.name, actor=actor, key=key)
    raise Http404


# The figures -----------------------------------------------------------------------------


@dataclass
class MyFigures:
    # (month, pole, format) -> [sessions, minutes, unregistered participants]
    activity: dict = field(default_factory=dict)
    residents_by_month: dict = field(default_factory=dict)  # month -> distinct residents
    residents: int = 0  # distinct residents over the period
    topics: list = field(default_factory=list)  # [(topic name, sessions)]
    autonomy: Counter = field(default_factory=Counter)  # (first level, latest level) -> people
    certificates_by_month: dict = field(default_factory=dict)  # month -> certificates


def collect_mine(whose, period):
    """Every figure of the page, in seven queries whatever the number of sessions: sessions
    and participations are each read through an index that covers the query
    (session_creator_stats_idx, particip_creator_idx; an actor's: session_stats_idx)."""
    figures = MyFigures()
    start, last = period.start, period.last_day
    sessions = Session.objects.filter(whose.sessions(), date__gte=start, date__lte=last)
    for month, pole, fmt, n, minutes, unregistered in (
        sessions.annotate(month=TruncMonth("date"))
        .values_list("month", "pole", "format")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"), u=Sum("unregistered_count"))
        .order_by()
    ):
        figures.activity[month, pole, fmt] = [n, minutes or 0, unregistered or 0]
    # Participations carry their session's date, actor and author: no join.
    participations = Participation.objects.filter(whose.sessions(), date__gte=start, date__lte=last)
    figures.residents_by_month = dict(
        participations.annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(n=Count("resident_id", distinct=True))
        .order_by()
    )
    figures.residents = participations.aggregate(n=Count("resident_id", distinct=True))["n"]
    # Autonomy: the first and the latest level of each person over the period, in the
    # order of the sessions (a few thousand small rows for a busy year).
    first, latest = {}, {}
    for resident_id, level in (
        participations.filter(autonomy__isnull=False)
        .order_by("date", "session_id")
        .values_list("resident_id", "autonomy")
    ):
        first.setdefault(resident_id, [level, 0])[1] += 1
        latest[resident_id] = level
    for resident_id, (level, times) in first.items():
        if times >= 2:
            figures.autonomy[level, latest[resident_id]] += 1
    counts = _topic_counts(sessions)
    # Every topic's name (a few dozen): one query, with or without topics to name.
    names = dict(Topic.objects.values_list("pk", "name"))
    figures.topics = sorted(
        ((names[pk], n) for pk, n in counts.items()), key=lambda item: (-item[1], item[0])
    )
    since, until = _aware_bounds(period)
    figures.certificates_by_month = dict(
        Certificate.objects.filter(
            whose.certificates(), issued_at__gte=since, issued_at__lt=until, revoked_at__isnull=True
        )
        .annotate(month=TruncMonth("issued_at", output_field=DateField()))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return figures


def _topic_counts(sessions):
    """{topic id: sessions} of these sessions. On PostgreSQL each session's topics are
    looked up in the link table's index (a LATERAL subquery, kept apart by OFFSET 0): a
    plain join would read the whole link table, a million rows at 1,000,000 sessions,
    for a mediator's thirteen thousand sessions."""
    links = Session.topics.through
    if connection.vendor != "postgresql":
        return dict(
            links.objects.filter(session__in=sessions.order_by().values("id"))
            .values_list("topic_id")
            .annotate(n=Count("session_id"))
            .order_by()
        )
    sql, params = sessions.order_by().values("id").query.sql_with_params()
    table = connection.ops.quote_name(links._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT link.topic_id, COUNT(*) FROM ({sql}) mine CROSS JOIN LATERAL "
            f"(SELECT topic_id FROM {table} WHERE session_id = mine.id OFFSET 0) link "
            "GROUP BY link.topic_id",
            params,
        )
        return dict(cursor.fetchall())


# The page's tables -----------------------------------------------------------------------


def hours(minutes):
    return Cell.number(round(minutes / 60, 1))


@dataclass
class MyReport:
    whose: Whose
    period: object
    headline: Table
    tables: list
    protected: bool


def my_report(whose, period, *, protected=False):
    """The figures as tables and charts. `protected` (the share link, read by someone who
    may not see the people) hides small counts of people as the dashboard does for
    officials (stats.disclosure); the mediator and their coordinator, who may see these
    people by name elsewhere, read them exactly."""
    figures = collect_mine(whose, period)
    disclosure = Disclosure(settings.STATS_MIN_COUNT if protected else 1)
    months = list(period.months())
    by_month = defaultdict(lambda: [0, 0, 0, 0, 0])  # sessions, individual, minutes, unreg
    by_pole = defaultdict(lambda: [0, 0])
    for (month, pole, fmt), (n, minutes, unregistered) in figures.activity.items():
        row = by_month[month]
        row[0] += n
        row[1] += n if fmt == SessionFormat.INDIVIDUAL else 0
        row[2] += minutes
        row[3] += unregistered
        by_pole[pole][0] += n
        by_pole[pole][1] += minutes
    total_sessions = sum(row[0] for row in by_month.values())
    total_individual = sum(row[1] for row in by_month.values())
    total_minutes = sum(row[2] for row in by_month.values())
    certificates = sum(figures.certificates_by_month.values())

    # People: distinct residents do not add up over months (one person comes back);
    # participants without a record do.
    residents = disclosure.count("residents", figures.residents)
    unregistered = disclosure.count("unregistered", sum(r[3] for r in by_month.values()))
    for month in months:
        disclosure.count(("residents", month), figures.residents_by_month.get(month, 0))
        disclosure.count(("unregistered", month), by_month[month][3])
    disclosure.equation(unregistered, [("unregistered", m) for m in months])
    levels = figures.autonomy
    progress = {
        "up": sum(n for (a, b), n in levels.items() if b > a),
        "same": sum(n for (a, b), n in levels.items() if b == a),
        "down": sum(n for (a, b), n in levels.items() if b < a),
    }
    followed = disclosure.count("followed", sum(progress.values()))
    for name, n in progress.items():
        disclosure.count(("autonomy", name), n)
    disclosure.equation(followed, [("autonomy", name) for name in progress])
    disclosure.protect()

    headline = Table(
        "chiffres-cles",
        _("Chiffres clés"),
        _("Chiffre"),
        [_("Valeur")],
        [
            Row(_("Accompagnements"), [Cell.number(total_sessions)]),
            Row(_("dont individuels"), [Cell.number(total_individual)]),
            Row(_("dont ateliers collectifs"), [Cell.number(total_sessions - total_individual)]),
            Row(_("Heures d'accompagnement"), [hours(total_minutes)]),
            Row(_("Habitants accompagnés (personnes différentes)"), [disclosure.cell(residents)]),
            Row(_("Participants sans fiche"), [disclosure.cell(unregistered)]),
            Row(_("Attestations délivrées"), [Cell.number(certificates)]),
        ],
    )

    month_rows = [
        Row(
            month_label(month),
            [
                Cell.number(by_month[month][0]),
                hours(by_month[month][2]),
                disclosure.cell(("residents", month)),
                disclosure.cell(("unregistered", month)),
                Cell.number(figures.certificates_by_month.get(month, 0)),
            ],
            key=month,
        )
        for month in months
    ]
    month_rows.append(
        Row(
            _("Sur la période"),
            [
                Cell.number(total_sessions),
                hours(total_minutes),
                disclosure.cell(residents),
                disclosure.cell(unregistered),
                Cell.number(certificates),
            ],
            total=True,
        )
    )
    by_month_table = Table(
        "par-mois",
        _("Mois par mois"),
        _("Mois"),
        [
            _("Accompagnements"),
            _("Heures"),
            _("Habitants accompagnés"),
            _("Participants sans fiche"),
            _("Attestations"),
        ],
        month_rows,
        note=_(
            "Une personne venue plusieurs mois compte une fois par mois, et une seule fois "
            "sur la période : la ligne « Sur la période » n'est pas la somme des mois."
        ),
    )
    by_month_table.chart = BarChart.build(
        "chart-par-mois",
        _("Accompagnements par mois"),
        [(row.label, row.cells[0]) for row in month_rows[:-1]],
    )

    pole_table = Table(
        "par-pole",
        _("Par pôle du parcours"),
        _("Pôle"),
        [_("Accompagnements"), _("Heures")],
        [
            Row(Pole(pole).label, [Cell.number(by_pole[pole][0]), hours(by_pole[pole][1])])
            for pole in Pole.values
        ],
    )

    topic_table = Table(
        "par-thematique",
        _("Par thématique"),
        _("Thématique"),
        [_("Accompagnements")],
        [Row(name, [Cell.number(n)]) for name, n in figures.topics],
        note=_("Un accompagnement peut porter sur plusieurs thématiques."),
    )
    topic_table.chart = BarChart.build(
        "chart-par-thematique",
        _("Accompagnements par thématique"),
        [(row.label, row.cells[0]) for row in topic_table.rows[:10]],
    )

    autonomy_table = Table(
        "autonomie",
        _("Autonomie des personnes aidées dans leurs démarches"),
        _("Entre leur premier et leur dernier accompagnement de la période"),
        [_("Personnes")],
        [
            Row(_("Plus autonomes"), [disclosure.cell(("autonomy", "up"))]),
            Row(_("Au même niveau"), [disclosure.cell(("autonomy", "same"))]),
            Row(_("Moins autonomes"), [disclosure.cell(("autonomy", "down"))]),
            Row(_("Personnes suivies"), [disclosure.cell(followed)], total=True),
        ],
        note=_(
            "Les personnes dont l'autonomie a été notée au moins deux fois sur la période "
            "(fait pour la personne, fait avec elle, fait seule)."
        ),
    )
    return MyReport(
        whose=whose,
        period=period,
        headline=headline,
        tables=[by_month_table, pole_table, topic_table, autonomy_table],
        protected=protected,
    )
