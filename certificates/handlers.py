"""Thin listeners: a completed course queues its certificate, if the course is armed."""

from .models import CourseCertification


def on_course_completed(sender, completion, **kwargs) -> None:
    from .tasks import issue_when_committed

    if CourseCertification.objects.filter(course_id=completion.course_id, armed=True).exists():
        issue_when_committed(completion.pk)
