"""Staff roster import (issue 7): an HR officer's list of people becomes accounts and
memberships, without duplicating anyone who already has an account.

One ``RosterImport`` row carries the whole story:

1. ``roster_upload`` stores the file (CHECKING) and queues its check; the worker's
   ``roster_check_uploaded`` reads it (``roster_check``). A file that cannot be read, or lacks
   a required column, fails as a whole (FAILED, one message, nothing to confirm). Otherwise
   every row is validated and matched against the accounts the uploader may see; the errors
   per row, the counts and the first rows are kept for the preview (CHECKED). Nothing but the
   ``RosterImport`` is written.
2. The officer reads the preview and confirms: ``roster_confirm`` (PENDING, a task queued).
3. ``roster_import`` (the worker, or ``manage.py import_staff``) reads the file again, checks
   every row again against the database as it is by then, and writes the good rows in ONE
   transaction: new accounts, and memberships; an existing account's own details are never
   changed. Rows with errors are skipped and listed; any failure rolls everything back, so
   a roster is imported entirely (its good rows) or not at all.

Row numbers are those a spreadsheet shows: the header row counts, so the first person of a
file with the column names on top is row 2.

Modules: ``files`` (CSV/XLSX to text, the header), ``rows`` (checking and matching each row),
``writing`` (bulk writes and invitations), ``services`` (the functions other code calls).
"""

from .files import MAX_UPLOAD_BYTES, RosterFileError
from .rows import national_id_digest
from .services import (
    roster_check,
    roster_check_fail,
    roster_check_requeue,
    roster_check_uploaded,
    roster_confirm,
    roster_discard,
    roster_fail,
    roster_import,
    roster_sweep,
    roster_upload,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "RosterFileError",
    "national_id_digest",
    "roster_check",
    "roster_check_fail",
    "roster_check_requeue",
    "roster_check_uploaded",
    "roster_confirm",
    "roster_discard",
    "roster_fail",
    "roster_import",
    "roster_sweep",
    "roster_upload",
]
