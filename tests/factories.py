from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from departments.models import HR_GROUP_NAME, Department, Dependency, Employee, ServiceParameter

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    username = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")
    description = "Helps everyone with things."


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Specialist"


class ServiceParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceParameter

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"param-{n}")
    name = factory.Sequence(lambda n: f"Parameter {n}")
    description = "You can expect this."
    target = "4.00"
    position = factory.Sequence(lambda n: n)


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    consumer = factory.SubFactory(DepartmentFactory)
    provider = factory.SubFactory(DepartmentFactory)


def make_hr(employee: Employee) -> Employee:
    employee.user.groups.add(Group.objects.get(name=HR_GROUP_NAME))
    return employee
