"""Import a staff roster from the server's disk, for an administrator (the whole province).

The same check and import as the HR area, run at once in this process: the rows with errors
are printed (and skipped), then the summary. A file that cannot be imported at all, or an
import that fails, ends with exit code 1 and nothing imported.
"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import roster
from accounts.models import RosterImport


class Command(BaseCommand):
    help = (
        "Nhập danh sách cán bộ từ tệp CSV hoặc XLSX. "
        "Import a staff roster (CSV or XLSX) for the whole province."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp CSV hoặc XLSX / the CSV or XLSX file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ kiểm tra, không nhập. Check and report only; import nothing.",
        )

    def handle(self, *args, path: str, dry_run: bool = False, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            with source.open("rb") as handle:
                uploaded = roster.roster_upload(
                    user=None,
                    upload=File(handle, name=source.name),
                    file_name=source.name,
                    enqueue=False,
                )
        except roster.RosterFileError as error:
            raise CommandError(str(error)) from error
        # Checked here and now, as the worker checks an upload (no worker needed).
        try:
            checked = roster.roster_check_uploaded(roster_id=uploaded.pk)
        except Exception:
            roster.roster_check_fail(roster_id=uploaded.pk)  # its file goes at once
            raise
        if checked.state == RosterImport.State.FAILED:
            checked.delete()
            raise CommandError(checked.error)
        summary = checked.summary
        self.stdout.write(
            _(
                "%(rows)s rows: %(valid)s ready (%(matched)s existing accounts, %(new)s new), "
                "%(errors)s with errors."
            )
            % {
                "rows": summary["rows"],
                "valid": summary["valid"],
                "matched": summary["matched"],
                "new": summary["new"],
                "errors": summary["error_rows"],
            }
        )
        if dry_run:
            self._errors(checked)
            roster.roster_discard(roster=checked)
            return
        if not roster.roster_confirm(roster=checked, user=None, enqueue=False):
            self._errors(checked)
            roster.roster_discard(roster=checked)
            raise CommandError(_("No row can be imported."))
        done = roster.roster_import(roster_id=checked.pk)
        self._errors(done)
        if done.state != RosterImport.State.DONE:
            raise CommandError(done.error)
        summary = done.summary
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported: %(created)s accounts created, %(matched)s matched, %(added)s "
                    "memberships added and %(updated)s updated, %(invited)s invitations emailed."
                )
                % {
                    "created": summary["created"],
                    "matched": summary["matched"],
                    "added": summary["memberships_added"],
                    "updated": summary["memberships_updated"],
                    "invited": summary["invited"],
                }
            )
        )
        if summary["without_email"]:
            self.stdout.write(
                _(
                    "%(count)s new accounts have no email address and were sent nothing "
                    "(SMS is not available)."
                )
                % {"count": summary["without_email"]}
            )

    def _errors(self, checked: RosterImport) -> None:
        for item in checked.errors:
            self.stderr.write(
                _("Row %(row)s: %(errors)s")
                % {"row": item["row"], "errors": " ".join(item["errors"])}
            )
