from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from catalog.models import ModelOption
from catalog.selectors import ModelOptionFilter, model_options_list
from catalog.serializers import ModelOptionSerializer
from catalog.services import model_option_create, model_option_update
from portal.tenancy import ReadForMembersWriteForStaff


@extend_schema_view(
    list=extend_schema(summary="List catalog models", tags=["catalog"]),
    retrieve=extend_schema(summary="One catalog model", tags=["catalog"]),
    create=extend_schema(summary="Add a catalog model (staff)", tags=["catalog"]),
    update=extend_schema(summary="Replace a catalog model (staff)", tags=["catalog"]),
    partial_update=extend_schema(summary="Change a catalog model (staff)", tags=["catalog"]),
    destroy=extend_schema(summary="Delete a catalog model (staff)", tags=["catalog"]),
)
class ModelOptionViewSet(viewsets.ModelViewSet):
    serializer_class = ModelOptionSerializer
    permission_classes = [ReadForMembersWriteForStaff]
    filterset_class = ModelOptionFilter

    def get_queryset(self) -> QuerySet[ModelOption]:
        return model_options_list()

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = model_option_create(
            by=self.request.user.get_username(), **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        assert serializer.instance is not None
        serializer.instance = model_option_update(
            serializer.instance, by=self.request.user.get_username(), **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        instance.delete()
