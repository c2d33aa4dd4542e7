from django.dispatch import Signal

# Sent with ``user_ids`` after memberships change in bulk (roster import, merge); reports listen.
memberships_changed = Signal()
