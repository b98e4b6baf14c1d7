"""Every table of the dashboard, built once from the figures with small counts
suppressed: the page, its charts and its exports all read these."""

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import Autonomy, BlockedReason, PaperworkResult, SessionFormat, SocialStatus
from pathway.models import Actor, Module, Neighbourhood, Operator, Pole
from stats.charts import BarChart, LineChart
from stats.disclosure import ANY, Cell, Disclosure, Row, Table, protected_population
from stats.figures import AGE_BAND_CHOICES, POLES, month_label


def collate(text):
    """Sort key: "École" among the E, "Médiathèque" before "Mission"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Section:
    slug: str
    title: str
    tables: list


@dataclass
class Lookups:
    """Names of the things the figures refer to (four small queries)."""

    actors: dict  # id -> (name, kind)
    neighbourhoods: dict  # id -> (name, is priority)
    operators: dict  # id -> name
    modules: dict  # id -> name
    actor_towns: dict = field(default_factory=dict)  # actor id -> town id
    neighbourhood_towns: dict = field(default_factory=dict)  # neighbourhood id -> town id
    towns: dict = field(default_factory=dict)  # id -> name, of the towns that have actors
    networks: dict = field(default_factory=dict)  # town id -> its network's name

    @classmethod
    def load(cls):
        actors = Actor.objects.values_list(
            "pk", "name", "kind", "town_id", "town__name", "town__network_name"
        )
        neighbourhoods = Neighbourhood.objects.values_list("pk", "name", "is_priority", "town_id")
        actors, neighbourhoods = list(actors), list(neighbourhoods)
        return cls(
            actors={pk: (name, kind) for pk, name, kind, *_town in actors},
            neighbourhoods={pk: (name, priority) for pk, name, priority, _t in neighbourhoods},
            operators=dict(Operator.objects.values_list("pk", "name")),
            modules=dict(Module.objects.values_list("pk", "name")),
            actor_towns={pk: town for pk, _n, _k, town, *_names in actors},
            neighbourhood_towns={pk: town for pk, _n, _p, town in neighbourhoods},
            towns={town: name for _pk, _n, _k, town, name, _network in actors},
            networks={town: network for *_actor, town, _name, network in actors},
        )

    def actors_of(self, town_ids):
        """The actors of these towns."""
        return frozenset(pk for pk, town in self.actor_towns.items() if town in town_ids)

    def scope_of(self, user):
        """The towns `user` reads the statistics of, or None when that is every town
        there is (a single-town installation, the superuser): the whole network's
        summary rows answer then."""
        town_ids = user.town_ids
        if town_ids is None or set(self.towns) <= set(town_ids):
            return None
        return frozenset(town_ids)


# The cell of nobody (zero, shown), and "as in the view" for Report._people().
NOBODY = "nobody"
SAME = object()

RESULTS = [PaperworkResult.COMPLETED, PaperworkResult.TO_CONTINUE, PaperworkResult.BLOCKED]
LEVELS = list(Autonomy)


class Report:
    """The dashboard's tables, with small counts suppressed once for the page and the
    exports alike.

    Counts of people by neighbourhood, age and situation are cells of the population of
    the period, actors and pole, suppressed as a whole whatever the public filters (see
    stats.disclosure): `too_few_people` says that the people these filters select
    are a hidden cell of it, a view that must not be shown."""

    def __init__(self, figures, filters, lookups, *, threshold=None, today=None):
        self.today = today or timezone.localdate()
        self.figures = figures
        self.filters = filters
        self.lookups = lookups
        self.disclosure = Disclosure(threshold or settings.STATS_MIN_COUNT)
        self.disclosure.count(NOBODY, 0)
        self._count_people()
        self._count_funnel()
        self._count_autonomy()
        self._count_paperwork()
        self._count_modules()
        self._count_referrals()
        self.disclosure.protect()
        self.disclosure.equations += self.population_equations
        self.too_few_people = filters.has_public_filter() and not self.disclosure.shown(
            self._people()
        )
        self.tables = [
            self._headline(),
            self._funnel(),
            self._autonomy(),
            self._autonomy_levels(),
            self._paperwork(),
            self._blocked_reasons(),
            self._modules(),
            self._referrals(),
            self._referral_loops(),
            self._months(),
            self._neighbourhoods(),
            self._ages(),
            self._statuses(),
        ]
        self.by_slug = {table.slug: table for table in self.tables}
        self.headline = self.tables[0]
        self.funnel = self.by_slug["parcours"]
        self.referral_summary = self._referral_summary()
        tables = self.by_slug
        # Section titles differ from their tables' (each table is a named region: two
        # landmarks of one name confuse screen-reader users, axe rule landmark-unique).
        self.sections = [
            Section(
                "autonomie",
                _("L'autonomie des habitants"),
                [tables["autonomie"], tables["autonomie-niveaux"]],
            ),
            Section(
                "demarches",
                _("Démarches administratives"),
                [tables["demarches"], tables["blocages"]],
            ),
            Section("formation", _("Formation"), [tables["modules"]]),
            # The matrix itself is summarised first, and shown whole on demand (dashboard).
            Section("orientations", _("Les orientations"), [tables["boucles"]]),
            Section("mois", _("L'activité mois par mois"), [tables["mois"]]),
            Section(
                "public",
                _("Qui sont les habitants accompagnés ?"),
                [tables["quartiers"], tables["ages"], tables["situations"]],
            ),
        ]

    # Registering the counts and their relations ----------------------------------------
    def _sum(self, key, parts):
        """Register `key` as the sum of already registered `parts`."""
        d = self.disclosure
        d.count(key, sum(d.values[part] for part in parts))
        d.equation(key, parts)
        return key

    def _split(self, whole, part, rest_key):
        """`whole` = `part` + an undisplayed remainder (e.g. those who did not go on)."""
        d = self.disclosure
        d.count(rest_key, d.values[whole] - d.values[part], displayed=False)
        d.equation(whole, [part, rest_key])

    def _count_people(self):
        names = self.lookups.neighbourhoods
        counts = defaultdict(lambda: [0, 0])
        for (neighbourhood_id, band, status), (n, new) in self.figures.population.items():
            if neighbourhood_id not in names:
                neighbourhood_id = None
            cell = counts[neighbourhood_id, band, status]
            cell[0] += n
            cell[1] += new
        self.qpv = frozenset(pk for pk, (_name, priority) in names.items() if priority)
        self.outside_qpv = frozenset(names) - self.qpv
        groups = {self.qpv, self.outside_qpv}
        selected = self.filters.neighbourhood_ids
        if selected is None:
            area = ANY
        elif len(selected) == 1:
            area = next(iter(selected))
        else:
            area = frozenset(selected)
            groups |= {area, area & self.qpv, area & self.outside_qpv}
        # Where this view stands in the population: its neighbourhood(s), age, situation.
        self.view = (area, self.filters.age or ANY, self.filters.social_status or ANY)
        population = protected_population(
            self.disclosure.threshold,
            frozenset((key, tuple(cell)) for key, cell in counts.items()),
            tuple(g for g in (self.qpv, self.outside_qpv) if g),
            frozenset(g for g in groups if g),
        )
        # Already safe, and apart from every other figure: its equations join the others
        # once they are protected (Report.__init__).
        self.disclosure.values.update(population.values)
        self.disclosure.state.update(population.state)
        self.population_equations = population.equations

        for month, by_pole in self.figures.residents_by_month.items():
            for name, n in by_pole.items():
                self.disclosure.count(("month", month, name), n)

    def _count_funnel(self):
        d = self.disclosure
        stages = ("started", "achievement", "leisure")
        for cohort, funnel in self.figures.funnel.items():
            for stage in stages:
                d.count(("funnel", cohort, stage), getattr(funnel, stage))
            self._split(
                ("funnel", cohort, "started"),
                ("funnel", cohort, "achievement"),
                ("funnel", cohort, "stopped"),
            )
            self._split(
                ("funnel", cohort, "achievement"),
                ("funnel", cohort, "leisure"),
                ("funnel", cohort, "trained"),
            )
        for stage in stages:
            self._sum(("funnel", "all", stage), [("funnel", c, stage) for c in self.figures.funnel])
        self._split(
            ("funnel", "all", "started"),
            ("funnel", "all", "achievement"),
            ("funnel", "all", "stopped"),
        )
        self._split(
            ("funnel", "all", "achievement"),
            ("funnel", "all", "leisure"),
            ("funnel", "all", "trained"),
        )

    def _count_autonomy(self):
        d, autonomy = self.disclosure, self.figures.autonomy
        for first in LEVELS:
            for last in LEVELS:
                d.count(("autonomy", first, last), autonomy.get((first.value, last.value), 0))
        rows = [
            self._sum(("autonomy_from", f), [("autonomy", f, last) for last in LEVELS])
            for f in LEVELS
        ]
        columns = [
            self._sum(("autonomy_to", last), [("autonomy", f, last) for f in LEVELS])
            for last in LEVELS
        ]
        total = self._sum("autonomy", rows)
        d.equation(total, columns)
        moves = {
            "rose": [(f, last) for f in LEVELS for last in LEVELS if last > f],
            "same": [(f, f) for f in LEVELS],
            "fell": [(f, last) for f in LEVELS for last in LEVELS if last < f],
        }
        for name, cells in moves.items():
            self._sum(("autonomy_moved", name), [("autonomy", f, last) for f, last in cells])
        d.equation(total, [("autonomy_moved", name) for name in moves])

    def _count_paperwork(self):
        d = self.disclosure
        cells = Counter()
        reasons = Counter()
        for (operator_id, result, reason), n in self.figures.paperwork.items():
            cells[operator_id, result] += n
            if result == PaperworkResult.BLOCKED:
                reasons[reason] += n
        self.operators = sorted(
            {operator_id for operator_id, _result in cells},
            key=lambda o: (-sum(cells[o, r] for r in RESULTS), o is None, self._operator(o)),
        )
        for operator_id in self.operators:
            for result in RESULTS:
                d.count(("paperwork", operator_id, result), cells[operator_id, result])
        rows = [
            self._sum(("paperwork_operator", o), [("paperwork", o, r) for r in RESULTS])
            for o in self.operators
        ]
        columns = [
            self._sum(("paperwork_result", r), [("paperwork", o, r) for o in self.operators])
            for r in RESULTS
        ]
        total = self._sum("paperwork", rows)
        d.equation(total, columns)
        self.reasons = sorted(reasons, key=lambda r: (-reasons[r], r))
        for reason in self.reasons:
            d.count(("blocked", reason), reasons[reason])
        d.equation(
            ("paperwork_result", PaperworkResult.BLOCKED), [("blocked", r) for r in self.reasons]
        )
        self.top_reason = {}
        for operator_id in self.operators:
            mine = {
                reason: n
                for (o, result, reason), n in self.figures.paperwork.items()
                if o == operator_id and result == PaperworkResult.BLOCKED
            }
            if mine:
                self.top_reason[operator_id] = max(mine, key=lambda r: (mine[r], r))

    def _count_modules(self):
        d = self.disclosure
        self.modules = sorted(
            set(self.figures.completions) | set(self.figures.certificates),
            key=lambda m: collate(self.lookups.modules.get(m, "")),
        )
        for module_id in self.modules:
            d.count(("completed", module_id), self.figures.completions.get(module_id, 0))
            d.count(("certified", module_id), self.figures.certificates.get(module_id, 0))
        self._sum("completed", [("completed", m) for m in self.modules])
        self._sum("certified", [("certified", m) for m in self.modules])

    def _count_referrals(self):
        d = self.disclosure
        referrals = self.figures.referrals
        self.senders = sorted({f for f, _t, _p in referrals}, key=lambda a: collate(self._actor(a)))
        self.receivers = sorted(
            {(t, p) for _f, t, p in referrals},
            key=lambda tp: (tp[0] is None, collate(self._receiver(tp))),
        )
        for (from_id, to_id, to_pole), (sent, seen, closed) in referrals.items():
            d.count(("sent", from_id, (to_id, to_pole)), sent)
            d.count(("seen", from_id, (to_id, to_pole)), seen)
            d.count(("closed", from_id, (to_id, to_pole)), closed, displayed=False)
            self._split(
                ("sent", from_id, (to_id, to_pole)),
                ("seen", from_id, (to_id, to_pole)),
                ("unseen", from_id, (to_id, to_pole)),
            )
        for figure in ("sent", "seen", "closed"):
            rows = [
                self._sum(
                    (f"{figure}_from", f),
                    [(figure, f, r) for r in self.receivers if (figure, f, r) in d.values],
                )
                for f in self.senders
            ]
            columns = [
                self._sum(
                    (f"{figure}_to", r),
                    [(figure, f, r) for f in self.senders if (figure, f, r) in d.values],
                )
                for r in self.receivers
            ]
            total = self._sum(f"{figure}_all", rows)
            d.equation(total, columns)
        for f in self.senders:
            self._split((("sent_from", f)), ("seen_from", f), ("unseen_from", f))
            self._split(("seen_from", f), ("closed_from", f), ("open_from", f))
        self._split("sent_all", "seen_all", "unseen_all")
        self._split("seen_all", "closed_all", "open_all")

    def _people(self, figure="people", *, area=SAME, band=SAME, status=SAME):
        """The cell of the population of this view's people (of a neighbourhood — None for
        "unknown" —, a group of them, an age band or a situation among them, when given);
        NOBODY when it holds nobody."""
        view_area, view_band, view_status = self.view
        key = (
            figure,
            view_area if area is SAME else area,
            view_band if band is SAME else band,
            view_status if status is SAME else status,
        )
        return key if key in self.disclosure.values else NOBODY

    def _within(self, group):
        """The part of this view's neighbourhoods that lies in `group`."""
        area = self.view[0]
        if area == ANY:
            return group
        if isinstance(area, frozenset):
            return area & group
        return area if area in group else frozenset()

    # Names ------------------------------------------------------------------------------
    def _actor(self, actor_id):
        return self.lookups.actors.get(actor_id, ("?", ""))[0]

    def _receiver(self, receiver):
        to_id, to_pole = receiver
        if to_id is not None:
            return self._actor(to_id)
        return _("Pôle %(pole)s (sans structure précise)") % {"pole": Pole(to_pole).label}

    def _operator(self, operator_id):
        if operator_id is None:
            return _("Organisme non précisé")
        return self.lookups.operators.get(operator_id, "?")

    # Tables -----------------------------------------------------------------------------
    def _sessions(self):
        sessions = Counter()
        minutes = 0
        for (_month, _pole, fmt), (n, spent, _people) in self.figures.activity.items():
            sessions[fmt] += n
            minutes += spent
        return sessions, minutes

    def _headline(self):
        d = self.disclosure
        sessions, minutes = self._sessions()
        rows = [
            Row(_("Habitants accompagnés"), [d.cell(self._people())], key="residents"),
            Row(self._new_label(), [d.cell(self._people("new"))], key="new"),
            Row(
                _("Part des habitants venant d'un quartier prioritaire (QPV)"),
                [d.rate(self._people(area=self._within(self.qpv)), self._people())],
            ),
            Row(_("Séances"), [Cell.number(sum(sessions.values()))], key="sessions"),
            Row(_("dont séances individuelles"), [Cell.number(sessions[SessionFormat.INDIVIDUAL])]),
            Row(_("dont ateliers collectifs"), [Cell.number(sessions[SessionFormat.COLLECTIVE])]),
            Row(_("Heures de médiation"), [Cell.number(round(minutes / 60, 1))], key="hours"),
            Row(
                _("Démarches terminées"), [d.cell(("paperwork_result", PaperworkResult.COMPLETED))]
            ),
            Row(
                _("Démarches à poursuivre"),
                [d.cell(("paperwork_result", PaperworkResult.TO_CONTINUE))],
            ),
            Row(_("Démarches bloquées"), [d.cell(("paperwork_result", PaperworkResult.BLOCKED))]),
            Row(
                _("Habitants venus pour une démarche, ensuite partis en formation"),
                [d.rate(("funnel", "all", "achievement"), ("funnel", "all", "started"))],
            ),
            Row(
                _("Habitants plus autonomes dans leurs démarches"),
                [d.rate(("autonomy_moved", "rose"), "autonomy")],
            ),
            Row(_("Modules de formation validés"), [d.cell("completed")], key="completed"),
            Row(_("Attestations délivrées"), [d.cell("certified")], key="certified"),
        ]
        return Table(
            "chiffres-cles",
            _("Chiffres clés"),
            _("Indicateur"),
            [_("Valeur")],
            rows,
            note=" ".join(self._offer_note()),
        )

    def _offer_note(self):
        if not self.filters.has_public_filter():
            return []
        return [
            _(
                "Séances, heures et démarches décrivent l'offre : les filtres sur le public "
                "(quartier, âge, situation) ne s'y appliquent pas."
            )
        ]

    def _new_label(self):
        if self.filters.pole:
            return _("dont nouveaux dans ce pôle")
        if self.filters.actor_ids is not None:
            return _("dont nouveaux dans ces structures")
        return _("dont nouveaux dans le réseau")

    def _funnel(self):
        columns = [
            _("Venus pour une démarche"),
            _("Puis en formation"),
            _("Part"),
            _("Puis en loisirs"),
            _("Part"),
            _("Jours (médiane) démarche → formation"),
            _("Jours (médiane) formation → loisirs"),
        ]
        rows = []
        to_achievement, to_leisure = Counter(), Counter()
        for cohort in sorted(self.figures.funnel):
            funnel = self.figures.funnel[cohort]
            to_achievement.update(funnel.to_achievement)
            to_leisure.update(funnel.to_leisure)
            rows.append(
                self._funnel_row(
                    month_label(cohort), cohort, funnel.to_achievement, funnel.to_leisure
                )
            )
        rows.append(self._funnel_row(_("Total"), "all", to_achievement, to_leisure, total=True))
        table = Table(
            "parcours",
            _("Le parcours, par mois d'arrivée"),
            _("Mois du premier accompagnement"),
            columns,
            rows,
            note=_(
                "Habitants dont le tout premier accompagnement, pendant la période, était une "
                "démarche (pôle nécessité), suivis jusqu'à aujourd'hui. Structure : celle du "
                "premier accompagnement. Le filtre par pôle ne s'applique pas ici."
            ),
        )
        total = rows[-1]
        table.chart = BarChart.build(
            "chart-parcours",
            _("Du besoin à l'autonomie : le parcours des habitants"),
            [
                (_("Venus pour une démarche"), total.cells[0]),
                (_("Puis en formation"), total.cells[1]),
                (_("Puis en loisirs"), total.cells[3]),
            ],
            classes=["necessity", "achievement", "leisure"],
        )
        return table

    def _funnel_row(self, label, cohort, to_achievement, to_leisure, *, total=False):
        d = self.disclosure
        key = ("funnel", cohort)
        return Row(
            label,
            [
                d.cell((*key, "started")),
                d.cell((*key, "achievement")),
                d.rate((*key, "achievement"), (*key, "started")),
                d.cell((*key, "leisure")),
                d.rate((*key, "leisure"), (*key, "started")),
                d.median(to_achievement, (*key, "achievement")),
                d.median(to_leisure, (*key, "leisure")),
            ],
            total=total,
        )

    def _autonomy(self):
        d = self.disclosure
        labels = {
            "rose": _("Plus autonome"),
            "same": _("Même niveau"),
            "fell": _("Moins autonome"),
        }
        rows = [
            Row(
                label,
                [d.cell(("autonomy_moved", name)), d.rate(("autonomy_moved", name), "autonomy")],
                key=name,
            )
            for name, label in labels.items()
        ]
        rows.append(
            Row(
                _("Total"),
                [
                    d.cell("autonomy"),
                    Cell.percent(1) if d.shown("autonomy") and d.values["autonomy"] else Cell("—"),
                ],
                total=True,
            )
        )
        table = Table(
            "autonomie",
            _("Autonomie dans les démarches"),
            _("Entre la première et la dernière démarche"),
            [_("Habitants"), _("Part")],
            rows,
            note=_(
                "Habitants dont la première démarche accompagnée a eu lieu pendant la période "
                "et qui en ont fait au moins deux : niveau d'autonomie à la première et à la "
                "dernière (fait pour la personne, fait avec elle, fait seule). Structure : "
                "celle de la première démarche."
            ),
        )
        table.chart = BarChart.build(
            "chart-autonomie",
            _("Autonomie dans les démarches, de la première à la dernière"),
            [(row.label, row.cells[1]) for row in rows[:3]],
            percent=True,
        )
        return table

    def _autonomy_levels(self):
        d = self.disclosure
        rows = [
            Row(
                str(first.label),
                [d.cell(("autonomy", first, last)) for last in LEVELS]
                + [d.cell(("autonomy_from", first))],
            )
            for first in LEVELS
        ]
        rows.append(
            Row(
                _("Total"),
                [d.cell(("autonomy_to", last)) for last in LEVELS] + [d.cell("autonomy")],
                total=True,
            )
        )
        return Table(
            "autonomie-niveaux",
            _("Niveau d'autonomie, de la première à la dernière démarche"),
            _("À la première démarche ↓ / à la dernière →"),
            [str(level.label) for level in LEVELS] + [_("Total")],
            rows,
        )

    def _paperwork(self):
        d = self.disclosure
        rows = []
        for operator_id in [*self.operators, "all"]:
            total = operator_id == "all"
            cells = [
                d.cell(("paperwork_result", r) if total else ("paperwork", operator_id, r))
                for r in RESULTS
            ]
            whole = "paperwork" if total else ("paperwork_operator", operator_id)
            completed = (
                ("paperwork_result", RESULTS[0])
                if total
                else ("paperwork", operator_id, RESULTS[0])
            )
            blocked = (
                ("paperwork_result", RESULTS[2])
                if total
                else ("paperwork", operator_id, RESULTS[2])
            )
            reason = (
                self.top_reason.get(operator_id)
                if not total
                else (self.reasons[0] if self.reasons else None)
            )
            show_reason = reason is not None and d.values[blocked] >= d.threshold
            cells += [
                d.cell(whole),
                d.rate(completed, whole),
                Cell.label(self._reason(reason) if show_reason else "—"),
            ]
            rows.append(
                Row(
                    _("Total") if total else self._operator(operator_id),
                    cells,
                    total=total,
                    key=operator_id,
                )
            )
        table = Table(
            "demarches",
            _("Démarches administratives, par organisme"),
            _("Organisme"),
            [str(r.label) for r in RESULTS]
            + [_("Total"), _("Part terminée"), _("Principale raison de blocage")],
            rows,
            note=" ".join(
                [_("Chaque démarche accompagnée compte une fois par habitant et par séance.")]
                + self._offer_note(),
            ),
        )
        table.chart = BarChart.build(
            "chart-demarches",
            _("Part des démarches terminées, par organisme"),
            [(row.label, row.cells[4]) for row in rows[:-1]],
            percent=True,
        )
        return table

    def _reason(self, reason):
        if not reason:
            return _("Raison non précisée")
        return str(BlockedReason(reason).label)

    def _blocked_reasons(self):
        d = self.disclosure
        blocked = ("paperwork_result", PaperworkResult.BLOCKED)
        rows = [
            Row(
                self._reason(reason),
                [d.cell(("blocked", reason)), d.rate(("blocked", reason), blocked)],
            )
            for reason in self.reasons
        ]
        rows.append(
            Row(
                _("Total"),
                [
                    d.cell(blocked),
                    Cell.percent(1) if d.shown(blocked) and d.values[blocked] else Cell("—"),
                ],
                total=True,
            )
        )
        table = Table(
            "blocages",
            _("Pourquoi des démarches sont bloquées"),
            _("Raison du blocage"),
            [_("Démarches bloquées"), _("Part")],
            rows,
        )
        table.chart = BarChart.build(
            "chart-blocages",
            _("Principales raisons de blocage des démarches"),
            [(row.label, row.cells[0]) for row in rows[:-1]],
        )
        return table

    def _modules(self):
        d = self.disclosure
        rows = [
            Row(
                self.lookups.modules.get(m, "?"),
                [d.cell(("completed", m)), d.cell(("certified", m))],
            )
            for m in self.modules
        ]
        rows.append(Row(_("Total"), [d.cell("completed"), d.cell("certified")], total=True))
        table = Table(
            "modules",
            _("Modules de formation validés et attestations"),
            _("Module"),
            [_("Modules validés"), _("Attestations délivrées")],
            rows,
            note=_(
                "Un module est validé quand l'habitant a atteint tous les niveaux visés ; "
                "les attestations révoquées ne sont pas comptées."
            ),
        )
        table.chart = BarChart.build(
            "chart-modules",
            _("Modules de formation validés"),
            [(row.label, row.cells[0]) for row in rows[:-1]],
            classes=["achievement"],
        )
        return table

    def _referrals(self):
        d = self.disclosure
        rows = []
        for sender in [*self.senders, "all"]:
            total = sender == "all"
            cells = []
            for receiver in self.receivers:
                keys = (
                    (("sent_to", receiver), ("seen_to", receiver))
                    if total
                    else (("sent", sender, receiver), ("seen", sender, receiver))
                )
                if keys[0] in d.values:
                    cells.append(Cell.pair(d.cell(keys[0]), d.cell(keys[1])))
                else:
                    cells.append(Cell.pair(Cell.number(0), Cell.number(0)))
            keys = (
                ("sent_all", "seen_all")
                if total
                else (("sent_from", sender), ("seen_from", sender))
            )
            cells.append(Cell.pair(d.cell(keys[0]), d.cell(keys[1])))
            rows.append(Row(_("Total") if total else self._actor(sender), cells, total=total))
        return Table(
            "orientations",
            _("Orientations entre structures"),
            _("De ↓ / vers →"),
            [self._receiver(r) for r in self.receivers] + [_("Total")],
            rows,
            note=_(
                "Chaque case donne : orientations envoyées / personnes venues à la structure "
                "qui les a reçues."
            ),
            part_labels=(_("envoyées"), _("personne venue")),
        )

    def _referral_summary(self):
        """What the matrix says in a few lines: how many referrals, the part where the
        person came and the part closed by the receiver ("bouclées"), and the largest flows
        between two structures (their cells as the matrix shows them: hidden ones are left
        out)."""
        d = self.disclosure
        flows = [
            (d.values[("sent", sender, receiver)], sender, receiver)
            for sender in self.senders
            for receiver in self.receivers
            if ("sent", sender, receiver) in d.values
            and d.shown(("sent", sender, receiver))
            and d.values[("sent", sender, receiver)]
        ]
        flows.sort(key=lambda f: (-f[0], collate(self._actor(f[1])), collate(self._receiver(f[2]))))
        return {
            "sent": d.cell("sent_all"),
            "seen_rate": d.rate("seen_all", "sent_all"),
            "closed_rate": d.rate("closed_all", "sent_all"),
            "top": [
                {
                    "sender": self._actor(sender),
                    "receiver": self._receiver(receiver),
                    "sent": d.cell(("sent", sender, receiver)),
                    "seen": d.cell(("seen", sender, receiver)),
                }
                for _n, sender, receiver in flows[:5]
            ],
            "flows": len(flows),
        }

    def _referral_loops(self):
        d = self.disclosure
        rows = []
        for sender in [*self.senders, "all"]:
            total = sender == "all"
            sent, seen, closed = (
                ("sent_all", "seen_all", "closed_all")
                if total
                else (("sent_from", sender), ("seen_from", sender), ("closed_from", sender))
            )
            rows.append(
                Row(
                    _("Total") if total else self._actor(sender),
                    [
                        d.cell(sent),
                        d.cell(seen),
                        d.cell(closed),
                        d.rate(seen, sent),
                        d.rate(closed, sent),
                    ],
                    total=total,
                )
            )
        table = Table(
            "boucles",
            _("Orientations suivies jusqu'au bout"),
            _("Structure qui oriente"),
            [
                _("Envoyées"),
                _("Personne venue"),
                _("Clôturées"),
                _("Part venue"),
                _("Part bouclée"),
            ],
            rows,
            note=_("Une orientation est bouclée quand la structure qui l'a reçue l'a clôturée."),
        )
        table.chart = BarChart.build(
            "chart-boucles",
            _("Part des orientations bouclées, par structure qui oriente"),
            [(row.label, row.cells[4]) for row in rows[:-1]],
            percent=True,
        )
        return table

    def _months(self):
        d = self.disclosure
        poles = [pole for pole in POLES if self.filters.pole_allows(pole)]
        held = defaultdict(Counter)
        minutes = Counter()
        for (month, pole, _fmt), (n, spent, _people) in self.figures.activity.items():
            held[month][pole] += n
            minutes[month] += spent
        rows = []
        for month in self.filters.period.months():
            if month > self.today:
                break  # months to come: nothing yet, and a fall to zero would mislead
            cells = []
            for name in ["all", *poles]:
                key = ("month", month, name)
                cells.append(d.cell(key) if key in d.values else Cell.number(0))
            cells += [Cell.number(held[month][pole]) for pole in poles]
            cells.append(Cell.number(round(minutes[month] / 60, 1)))
            rows.append(Row(month_label(month), cells, key=month))
        columns = (
            [_("Habitants accompagnés")]
            + [_("Habitants — %(pole)s") % {"pole": pole.short_label} for pole in poles]
            + [_("Séances — %(pole)s") % {"pole": pole.short_label} for pole in poles]
            + [_("Heures de médiation")]
        )
        table = Table(
            "mois",
            _("Mois par mois"),
            _("Mois"),
            columns,
            rows,
            note=" ".join(
                [_("Un habitant venu plusieurs mois compte dans chacun de ces mois.")]
                + self._offer_note(),
            ),
        )
        table.chart = LineChart.build(
            "chart-mois",
            _("Habitants accompagnés chaque mois, par pôle"),
            [row.key for row in rows],
            [
                (pole.short_label, pole.value, [row.cells[1 + i] for row in rows])
                for i, pole in enumerate(poles)
            ],
        )
        return table

    def _neighbourhoods(self):
        d = self.disclosure
        names = self.lookups.neighbourhoods
        area = self.view[0]
        if area == ANY:
            chosen = set(names)
        elif isinstance(area, frozenset):
            chosen = area
        else:
            chosen = {area}
        rows = []

        def row(label, cell, **kwargs):
            return Row(label, [d.cell(cell), d.rate(cell, self._people())], **kwargs)

        for group, label in (
            (self.qpv, _("Quartiers prioritaires (QPV)")),
            (self.outside_qpv, _("Autres quartiers")),
        ):
            mine = sorted(
                (n for n in group & chosen if self._people(area=n) != NOBODY),
                key=lambda n: collate(names[n][0]),
            )
            rows += [row(names[n][0], self._people(area=n), key=n) for n in mine]
            rows.append(row(label, self._people(area=self._within(group)), total=True))
        unknown = self._people(area=None) if area == ANY else NOBODY
        if unknown != NOBODY:
            rows.append(row(_("Quartier non renseigné"), unknown))
        rows.append(row(_("Total"), self._people(), total=True))
        table = Table(
            "quartiers",
            _("Habitants accompagnés, par quartier"),
            _("Quartier"),
            [_("Habitants"), _("Part")],
            rows,
        )
        table.chart = BarChart.build(
            "chart-quartiers",
            _("Habitants accompagnés, par quartier"),
            [(r.label, r.cells[0]) for r in rows if r.key is not None],
            classes=["qpv" if names[r.key][1] else "" for r in rows if r.key is not None],
        )
        return table

    def _ages(self):
        labels = dict(AGE_BAND_CHOICES)
        return self._people_by(
            "ages",
            _("Habitants accompagnés, par âge"),
            _("Âge à la fin de la période"),
            {
                str(labels[band]): self._people(band=band)
                for band in labels
                if self.view[1] in (ANY, band)
            },
        )

    def _statuses(self):
        return self._people_by(
            "situations",
            _("Habitants accompagnés, par situation"),
            _("Situation"),
            {
                str(status.label): self._people(status=status.value)
                for status in SocialStatus
                if self.view[2] in (ANY, status.value)
            },
        )

    def _people_by(self, key, title, heading, cells):
        """A table of the people counted in each group (label → cell), their share of
        everybody, a total row, and its bar chart; groups of nobody are left out."""
        d = self.disclosure
        everybody = self._people()
        rows = [
            Row(label, [d.cell(cell), d.rate(cell, everybody)])
            for label, cell in cells.items()
            if cell != NOBODY
        ]
        rows.append(Row(_("Total"), [d.cell(everybody), d.rate(everybody, everybody)], total=True))
        table = Table(key, title, heading, [_("Habitants"), _("Part")], rows)
        bars = [(r.label, r.cells[0]) for r in rows[:-1]]
        table.chart = BarChart.build(f"chart-{key}", title, bars)
        return table
