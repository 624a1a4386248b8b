"""An upload waits for its import as a file under MEDIA_ROOT/imports/, not as bytes in the
database: writing and reading a 24 MB bytea held several copies of it in memory."""

from django.core.files.base import ContentFile
from django.db import migrations, models

import finance.models


def move_waiting_uploads_to_files(apps, schema_editor):
    ExpenditureImport = apps.get_model("finance", "ExpenditureImport")
    waiting = ExpenditureImport.objects.filter(status__in=("wachtrij", "bezig")).exclude(
        content=b""
    )
    for job in waiting.iterator(chunk_size=1):
        job.upload.save("upload", ContentFile(bytes(job.content)), save=False)
        job.save(update_fields=["upload"])


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0007_expenditure_extern_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="expenditureimport",
            name="upload",
            field=models.FileField(
                blank=True,
                editable=False,
                max_length=200,
                upload_to=finance.models.upload_path,
                verbose_name="uploaded file",
            ),
        ),
        migrations.RunPython(move_waiting_uploads_to_files, migrations.RunPython.noop),
        migrations.RemoveField(model_name="expenditureimport", name="content"),
    ]
