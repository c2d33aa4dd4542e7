from django.dispatch import Signal

# Sent with ``user_ids`` (and optionally ``organisation_ids`` whose counts changed too) after
# memberships change in bulk: a roster import, a merge, a unit moved. Reports listen.
memberships_changed = Signal()
