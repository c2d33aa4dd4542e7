"""What assessments tells the apps above it. ``learning`` listens, to record lesson progress."""

from django.dispatch import Signal

# Sent after commit, once per attempt, when its grade is final (``attempt=``).
attempt_graded = Signal()
