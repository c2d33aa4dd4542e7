"""What assessments tells the apps above it. ``learning`` listens, to record lesson progress."""

from django.dispatch import Signal

# Sent once per attempt when its grade is final (``attempt=``), inside the grading
# transaction: receivers write in it, so the grade and what follows commit together.
attempt_graded = Signal()

# Sent once per H5P attempt graded by a statement (``attempt=``), inside that transaction.
h5p_graded = Signal()
