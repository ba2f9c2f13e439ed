"""factory_boy factories for the platform models."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from crsv.accounts.models import FieldOffice, Membership, Mission, User

PASSWORD = "correct-horse-battery-staple"


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        django_get_or_create = ("code",)

    code = "MONUSCO"
    name = "United Nations Organization Stabilization Mission in the DR Congo"


class FieldOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldOffice
        django_get_or_create = ("mission", "code")

    mission = factory.SubFactory(MissionFactory)
    code = factory.Sequence(lambda n: f"F{n:02d}".replace("0", "O").replace("1", "I")[:3] + "X")
    name = factory.LazyAttribute(lambda o: f"Office {o.code}")
    time_zone = "Africa/Lubumbashi"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with `roles` (group names) and `offices` (FieldOffice instances)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            for role in extracted:
                self.groups.add(Group.objects.get_or_create(name=role)[0])

    @factory.post_generation
    def offices(self, create: bool, extracted: list[FieldOffice] | None, **kwargs: object) -> None:
        if create and extracted:
            for office in extracted:
                Membership.objects.get_or_create(user=self, field_office=office)
        if create:
            self.save()
