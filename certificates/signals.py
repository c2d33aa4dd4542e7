from django.dispatch import Signal

# Sent inside the transaction that issued, re-issued or revoked certificates, with
# ``user_ids``: the holders whose standing changed (the coverage rollup listens).
certificates_changed = Signal()
