from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import PageNumberPagination

from .errors import Invalid


class Pagination(PageNumberPagination):
    """DRF's page-number pagination, but a page or page_size that is not a
    whole number in range is a 400 (DRF quietly used the default, and read
    "?page=" as the first page), and the schema says what each parameter
    takes. A page past the last is DRF's 404 ("Invalid page.")."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not raw.isdigit() or int(raw) < 1:
            raise Invalid("page must be a whole number of 1 or more.", field="page")
        return raw

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise Invalid(f"page_size must be a whole number from 1 to {self.max_page_size}.", field="page_size")
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(self._bounds()[parameter["name"]])
        return parameters

    @classmethod
    def _bounds(cls) -> dict:
        return {
            cls.page_query_param: {"minimum": 1},
            cls.page_size_query_param: {"minimum": 1, "maximum": cls.max_page_size},
        }

    @classmethod
    def schema_parameters(cls) -> list[OpenApiParameter]:
        """For a view that pages by hand, with its own response shape."""
        return [
            OpenApiParameter(name, {"type": "integer", **bounds}, required=False)
            for name, bounds in cls._bounds().items()
        ]
