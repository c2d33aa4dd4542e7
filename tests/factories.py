import factory
from allauth.account.models import EmailAddress

from accounts.models import Membership, User
from accounts.services import organisation_upsert

PASSWORD = "Mat-khau-Thu-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can log in: verified primary email, known password."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"hocvien{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Học {n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


def organisation(code: str, name: str, kind: str = "department", parent=None):
    return organisation_upsert(code=code, name=name, kind=kind, parent=parent)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    target_group = Membership.TargetGroup.CIVIL_SERVANT
