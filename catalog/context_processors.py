from django.utils.functional import SimpleLazyObject

from catalog.selectors import category_list


def storefront(request):
    """Expose the category navigation, queried only when a template uses it."""
    return {"nav_categories": SimpleLazyObject(lambda: list(category_list()))}
