from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from catalog import signals  # noqa: F401  (file clean-up on delete)
        from catalog.images import configure_pillow

        configure_pillow()
