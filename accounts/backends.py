"""The signed-in user, read from the cache instead of the database on every request.

Every page a learner opens loads their user row before anything else; at a province's
scale that query and building the model were a seventh of an xAPI statement's time. The
row is kept for five minutes and forgotten whenever the user is saved or deleted (a new
password, a deactivation, a login), at once and again when the transaction commits, so a
request that read the old row in between cannot keep it. Permissions are not part of the
row: Django still asks for them per request, as before.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

USER_TTL = 300


def _key(user_id) -> str:
    return f"accounts:user:{user_id}"


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = cache.get(_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(_key(user_id), user, USER_TTL)
            return user
        return user if self.user_can_authenticate(user) else None


def user_changed(sender, instance, **_kwargs) -> None:
    key = _key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
