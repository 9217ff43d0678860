"""Remove image files when their rows go or are replaced, so nothing is left behind."""

from django.db import transaction
from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from catalog.models import GarmentDraft, GarmentOverlay, ProductImage

_FILE_FIELDS = {ProductImage: ("image", "thumbnail"), GarmentOverlay: ("image",), GarmentDraft: ("image",)}


def _delete_file(field) -> None:
    if field and field.name:
        field.storage.delete(field.name)


@receiver(post_delete, sender=ProductImage)
@receiver(post_delete, sender=GarmentOverlay)
@receiver(post_delete, sender=GarmentDraft)
def delete_files(sender, instance, **kwargs):
    for name in _FILE_FIELDS[sender]:
        _delete_file(getattr(instance, name))


@receiver(pre_save, sender=ProductImage)
@receiver(pre_save, sender=GarmentOverlay)
def delete_replaced_files(sender, instance, **kwargs):
    if not instance.pk:
        return
    old = sender.objects.filter(pk=instance.pk).first()
    if old is None:
        return
    for name in _FILE_FIELDS[sender]:
        old_file, new_file = getattr(old, name), getattr(instance, name)
        if old_file and old_file.name and old_file.name != new_file.name:
            storage, stale = old_file.storage, old_file.name
            transaction.on_commit(lambda storage=storage, stale=stale: storage.delete(stale))
