# pgcrypto's hmac() lets the CSV export pseudonymise patients inside a PostgreSQL
# COPY (see registry/api/copy_export.py). On SQLite the operation does nothing.

from django.contrib.postgres.operations import CryptoExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_patient_list_index'),
    ]

    operations = [
        CryptoExtension(),
    ]
