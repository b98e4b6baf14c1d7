"""The dashboard's figures on a small town built by hand, where every figure is known."""

import datetime

import pytest

from learners.services import participations_changed
from pathway.models import ActorKind, Pole
from stats.demo.factories import (
    ActorFactory,
    CertificateFactory,
    CompetenceAssessmentFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    OperatorFactory,
    ParticipationFactory,
    ReferralFactory,
    ResidentFactory,
    SessionFactory,
)
from stats.figures import Filters, Period, collect
from stats.report import Lookups, Report

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = Period(D(2026, 1, 1), D(2026, 12, 1), "Année 2026")


class KnownTown:
    """Seven residents whose journeys are written out below."""

    def __init__(self):
        self.fs = ActorFactory(name="France services", kind=ActorKind.FRANCE_SERVICES)
        self.library = ActorFactory(name="Médiathèque", kind=ActorKind.MEDIA_LIBRARY)
        self.maille = NeighbourhoodFactory(name="La Maille", priority=True)
        self.centre = NeighbourhoodFactory(name="Centre-ville")
        self.caf = OperatorFactory(name="CAF")
        self.ants = OperatorFactory(name="ANTS")
        self.module = ModuleFactory(name="Se protéger en ligne", targets={"1.1": 2, "4.2": 3})
        people = {}
        for name, neighbourhood, birth_year, status in [
            ("Rachida", self.maille, 1960, "retired"),
            ("Bernard", self.maille, 1950, "retired"),
            ("Chloé", self.centre, 2000, "job_seeker"),
            ("Didier", self.centre, 1985, "employed"),
            ("Estelle", self.maille, 1990, "job_seeker"),
            ("Fatou", None, None, "not_stated"),
            ("Gérard", self.centre, 1940, "retired"),
        ]:
            people[name] = ResidentFactory(
                first_name=name,
                last_name="Témoin",
                neighbourhood=neighbourhood,
                birth_year=birth_year,
                social_status=status,
                created_by_actor=self.fs,
            )
        self.people = people
        r = people
        # Rachida: paperwork (done for her, then with her), training 20 days later, leisure
        # 20 days after that.
        self.visit(r["Rachida"], D(2026, 1, 5), Pole.NECESSITY, autonomy=1, paperwork="completed")
        self.visit(r["Rachida"], D(2026, 1, 15), Pole.NECESSITY, autonomy=2)
        self.visit(r["Rachida"], D(2026, 1, 25), Pole.ACHIEVEMENT, actor=self.library)
        self.visit(r["Rachida"], D(2026, 2, 14), Pole.LEISURE, actor=self.library)
        # Bernard: one paperwork session, training 30 days later, no leisure.
        self.visit(r["Bernard"], D(2026, 1, 10), Pole.NECESSITY, autonomy=2, paperwork="blocked")
        self.visit(r["Bernard"], D(2026, 2, 9), Pole.ACHIEVEMENT, actor=self.library)
        # Chloé: paperwork only, as autonomous at the end as at the start.
        self.visit(r["Chloé"], D(2026, 1, 20), Pole.NECESSITY, autonomy=2, paperwork="blocked")
        self.visit(r["Chloé"], D(2026, 2, 1), Pole.NECESSITY, autonomy=3)
        self.visit(r["Chloé"], D(2026, 2, 20), Pole.NECESSITY, autonomy=2, paperwork="completed")
        # Didier: paperwork, less autonomous later; training 30 days after, leisure 10 days
        # after that.
        self.visit(r["Didier"], D(2026, 2, 1), Pole.NECESSITY, autonomy=3, paperwork="completed")
        self.visit(r["Didier"], D(2026, 2, 10), Pole.NECESSITY, autonomy=1)
        self.visit(r["Didier"], D(2026, 3, 3), Pole.ACHIEVEMENT, actor=self.library)
        self.visit(r["Didier"], D(2026, 3, 13), Pole.LEISURE, actor=self.library)
        # Estelle came for training first: not in the funnel.
        self.visit(r["Estelle"], D(2026, 2, 10), Pole.ACHIEVEMENT, actor=self.library)
        self.visit(r["Estelle"], D(2026, 3, 1), Pole.LEISURE, actor=self.library)
        # Fatou: paperwork, then leisure without training (not "then leisure" in the funnel).
        self.visit(r["Fatou"], D(2026, 2, 15), Pole.NECESSITY, autonomy=1, paperwork="to_continue")
        self.visit(r["Fatou"], D(2026, 2, 16), Pole.NECESSITY, autonomy=3)
        self.visit(r["Fatou"], D(2026, 2, 20), Pole.LEISURE, actor=self.library)
        # Gérard first came in December 2025: seen in 2026, but not new.
        self.visit(r["Gérard"], D(2025, 12, 1), Pole.NECESSITY, autonomy=1)
        self.visit(r["Gérard"], D(2026, 1, 12), Pole.NECESSITY, autonomy=1)

        # Rachida reached both target levels of the module (on 10 February); Bernard only one.
        for resident, code, level, day in [
            (r["Rachida"], "1.1", 2, D(2026, 2, 1)),
            (r["Rachida"], "4.2", 3, D(2026, 2, 10)),
            (r["Bernard"], "1.1", 3, D(2026, 2, 9)),
        ]:
            CompetenceAssessmentFactory(
                resident=resident, competence=self.competence(code), level=level, assessed_on=day
            )
        CertificateFactory(
            resident=r["Rachida"],
            module=self.module,
            actor=self.library,
            issued_at=datetime.datetime(2026, 2, 12, 15, tzinfo=datetime.UTC),
        )

        # Referrals: four from France services to the media library (two people came, one
        # loop closed), one the other way that nobody acted upon.
        sent = datetime.datetime(2026, 1, 20, 10, tzinfo=datetime.UTC)
        for resident, status in [
            (r["Rachida"], "closed"),
            (r["Bernard"], "seen"),
            (r["Chloé"], "received"),
            (r["Didier"], "sent"),
        ]:
            ReferralFactory(
                resident=resident,
                from_actor=self.fs,
                to_actor=self.library,
                to_pole=Pole.ACHIEVEMENT,
                status=status,
                sent_at=sent,
                seen_at=sent if status in ("seen", "closed") else None,
            )
        ReferralFactory(
            resident=r["Estelle"], from_actor=self.library, to_actor=self.fs, sent_at=sent
        )
        participations_changed([p.pk for p in people.values()])

    def competence(self, code):
        from pathway.models import Competence

        return Competence.objects.get(code=code)

    def visit(self, resident, day, pole, *, actor=None, autonomy=None, paperwork=""):
        session = SessionFactory(date=day, pole=pole, actor=actor or self.fs, duration_minutes=60)
        ParticipationFactory(
            session=session,
            resident=resident,
            autonomy=autonomy,
            operator=(self.caf if paperwork != "blocked" else self.ants) if paperwork else None,
            paperwork_result=paperwork,
            blocked_reason="franceconnect" if paperwork == "blocked" else "",
        )


def report(filters, threshold=1):
    """Threshold 1 hides nothing: these tests check the figures themselves."""
    return Report(
        collect(filters), filters, Lookups.load(), threshold=threshold, today=D(2026, 12, 31)
    )


def values(table):
    return {row.label: [cell.value for cell in row.cells] for row in table.rows}


def test_the_funnel_counts_who_went_on_and_how_long_it_took():
    KnownTown()
    funnel = values(report(Filters(period=YEAR)).by_slug["parcours"])
    # started, then training, share, then leisure, share, median days, median days
    assert funnel["janvier 2026"] == [3, 2, 66.7, 1, 33.3, 25, 20]  # Rachida, Bernard, Chloé
    assert funnel["février 2026"] == [2, 1, 50.0, 1, 50.0, 30, 10]  # Didier, Fatou
    assert funnel["Total"] == [5, 3, 60.0, 2, 40.0, 30, 15]


def test_autonomy_rose_for_two_of_the_four_who_came_back():
    KnownTown()
    autonomy = values(report(Filters(period=YEAR)).by_slug["autonomie"])
    # Rachida 1→2 and Fatou 1→3 rose; Chloé 2→2; Didier 3→1; Gérard started in 2025 and
    # Bernard came once.
    assert autonomy == {
        "Plus autonome": [2, 50.0],
        "Même niveau": [1, 25.0],
        "Moins autonome": [1, 25.0],
        "Total": [4, 100.0],
    }
    levels = values(report(Filters(period=YEAR)).by_slug["autonomie-niveaux"])
    assert levels["Fait pour la personne"] == [0, 1, 1, 2]
    assert levels["Total"] == [1, 2, 1, 4]


def test_referrals_count_sent_seen_and_closed_loops():
    town = KnownTown()
    built = report(Filters(period=YEAR))
    loops = values(built.by_slug["boucles"])
    assert loops["France services"] == [4, 2, 1, 50.0, 25.0]
    assert loops["Médiathèque"] == [1, 0, 0, 0.0, 0.0]
    assert loops["Total"] == [5, 2, 1, 40.0, 20.0]
    matrix = built.by_slug["orientations"]
    assert matrix.columns == ["France services", "Médiathèque", "Total"]
    assert [cell.text for cell in matrix.rows[0].cells] == ["0 / 0", "4 / 2", "4 / 2"]
    # A coordinator of the media library sees the referrals it sent and received.
    mine = report(Filters(period=YEAR, actor_ids=frozenset([town.library.pk])))
    assert values(mine.by_slug["boucles"])["Total"] == [5, 2, 1, 40.0, 20.0]


def test_headline_figures():
    KnownTown()
    headline = {
        row.label: row.cells[0].value
        for row in report(Filters(period=YEAR)).by_slug["chiffres-cles"].rows
    }
    assert headline["Habitants accompagnés"] == 7
    assert headline["dont nouveaux dans le réseau"] == 6  # not Gérard
    assert headline["Séances"] == 19  # an hour each; Gérard's of 2025 left out
    assert headline["dont séances individuelles"] == 19
    assert headline["Heures de médiation"] == 19
    assert headline["Démarches terminées"] == 3
    assert headline["Démarches bloquées"] == 2
    assert headline["Démarches à poursuivre"] == 1
    assert headline["Habitants venus pour une démarche, ensuite partis en formation"] == 60.0
    assert headline["Habitants plus autonomes dans leurs démarches"] == 50.0
    assert headline["Modules de formation validés"] == 1
    assert headline["Attestations délivrées"] == 1
    assert headline["Part des habitants venant d'un quartier prioritaire (QPV)"] == 42.9  # 3/7


def test_paperwork_by_operator_with_its_main_blocking_reason():
    KnownTown()
    paperwork = values(report(Filters(period=YEAR)).by_slug["demarches"])
    # completed, to continue, blocked, total, share completed, main reason
    assert paperwork["CAF"] == [3, 1, 0, 4, 75.0, "—"]
    assert paperwork["ANTS"] == [0, 0, 2, 2, 0.0, "FranceConnect ou identifiants"]
    reasons = values(report(Filters(period=YEAR)).by_slug["blocages"])
    assert reasons == {"FranceConnect ou identifiants": [2, 100.0], "Total": [2, 100.0]}


def test_the_public_dimensions_split_the_residents():
    KnownTown()
    built = report(Filters(period=YEAR))
    assert values(built.by_slug["quartiers"]) == {
        "La Maille": [3, 42.9],
        "Quartiers prioritaires (QPV)": [3, 42.9],
        "Centre-ville": [3, 42.9],
        "Autres quartiers": [3, 42.9],
        "Quartier non renseigné": [1, 14.3],
        "Total": [7, 100.0],
    }
    ages = values(built.by_slug["ages"])
    # Ages reached in 2026: 66, 76, 26, 41, 36, unknown, 86.
    assert ages == {
        "26 à 44 ans": [3, 42.9],
        "60 à 74 ans": [1, 14.3],
        "75 ans et plus": [2, 28.6],
        "Âge non renseigné": [1, 14.3],
        "Total": [7, 100.0],
    }
    retired = report(Filters(period=YEAR, social_status="retired", neighbourhood_ids=frozenset()))
    assert values(retired.by_slug["chiffres-cles"])["Habitants accompagnés"] == [0]


def test_filters_narrow_every_figure():
    town = KnownTown()
    library = report(Filters(period=YEAR, actor_ids=frozenset([town.library.pk])))
    headline = values(library.by_slug["chiffres-cles"])
    assert headline["Habitants accompagnés"] == [5]  # Rachida, Bernard, Didier, Estelle, Fatou
    assert headline["dont nouveaux dans ces structures"] == [5]
    assert headline["Séances"] == [8]
    # Nobody started their journey at the media library with paperwork.
    assert values(library.by_slug["parcours"])["Total"][0] == 0

    february = Period(D(2026, 2, 1), D(2026, 2, 1), "février 2026")
    leisure = report(Filters(period=february, pole=Pole.LEISURE))
    assert values(leisure.by_slug["chiffres-cles"])["Habitants accompagnés"] == [2]
    assert values(leisure.by_slug["chiffres-cles"])["dont nouveaux dans ce pôle"] == [2]
    months = values(leisure.by_slug["mois"])
    assert months["février 2026"][:2] == [2, 2]  # all, leisure

    elders = report(Filters(period=YEAR, age="75_plus"))
    assert values(elders.by_slug["chiffres-cles"])["Habitants accompagnés"] == [2]
    winter = Period(D(2025, 12, 1), D(2026, 1, 1), "hiver")
    across = report(Filters(period=winter))
    headline = values(across.by_slug["chiffres-cles"])
    assert headline["Habitants accompagnés"] == [4]  # Gérard (twice), Rachida, Bernard, Chloé
    assert headline["dont nouveaux dans le réseau"] == [4]
