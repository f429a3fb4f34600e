"""Catalog endpoints, mounted under /api/.

The catalog's router is the project's only DefaultRouter, so ``/api/`` keeps its browsable root
listing the catalog; other apps register on SimpleRouters.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from catalog.api import ModelOptionViewSet

router = DefaultRouter()
router.register("catalog/models", ModelOptionViewSet, basename="catalog-model")

urlpatterns = router.urls
