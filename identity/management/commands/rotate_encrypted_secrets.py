from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from identity.models import IdentityProvider
from npo_portal import encryption


class Command(BaseCommand):
    help = (
        "Encrypt every stored client secret again with the first key of "
        "FIELD_ENCRYPTION_KEYS, after which the older keys can be removed."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        providers = IdentityProvider.objects.exclude(client_secret_encrypted="").select_for_update()
        rotated = 0
        for provider in providers:
            try:
                provider.client_secret_encrypted = encryption.rotate(
                    provider.client_secret_encrypted
                )
            except encryption.UnreadableSecret as exc:
                # All or nothing: a key is missing, so no key may be dropped yet.
                raise CommandError(
                    f"No configured key decrypts the secret of {provider.name}; nothing changed."
                ) from exc
            provider.save(update_fields=["client_secret_encrypted"])
            rotated += 1
        self.stdout.write(f"{rotated} secret(s) encrypted with the current key.")
