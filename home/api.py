from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class ExportApi(APIView):
    @extend_schema(responses={200: {"type": "object", "description": "All of the caller's own data"}})
    def get(self, request):
        response = Response(selectors.user_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="steady-export.json"'
        return response
