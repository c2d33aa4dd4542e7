"""Events other apps listen to. Sent once, after the transaction that caused them commits."""

from django.dispatch import Signal

# Sent with ``completion`` (a CourseCompletion) the first time a learner completes a course.
# The certificates issue consumes it.
course_completed = Signal()
