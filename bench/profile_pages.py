"""CPU per request of the signed-in pages, in one process, on the province ``make bench`` left.

    .venv/bin/python bench/profile_pages.py [--requests N] [--profile PAGE | --only PAGE]

Runs after ``make bench`` (which keeps its database): each page is asked ``N`` times through
Django's whole middleware stack (the test client's handler, as gunicorn's worker calls it),
by a different learner each time, and the CPU time per request is printed with the queries
and cache calls it made. ``--profile`` prints where one page spends it (cProfile). Steadier
than requests per second on a shared machine, so a change to a hot path can be judged in a
minute; ``make bench`` remains the measure.
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from province import BASIC, environment, session_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument(
        "--profile", choices=["floor", "lesson", "dashboard", "coverage", "xapi", "quiz"]
    )
    parser.add_argument("--only", help="this page alone, without a profile")
    args = parser.parse_args()
    os.environ.update(environment())
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from assessments.models import Attempt, H5PActivity, Quiz, QuizGrade
    from assessments.services import h5p_attempt_open
    from courses.models import CoursePage, LessonPage
    from learning.models import CourseCompletion, LessonProgress

    course = CoursePage.objects.get(slug=BASIC)
    lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
    h5p_lesson = next(lesson for lesson in lessons if lesson.h5p_ids)
    activity = H5PActivity.objects.get(pk=h5p_lesson.h5p_ids[0])
    xapi = f"/hoc-tap/bai-hoc/{h5p_lesson.pk}/h5p/{activity.pk}/xapi/"
    quiz_lesson = next(lesson for lesson in lessons if lesson.quiz_ids)
    quiz = Quiz.objects.get(pk=quiz_lesson.quiz_ids[0])
    quiz_start = f"/hoc-tap/bai-hoc/{quiz_lesson.pk}/kiem-tra/{quiz.pk}/bat-dau/"
    learners = []
    for user in User.objects.filter(username__startswith="hv").order_by("pk")[: args.learners]:
        attempt = h5p_attempt_open(user=user, activity=activity, context_id=h5p_lesson.pk)
        learners.append((*session_for(user), attempt.pk))
    users = User.objects.filter(username__startswith="hv").order_by("pk")[: args.learners]
    Attempt.objects.filter(user__in=list(users), quiz=quiz).delete()
    QuizGrade.objects.filter(user__in=list(users), quiz=quiz).delete()
    LessonProgress.objects.filter(user__in=list(users), lesson=quiz_lesson).delete()
    CourseCompletion.objects.filter(user__in=list(users), course=course).delete()
    clients = []
    for session, csrf, attempt in learners:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        client.cookies[settings.CSRF_COOKIE_NAME] = csrf
        clients.append((client, csrf, attempt))
    admin = Client(HTTP_HOST="127.0.0.1")
    admin.force_login(User.objects.get(username="tinh.demo"))
    counter = iter(range(10**9))
    if os.environ.get("GC_FREEZE"):
        import gc

        gc.freeze()
    if os.environ.get("GC_OFF"):
        import gc

        gc.disable()

    def statement(csrf, attempt):
        n = next(counter)
        body = {
            "attempt": attempt,
            "statement": {
                "actor": {"name": "Học viên", "mbox": "mailto:hv@bench.vn", "objectType": "Agent"},
                "verb": {
                    "id": "http://adlnet.gov/expapi/verbs/answered",
                    "display": {"en-US": "answered"},
                },
                "object": {
                    "id": f"{activity.iri()}?subContentId=p-{n}",
                    "objectType": "Activity",
                    "definition": {
                        "interactionType": "true-false",
                        "correctResponsesPattern": ["true"],
                    },
                },
                "context": {
                    "contextActivities": {
                        "parent": [{"id": activity.iri(), "objectType": "Activity"}]
                    }
                },
                "result": {
                    "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
                    "success": True,
                    "completion": True,
                    "response": "true",
                    "duration": "PT3.2S",
                },
            },
        }
        return json.dumps(body).encode()

    pages = {
        "floor": lambda c, csrf, a: c.get("/san/"),
        "lesson": lambda c, csrf, a: c.get(lessons[0].url),
        "dashboard": lambda c, csrf, a: c.get("/hoc-tap/khoa-hoc-cua-toi/"),
        "coverage": lambda c, csrf, a: admin.get("/bao-cao/don-vi/NA/?nhom=civil_servant"),
        "xapi": lambda c, csrf, a: c.post(
            xapi, statement(csrf, a), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
        ),
    }
    for name, ask in pages.items():
        if (args.profile or args.only) not in (None, name):
            continue
        for client, csrf, attempt in clients:  # warm: every learner's session and user
            response = ask(client, csrf, attempt)
            assert response.status_code == 200, (name, response.status_code)
        # PROF_CPU=1: the profile counts CPU time (waits for PostgreSQL and Redis drop out).
        timer = (time.process_time,) if os.environ.get("PROF_CPU") else ()
        profiler = cProfile.Profile(*timer) if args.profile else None
        rounds, done = [], 0
        with CaptureQueriesContext(connection) as queries:
            if profiler:
                profiler.enable()
            while done < args.requests:  # in rounds: the best is the least disturbed
                started = time.process_time()
                for _ in range(50):
                    client, csrf, attempt = clients[done % len(clients)]
                    ask(client, csrf, attempt)
                    done += 1
                rounds.append((time.process_time() - started) / 50)
            if profiler:
                profiler.disable()
        rounds.sort()
        print(
            f"{name:10} {rounds[0] * 1000:6.2f} ms CPU per request at best, "
            f"{rounds[len(rounds) // 2] * 1000:6.2f} median, "
            f"{len(queries) / done:.1f} queries"
        )
        if os.environ.get("PROF_SQL"):
            for query in queries.captured_queries[:8]:
                print("   ", query["sql"][:300])
        if profiler:
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(os.environ.get("PROF_FILTER", ""), 60)
            stats.sort_stats("tottime").print_stats(40)
            if os.environ.get("PROF_CALLERS"):  # who calls these (a regular expression)
                stats.print_callers(os.environ["PROF_CALLERS"])
    if (args.profile or args.only) in (None, "quiz"):  # last: each client has loaded the middleware
        for client, _csrf, _attempt in clients:
            client.get("/san/")
        quiz_flow(clients, quiz_start, cProfile.Profile() if args.profile else None)
    return 0


SLOT = re.compile(r'name="s" value="(\d+)"')
CHOICE = re.compile(r'name="(q\d+)"[^>]*value="([^"]*)"')


def quiz_flow(clients, start_url, profiler) -> None:
    """Each learner once through the burst's steps: start, open, an autosave, submit, with
    the CPU and the SQL statements of each (env PROF_STEP: profile that step alone)."""
    from urllib.parse import urlencode

    from django.db import connection

    cpu = {"start": 0.0, "open": 0.0, "save": 0.0, "submit": 0.0}
    statements = dict.fromkeys(cpu, 0)
    current = ["start"]
    only = os.environ.get("PROF_STEP")  # "none": the figures without a profile
    watched = [False]

    def counting(execute, sql, params, many, context):
        statements[current[0]] += 1
        if os.environ.get("PROF_SQL") and statements[current[0]] <= 40:
            print(f"    {current[0]}: {sql[:200]}")
        return execute(sql, params, many, context)

    def timed(step, call, *args, **kwargs):
        current[0] = step
        watching = profiler is not None and only in (None, step)
        watched[0] |= watching
        if watching:
            profiler.enable()
        began = time.process_time()
        response = call(*args, **kwargs)
        cpu[step] += time.process_time() - began
        if watching:
            profiler.disable()
        return response

    form = "application/x-www-form-urlencoded"
    with connection.execute_wrapper(counting):
        for client, csrf, _attempt in clients:
            response = timed("start", client.post, start_url, HTTP_X_CSRFTOKEN=csrf)
            assert response.status_code == 302, response.status_code
            location = response["Location"]
            html = timed("open", client.get, location).content.decode()
            slots = [("s", slot) for slot in SLOT.findall(html)]
            choices = list(dict(CHOICE.findall(html)).items())
            body = urlencode(slots + choices[:1])
            timed(
                "save",
                client.post,
                location + "luu/",
                body,
                content_type=form,
                HTTP_X_CSRFTOKEN=csrf,
                HTTP_X_REQUESTED_WITH="fetch",
            )
            body = urlencode(slots + choices)
            timed(
                "submit",
                client.post,
                location + "nop/",
                body,
                content_type=form,
                HTTP_X_CSRFTOKEN=csrf,
            )
    if watched[0]:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(os.environ.get("PROF_FILTER", ""), 60)
        stats.sort_stats("tottime").print_stats(40)
    for name, seconds in cpu.items():
        print(
            f"quiz {name:6} {seconds / len(clients) * 1000:6.2f} ms CPU per request, "
            f"{statements[name] / len(clients):.1f} SQL statements"
        )


if __name__ == "__main__":
    sys.exit(main())
