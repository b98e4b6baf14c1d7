"""Bench group of workshop sign-ups, attendance and the orientation guide.

python manage.py bench --only workshops

- workshop_signup_ms_p95: 50 people signing up at the same instant for a workshop of 12
  seats, served by 3 worker processes (one connection each), the wait for a free worker
  counted; workshop_signup_confirmed must be 12 and _waitlisted 38 (the
  race needs PostgreSQL's row locks; on SQLite the sign-ups run one after the other);
- attendance_to_session_ms_p95: an attendance sheet of 12 sign-ups saved as a session
  (candidates looked up, 12 new residents, the session logged);
- orientation_ms_p95: the orientation guide's results with 500 places in the guide.
"""

import datetime
import multiprocessing
import time

from django.db import connection, connections
from django.test.utils import override_settings

from stats.bench.guide import guide_database
from stats.management.commands.bench import group, percentiles

SIGNUPS = 50
SEATS = 12
BURSTS = 6
# Worker processes of the server the sign-ups reach: the README's single server (gunicorn
# --workers 3 on its two cores).
SERVER_WORKERS = 3
ATTENDEES = 12
ATTENDANCE_RUNS = 20


def concurrent_signups(workshop):
    """SIGNUPS sign-ups arriving at the same instant at a server of SERVER_WORKERS worker
    processes (warm, one connection each): each sign-up's time runs from that instant to
    its answer, waiting for a free worker included, as the person would see it. Returns
    (latencies in ms, errors)."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    next_signup = context.Value("i", 0)
    arrived = context.Value("d", 0.0)
    barrier = context.Barrier(
        SERVER_WORKERS, action=lambda: setattr(arrived, "value", time.perf_counter())
    )
    connections.close_all()  # each worker opens its own

    def worker():
        from learners.models import WorkshopSignup
        from learners.signups import signup_create
        from pathway.models import PlannedWorkshop

        # Warm, as a server's workers are: their connections stay open (CONN_MAX_AGE) and
        # have read these tables; the parent process has already signed people up
        # (templates and translations loaded). None of that is timed.
        WorkshopSignup.objects.filter(workshop=workshop, phone="").exists()
        PlannedWorkshop.objects.filter(pk=workshop.pk).exists()
        barrier.wait()
        while True:
            with next_signup.get_lock():
                n, next_signup.value = next_signup.value, next_signup.value + 1
            if n >= SIGNUPS:
                break
            try:
                signup_create(
                    workshop_id=workshop.pk,
                    first_name=f"Personne {n}",
                    last_name="Banc",
                    phone=f"07{n:08d}",
                )
                results.put(("ok", (time.perf_counter() - arrived.value) * 1000))
            except Exception as error:  # noqa: BLE001 (counted, printed)
                results.put(("error", repr(error)))
        connections.close_all()

    processes = [context.Process(target=worker) for _ in range(SERVER_WORKERS)]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in range(SIGNUPS)]
    for process in processes:
        process.join()
    latencies = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]
    return latencies, errors


def sequential_signups(workshop):
    from learners.signups import signup_create

    latencies = []
    for n in range(SIGNUPS):
        started = time.perf_counter()
        signup_create(
            workshop_id=workshop.pk,
            first_name=f"Personne {n}",
            last_name="Banc",
            phone=f"07{n:08d}",
        )
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, []


@group("workshops")
@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    SMS_BACKEND="learners.sms.LocmemBackend",
)
def workshops(bench):
    from django.test import Client
    from django.utils import timezone

    from learners import attendance, sms
    from learners.models import Resident, Session, SignupStatus, User, WorkshopSignup
    from pathway.models import Place, PlannedWorkshop, Pole

    context = guide_database(bench)
    created_workshops, figures = [], {}
    try:
        place = Place.objects.in_guide().order_by("pk").first()
        mediator = User.objects.filter(actors=place.actor, role="mediator").first() or (
            User.objects.filter(is_active=True).first()
        )
        # 50 sign-ups one after the other: the cost of one sign-up, without waiting (and
        # this process warmed up, as a server's workers are).
        alone = PlannedWorkshop.objects.create(
            actor=place.actor,
            place=place,
            pole=Pole.ACHIEVEMENT,
            title="Banc : atelier, une inscription à la fois",
            starts_at=timezone.now() + datetime.timedelta(days=3),
            seats=SEATS,
        )
        created_workshops.append(alone.pk)
        p50, p95 = percentiles(sequential_signups(alone)[0])
        figures["workshop_signup_sequential_ms_p50"] = p50
        figures["workshop_signup_sequential_ms_p95"] = p95
        # Sign-ups: 50 at once for 12 seats, BURSTS times (a workshop each), every latency
        # pooled; each burst must end with 12 confirmed and 38 waiting.
        concurrent = connection.vendor == "postgresql"
        latencies, errors, outcomes = [], [], []
        for burst in range(BURSTS if concurrent else 1):
            workshop = PlannedWorkshop.objects.create(
                actor=place.actor,
                place=place,
                pole=Pole.ACHIEVEMENT,
                title=f"Banc : atelier très demandé {burst}",
                starts_at=timezone.now() + datetime.timedelta(days=3),
                seats=SEATS,
            )
            created_workshops.append(workshop.pk)
            found, failed = (concurrent_signups if concurrent else sequential_signups)(workshop)
            latencies += found
            errors += failed
            workshop.refresh_from_db()
            statuses = list(workshop.signups.values_list("status", flat=True))
            outcomes.append(
                (
                    statuses.count(SignupStatus.CONFIRMED),
                    statuses.count(SignupStatus.WAITING),
                    workshop.seats_taken,
                )
            )
        p50, p95 = percentiles(latencies)
        figures.update(
            {
                "workshop_signup_concurrent": concurrent,
                "workshop_signup_bursts": len(outcomes),
                "workshop_signup_samples": len(latencies),
                "workshop_signup_ms_p50": p50,
                "workshop_signup_ms_p95": p95,
                # The same in every burst, or the first that differs.
                "workshop_signup_confirmed": max(o[0] for o in outcomes),
                "workshop_signup_waitlisted": min(o[1] for o in outcomes),
                "workshop_signup_seats_taken": max(o[2] for o in outcomes),
                "workshop_signup_errors": len(errors),
            }
        )
        sms.outbox.clear()

        # Attendance: 12 sign-ups ticked, saved as one collective session.
        samples = []
        sessions_before = Session.objects.count()
        for run in range(ATTENDANCE_RUNS):
            held = PlannedWorkshop.objects.create(
                actor=place.actor,
                place=place,
                pole=Pole.ACHIEVEMENT,
                title=f"Banc : présence {run}",
                starts_at=timezone.now() - datetime.timedelta(hours=1),
                seats=ATTENDEES,
                seats_taken=ATTENDEES,
            )
            created_workshops.append(held.pk)
            WorkshopSignup.objects.bulk_create(
                WorkshopSignup(
                    workshop=held,
                    first_name=f"Zoé{run}x{n}",
                    last_name=f"Présente{run}x{n}",
                    phone=f"06{run:04d}{n:04d}",
                    token_hash=f"bench-{held.pk}-{n}",
                )
                for n in range(ATTENDEES)
            )
            started = time.perf_counter()
            lines = attendance.sheet(held)
            for line in lines:
                line.came = True
            attendance.candidates(mediator, lines)
            attendance.attendance_save(workshop=held, by=mediator, attendees=lines)
            samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(samples[2:])  # the first two warm the caches
        figures.update(
            {
                "attendance_to_session_ms_p50": p50,
                "attendance_to_session_ms_p95": p95,
                "attendance_to_session_attendees": ATTENDEES,
                "attendance_sessions_logged": Session.objects.count() - sessions_before,
            }
        )

        # The orientation guide's results, with 500 places.
        client = Client()
        urls = {
            "": "/guide/orientation/?besoin=papiers&quartier=partout&quand=apres-midi",
            "_near_me": "/guide/orientation/?besoin=apprendre&quartier=pres&lat=43.58"
            "&lon=5.00&quand=tout",
        }
        figures["orientation_places"] = Place.objects.in_guide().count()
        for suffix, url in urls.items():
            assert client.get(url).status_code == 200, url
            p50, p95 = bench.time_ms(lambda url=url: client.get(url))
            figures[f"orientation{suffix}_ms_p50"] = p50
            figures[f"orientation{suffix}_ms_p95"] = p95
            figures[f"orientation{suffix}_queries"] = bench.count_queries(
                lambda url=url: client.get(url)
            )
    finally:
        # Leave the scratch database as it was for the other groups.
        try:
            sessions = list(
                Session.objects.filter(workshop_title__startswith="Banc : présence").values_list(
                    "pk", flat=True
                )
            )
            residents = list(
                Resident.objects.filter(last_name__startswith="Présente").values_list(
                    "pk", flat=True
                )
            )
            WorkshopSignup.objects.filter(workshop_id__in=created_workshops).delete()
            Session.objects.filter(pk__in=sessions).delete()
            Resident.objects.filter(pk__in=residents).delete()
            PlannedWorkshop.objects.filter(pk__in=created_workshops).delete()
            from learners.services import participations_changed

            participations_changed(residents)
        finally:
            context.__exit__(None, None, None)
    return figures
