"""Factories for import batches and their change rows (issue #10)."""

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from factory.django import DjangoModelFactory

from xuanpei.audit.models import ImportBatch, ImportBatchRow


class ImportBatchFactory(DjangoModelFactory):
    """A committed enterprise import of three rows, finished a second after it started."""

    class Meta:
        model = ImportBatch

    importer = "enterprises"
    label = "企业"
    user = None
    username = factory.LazyAttribute(lambda o: o.user.username if o.user else "系统")
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(lambda o: o.started_at + timezone.timedelta(seconds=1))
    duration_ms = 1000
    file_name = "企业名录.xlsx"
    file_size = 1024
    rows = 3
    accepted = 3
    created = 1
    updated = 1
    unchanged = 1


class ImportBatchRowFactory(DjangoModelFactory):
    """A change row for `obj` (pass `obj=`): created by default."""

    class Meta:
        model = ImportBatchRow
        exclude = ("obj",)

    batch = factory.SubFactory(ImportBatchFactory)
    obj = None
    row_number = factory.Sequence(lambda n: n + 2)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.obj))
    object_id = factory.LazyAttribute(lambda o: o.obj.pk)
    object_repr = factory.LazyAttribute(lambda o: str(o.obj))
    action = ImportBatchRow.Action.CREATED
